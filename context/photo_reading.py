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

A photo is read as colorize's loader reads it, with the same pieces (context/photo_formats/,
which colorizer imports): a camera raw file is refused (`PhotoRefused`: a DNG was read as
its 151x160 preview without a word, where colorize refuses it), a .jp2's ICC profile is
found in its header (Pillow skips it) and an embedded profile is converted to sRGB (a gray
master with a dot-gain profile, as .jp2 or TIFF, was read up to 11 L* off colorize's L*),
and a PNM of a maxval other than 255 is decoded by numpy (Pillow's loop took a minute for a
12 MP 48-bit scan). A photo read in gray to bound memory keeps its pixels as stored.
Like colorize, it reads a multi-page TIFF's full-size page, not page 1 when that is a
preview (tiff_pages.py), and turns a photo upright as its EXIF Orientation says
(orientation.py: a JPEG with Orientation 6 was read as 200x100 where colorize reads 100x200,
and OCR read its caption sideways); the boxes of what was read are then in the upright
photo's pixels, as colorize shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from context.photo_formats.camera_raw import DEVELOP_FIX, camera_raw_kind, camera_raw_problem
from context.photo_formats.icc import srgb_photo
from context.photo_formats.jp2_header import jpeg2000_header, jpeg2000_icc_profile
from context.photo_formats.orientation import exif_orientation, turned
from context.photo_formats.pnm_decoder import use_fast_decoder
from context.photo_formats.tiff_pages import use_main_frame
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


class PhotoRefused(ValueError):
    """A photo `python -m context` will not read; the message names the file, says why and
    what to do."""


class PhotoTooLarge(PhotoRefused):
    """A photo `python -m context` will not decode for its size."""


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
    that claims more pixels than the file can hold, `PhotoRefused` for a camera raw file.
    Read upright (EXIF orientation), a multi-page TIFF at its full-size page."""
    with open(path, "rb") as stream:  # the header only, not the pixels
        _refuse_camera_raw(stream, path)
        icc_profile = jpeg2000_icc_profile(jpeg2000_header(stream))  # None but for a .jp2's
    with PIL_SETTINGS:
        image = Image.open(path)
        # Before the size check: page 1 may be a preview of a far larger page.
        page_note = use_main_frame(image, getattr(image, "n_frames", 1), from_file=True)
        width, height = image.size
        try:
            check_size(Path(path), image.format, width, height, whole_max_pixels)
        except PhotoTooLarge:
            image.close()
            raise
        if icc_profile and not image.info.get("icc_profile"):
            image.info["icc_profile"] = icc_profile  # a .jp2's, which Pillow skips
        use_fast_decoder(image)  # a PNM of maxval 4095 or 65535: not Pillow's Python loop
        if width * height <= max_pixels:
            image.load()
            upright, turn_note = _upright(image, exif_orientation(image))
            # Its profile applied after turning, as colorize does.
            return ReadPhoto(srgb_photo(upright), note=_joined(page_note, turn_note))
        if image.format != "JPEG":
            return _gray_whole(Path(path), image, page_note)
        reduce_by = _scale(width, height, max(max_pixels, gray_max_pixels))
        image.draft("L" if image.mode in ("L", "RGB", "YCbCr") else image.mode,
                    (width // reduce_by, height // reduce_by))
        image.load()
    scale = round(width / image.width)  # what the decoder did
    at = f" at {image.width}x{image.height} (1/{scale} scale)" if scale > 1 else ""
    note = _note(Path(path), width, height, image.mode, at)
    image, turn_note = _upright(image, exif_orientation(image))
    return ReadPhoto(image, scale, _joined(page_note, note, turn_note))


def _upright(image: Image.Image, orientation: int | None) -> tuple[Image.Image, str | None]:
    """A decoded photo turned as its EXIF `orientation` says (as colorize's loader turns
    it), and the note saying so."""
    if orientation is None:
        return image, None
    return turned(image, orientation), f"EXIF orientation {orientation} applied"


def _joined(*notes: str | None) -> str | None:
    return "; ".join(note for note in notes if note) or None


def _refuse_camera_raw(stream: BinaryIO, path: str | Path) -> None:
    """`PhotoRefused` for a camera raw file, in the words of colorize's loader (its preview,
    the first page Pillow opens, is no photo to read context from)."""
    kind = camera_raw_kind(stream, str(path))
    if kind is not None:
        raise PhotoRefused(f"{path}: {camera_raw_problem(kind)}. {DEVELOP_FIX}")


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


def _gray_whole(path: Path, image: Image.Image, page_note: str | None) -> ReadPhoto:
    """A huge PNG/TIFF decoded whole (PIL has no other way), then gray at once, upright."""
    width, height = image.size
    image.load()
    orientation = exif_orientation(image)  # a TIFF's tag: gone from the gray copy
    if image.mode not in ("L", "I;16", "I", "F"):
        # Context reads luminance only; the RGB copy (3 bytes a pixel) goes before the
        # encoder's own copies are made.
        image = image.convert("L")
    note = _note(path, width, height, image.mode, "")
    # The gray copy is turned: a byte a pixel, not three.
    image, turn_note = _upright(image, orientation)
    return ReadPhoto(image, 1, _joined(page_note, note, turn_note))


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
