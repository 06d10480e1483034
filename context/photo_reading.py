"""How `python -m context` reads a photo: whole, unless it is a huge JPEG.

A 12000 x 9000 JPEG scan decoded whole took 1552 MB at peak (its RGB pixels 324 MB, and
the copies made of them), where context inference reads luminance only (colorize gives it
the photo's L*). A JPEG over `MAX_PIXELS` (colorize's default `--max-pixels`, the largest
photo it reads at all) is decoded straight to gray by the JPEG decoder (`draft`: no RGB
pixels exist), and past `GRAY_MAX_PIXELS` also at the 1/2, 1/4 or 1/8 scale that brings it
under (the DCT is scaled: the full-size pixels never exist), so the pixels held stay under
200 MB whatever the photo. Not below that: OCR reads differently at another scale (a
12000 x 9000 test scan's "KAZAN 1950" was read "ΚΑΖΑΝ" at 1/2 scale, in Greek), and the
same in gray. The boxes of what was read are scaled back to the photo's own pixels
(`photo_pixels`). A photo under the bound, or not a JPEG, is read exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

# colorize's default --max-pixels (colorizer.pipeline.config.PipelineConfig.max_pixels).
MAX_PIXELS = 50_000_000
# The most gray pixels held for a photo (bytes, at one a pixel).
GRAY_MAX_PIXELS = 4 * MAX_PIXELS
SCALES = (2, 4, 8)  # what a JPEG decoder can scale its DCT by


@dataclass(frozen=True)
class ReadPhoto:
    """A photo as context inference reads it."""

    image: Image.Image | None  # None: no photo, only a hint or caption
    scale: int = 1  # the photo's pixels per `image` pixel, along each side
    note: str | None = None  # how it was read, when not whole


def read_photo(path: str | Path, max_pixels: int = MAX_PIXELS,
               gray_max_pixels: int = GRAY_MAX_PIXELS) -> ReadPhoto:
    """The photo at `path`: whole, or a huge JPEG decoded in gray (and reduced past
    `GRAY_MAX_PIXELS`)."""
    image = Image.open(path)
    width, height = image.size
    if image.format != "JPEG" or width * height <= max_pixels:
        image.load()
        return ReadPhoto(image)
    reduce_by = _scale(width, height, max(max_pixels, gray_max_pixels))
    image.draft("L" if image.mode in ("L", "RGB", "YCbCr") else image.mode,
                (width // reduce_by, height // reduce_by))
    image.load()
    scale = round(width / image.width)  # what the decoder did
    at = f" at {image.width}x{image.height} (1/{scale} scale)" if scale > 1 else ""
    note = (f"{Path(path).name} is {width}x{height} ({width * height / 1e6:.0f} MP): read in "
            f"{'gray' if image.mode == 'L' else image.mode}{at} to bound memory (context "
            "reads luminance only); boxes are in the photo's own pixels")
    return ReadPhoto(image, scale, note)


def photo_pixels(report: Any, scale: int) -> Any:
    """`report` (a `SceneContext.to_dict()`) with every "box" in the photo's own pixels."""
    if scale == 1:
        return report
    if isinstance(report, dict):
        return {key: ([v * scale for v in value] if key == "box" and isinstance(value, list)
                      else photo_pixels(value, scale)) for key, value in report.items()}
    if isinstance(report, list):
        return [photo_pixels(value, scale) for value in report]
    return report


def _scale(width: int, height: int, max_pixels: int) -> int:
    if width * height <= max_pixels:
        return 1
    for scale in SCALES:
        if (width // scale) * (height // scale) <= max_pixels:
            return scale
    return SCALES[-1]
