"""PIL's process-wide decode settings, held at our values while any load runs: the one place
they are set. `colorizer.pipeline.imageio.load_image` enters `PIL_SETTINGS` around every load,
and so does every other reader that checks our own pixel cap from the header first
(`python -m context`'s `context.photo_reading`, the service's MIME sniff, `check`'s report).
It lives in `context` because `context` never imports `colorizer`, and one instance must
serve both: two overrides counting separately would restore each other's values."""

from __future__ import annotations

import threading
import warnings

from PIL import Image, ImageFile


class PilSettingsOverride:
    """Holds PIL's two global decode settings at our values while any load is running.

    - MAX_IMAGE_PIXELS = None: PIL's own decompression-bomb check would otherwise veto images
      that the caller's `max_pixels` allows, and print "DecompressionBombWarning: Image size
      (108000000 pixels) exceeds limit of 89478485 pixels" for any photo over 89 MP that it
      allows (a 100 MP scan, within `--max-pixels`); our cap, checked from the header before
      any pixel is decoded, decides instead. So only code that checks a cap may enter.
    - LOAD_TRUNCATED_IMAGES = False: other code (training scripts often do) may have set it to
      True, which would turn truncated files into silently gray-padded images.
    - PIL's own warnings are ignored: a damaged file made it print "UserWarning: Corrupt EXIF
      data" with a source line before our one-line error (and a damaged metadata block that
      the loader does read is a note, metadata.py / carried_metadata.py).

    Reference-counted so overlapping loads in several threads restore the caller's values only
    when the last one ends. Other PIL users in this process see our values during a load.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: tuple[int | None, bool] = (None, False)
        self._warnings: warnings.catch_warnings | None = None

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._saved = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)
                Image.MAX_IMAGE_PIXELS = None
                ImageFile.LOAD_TRUNCATED_IMAGES = False
                self._warnings = warnings.catch_warnings()
                self._warnings.__enter__()
                warnings.filterwarnings("ignore", module=r"PIL\.")
            self._depth += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = self._saved
                if self._warnings is not None:
                    self._warnings.__exit__(None, None, None)
                    self._warnings = None


PIL_SETTINGS = PilSettingsOverride()
