"""The files `chronochrome check --report` and `chronochrome report` read, decoded once for
the check and its report.

The report shows the pixels the check used: the loader's (EXIF turn, ICC conversion, the
full-size page of a multi-page TIFF, 16-bit scaled), never the file opened again with Pillow
(a turned photo's finding boxes, placed on the check's upright image, were drawn on the
unturned one; an Adobe RGB photo was shown in the wrong colors). Each file is decoded with
the loader once, before the check, and its report copy made from that decode at once
(report_images.ShownImage: reduced band by band, a few MB).

Memory: the check lets a colorization's full-size pixels go before the model reads the
original (checker.analyse); a decode kept for it stays up through the check. So a decode is
given to the check only while the decodes kept total at most `HOLD_BYTES` of pixels: a 12 MP
pair holds 48 MB (the check's peak RSS went from 1285 to 1334 MB; 0.6 s of a 41-51 s check
saved). A larger file's decode is let go once its report copy is made, and the check decodes
it again from its path (two decodes, as before; the report's, after the check, is gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from colorizer.check.report_images import ShownImage
from colorizer.errors import ImageLoadError
from colorizer.pipeline.imageio import LoadedImage, load_image

HOLD_BYTES = 128 * 2**20  # pixels of both files kept through the check (a 32 MP RGB pair)


@dataclass(frozen=True)
class CheckedFile:
    """One file as the check takes it (its decode, or its path: decoded there again) and as
    the report shows it (None: unreadable, which the check then says in its words)."""

    checked: LoadedImage | Path
    shown: ShownImage | None


def decoded_once(path: Path, max_pixels: int, budget: int = HOLD_BYTES) -> CheckedFile:
    """`path` decoded by the loader, its report copy made; the decode itself kept for the
    check where its pixels fit in `budget` bytes."""
    try:
        loaded = load_image(path, max_pixels=max_pixels)
    except ImageLoadError:
        return CheckedFile(path, None)  # the check's own load raises it, in its words
    shown = ShownImage.of(loaded)
    return CheckedFile(loaded if loaded.pixels.nbytes <= budget else path, shown)


def decoded_pair(colorized: Path, original: Path | None, max_pixels: int
                 ) -> tuple[CheckedFile, CheckedFile | None]:
    """Both files of `check --report`, the colorization first (as the check loads them);
    the original kept only within what the colorization's kept decode leaves of HOLD_BYTES."""
    color = decoded_once(colorized, max_pixels)
    if original is None:
        return color, None
    return color, decoded_once(original, max_pixels, HOLD_BYTES - held_bytes(color))


def held_bytes(file: CheckedFile) -> int:
    """Bytes of pixels `file` keeps for the check (0: its path, decoded there)."""
    return file.checked.pixels.nbytes if isinstance(file.checked, LoadedImage) else 0
