"""How `python -m context` reads a photo: whole, or in gray when it is huge.

A 12000 x 9000 JPEG scan decoded whole took 1552 MB at peak (its RGB pixels 324 MB, and
the copies made of them), where context inference reads luminance only (colorize gives it
the photo's L*). A JPEG over `MAX_PIXELS` (colorize's default `--max-pixels`, the largest
photo it reads at all) is decoded straight to gray by the JPEG decoder (`draft`: no RGB
pixels exist), and past `GRAY_MAX_PIXELS` also at the 1/2, 1/4 or 1/8 scale that brings it
under (the DCT is scaled: the full-size pixels never exist), so the pixels held stay under
200 MB whatever the photo. Not below that: OCR reads differently at another scale (a
12000 x 9000 test scan's "KAZAN 1950" was read "ΚΑΖΑΝ" at 1/2 scale, in Greek), and the
same in gray. The boxes of what was read are scaled back to the photo's own pixels
(`photo_pixels`). A photo under the bound is read exactly as before.

A PNG or TIFF cannot be decoded reduced or in gray by PIL (no `draft`; PIL's TIFF and PNG
decoders fill the whole image), so one over `MAX_PIXELS` is decoded whole and converted to
gray at once, its RGB let go before context inference makes its copies: 12000 x 9000 peak
1339-1405 -> 1036-1118 MB (PNG), 1372 -> 1020-1060 MB (TIFF), reports identical. One
over `WHOLE_MAX_PIXELS` is refused with `PhotoTooLarge` (saving it as JPEG, or downscaling
it, is the fix). Every size is checked from the header under `PIL_SETTINGS`, so PIL's own
"DecompressionBombWarning" (any photo over 89 MP) is not printed and its check does not
decide; a file that claims more pixels than its bytes could hold (a 74-byte PNG claiming
50000 x 50000) is refused before decoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from context.pil_settings import PIL_SETTINGS

# colorize's default --max-pixels (colorizer.pipeline.config.PipelineConfig.max_pixels).
MAX_PIXELS = 50_000_000
# The most gray pixels held for a photo (bytes, at one a pixel).
GRAY_MAX_PIXELS = 4 * MAX_PIXELS
# The most pixels of a PNG or TIFF (decoded whole): 200 MP takes 600 MB as RGB.
WHOLE_MAX_PIXELS = GRAY_MAX_PIXELS
SCALES = (2, 4, 8)  # what a JPEG decoder can scale its DCT by
# Pixels a byte of a file holds at most, with room to spare (colorizer's loader's figure).
MOST_PIXELS_A_BYTE = 1_000_000


class PhotoTooLarge(ValueError):
    """A photo `python -m context` will not decode; the message says why and what to do."""


@dataclass(frozen=True)
class ReadPhoto:
    """A photo as context inference reads it."""

    image: Image.Image | None  # None: no photo, only a hint or caption
    scale: int = 1  # the photo's pixels per `image` pixel, along each side
    note: str | None = None  # how it was read, when not whole


def read_photo(path: str | Path, max_pixels: int = MAX_PIXELS,
               gray_max_pixels: int = GRAY_MAX_PIXELS,
               whole_max_pixels: int = WHOLE_MAX_PIXELS) -> ReadPhoto:
    """The photo at `path`: whole, or a huge one in gray (a JPEG also reduced past
    `GRAY_MAX_PIXELS`); `PhotoTooLarge` for a PNG/TIFF over `whole_max_pixels` or a header
    that claims more pixels than the file can hold."""
    with PIL_SETTINGS:
        image = Image.open(path)
        width, height = image.size
        try:
            check_size(Path(path), image.format, width, height, whole_max_pixels)
        except PhotoTooLarge:
            image.close()
            raise
        if width * height <= max_pixels:
            image.load()
            return ReadPhoto(image)
        if image.format != "JPEG":
            return _gray_whole(Path(path), image)
        reduce_by = _scale(width, height, max(max_pixels, gray_max_pixels))
        image.draft("L" if image.mode in ("L", "RGB", "YCbCr") else image.mode,
                    (width // reduce_by, height // reduce_by))
        image.load()
    scale = round(width / image.width)  # what the decoder did
    at = f" at {image.width}x{image.height} (1/{scale} scale)" if scale > 1 else ""
    return ReadPhoto(image, scale, _note(Path(path), width, height, image.mode, at))


def check_size(path: Path, image_format: str | None, width: int, height: int,
                whole_max_pixels: int) -> None:
    """Refuse, from the header, a PNG/TIFF over `whole_max_pixels` (decoded only whole) and
    any file claiming more pixels than its bytes can hold. A JPEG is otherwise always read,
    at 1/8 scale at most (65535 x 65535 at most: 67 MP held)."""
    pixels, file_bytes = width * height, path.stat().st_size
    size = f"{path.name} is {width}x{height} = {pixels:,} pixels"
    if pixels > MOST_PIXELS_A_BYTE * max(file_bytes, 1):
        # A 333-byte JPEG claiming 60000 x 60000 was otherwise "read" as a blank gray photo.
        raise PhotoTooLarge(f"{size}, but a file of {file_bytes:,} bytes cannot hold that "
                            "many pixels, so its header is most likely damaged: re-export or "
                            "re-download the file")
    if image_format != "JPEG" and pixels > whole_max_pixels:
        raise PhotoTooLarge(f"{size}, above the limit of {whole_max_pixels:,}: save it as JPEG "
                            "(a huge JPEG is read in gray, reduced) or downscale it; PIL "
                            "decodes PNG and TIFF only whole")


def _gray_whole(path: Path, image: Image.Image) -> ReadPhoto:
    """A huge PNG/TIFF decoded whole (PIL has no other way), then gray at once."""
    width, height = image.size
    image.load()
    if image.mode not in ("L", "I;16", "I", "F"):
        # Context reads luminance only; the RGB copy (3 bytes a pixel) goes before the
        # encoder's own copies are made.
        image = image.convert("L")
    return ReadPhoto(image, 1, _note(path, width, height, image.mode, ""))


def _note(path: Path, width: int, height: int, mode: str, at: str) -> str:
    return (f"{path.name} is {width}x{height} ({width * height / 1e6:.0f} MP): read in "
            f"{'gray' if mode == 'L' else mode}{at} to bound memory (context reads "
            "luminance only); boxes are in the photo's own pixels")


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
