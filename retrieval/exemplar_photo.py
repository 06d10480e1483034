"""An archive photo as `library build` keeps it: upright, RGB, its long side at most `MAX_SIDE`.

Read under the shared rules of `context/photo_reading.py` (its `PIL_SETTINGS`, its header
checks), never PIL's defaults: PIL printed "DecompressionBombWarning ... could be
decompression bomb DOS attack" with a source line for a 108 MP scan, and decoded it whole
(peak RSS 1305 MB for a build of 23 photos). Now:

- a photo over `max_pixels` (`library build --max-pixels`, default colorize's 50,000,000) is
  refused from its header with colorize's words, naming the `--max-pixels N` that reads it;
  so is a file whose header claims more pixels than its bytes can hold (a 74-byte PNG
  claiming 50000 x 50000) and a PNG/TIFF over `WHOLE_MAX_PIXELS`, decoded only whole;
- a photo over `MAX_PIXELS` that the raised limit lets in is read reduced, as the library
  keeps only `MAX_SIDE` pixels of it: a JPEG by its decoder (`draft`: the full-size pixels
  never exist), a PNG or TIFF decoded whole and reduced at once. A photo up to `MAX_PIXELS`
  is read exactly as before, so a rebuilt library's images are the same bytes;
- EXIF orientation is applied (colorize shows and reads a photo upright: a sideways
  exemplar's look matched no upright photo);
- it is read as colorize's loader reads it, with the same pieces (context/photo_formats/):
  a camera raw file is refused (a DNG was kept as its 50x30 preview), a multi-page TIFF is
  read at its full-size page (a TIFF whose page 1 is a preview was kept as the preview), and
  an embedded ICC profile, a .jp2's too (Pillow skips it), is converted to sRGB before the
  photo is made small (an Adobe RGB photo's exemplar was up to 141 of 255 levels off the
  colors colorize reads, 12 on average); a photo without a profile is read as before;
- a black-and-white photo is refused where `color_only` (`library build` asks it): an
  exemplar lends its colors, and a gray one would only gray what it matches;
- 16-bit gray is scaled to 8 bits (a 16-bit gray scan was kept as pure white, #FFFFFF five
  times: PIL's conversion clips at 255).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from context.photo_formats.camera_raw import camera_raw_kind, camera_raw_problem
from context.photo_formats.icc import srgb_photo
from context.photo_formats.jp2_header import jpeg2000_header, jpeg2000_icc_profile
from context.photo_formats.orientation import exif_orientation, turned
from context.photo_formats.pnm_decoder import use_fast_decoder
from context.photo_formats.tiff_pages import use_main_frame
from context.photo_reading import MAX_PIXELS, WHOLE_MAX_PIXELS, PhotoTooLarge, check_size
from context.pil_settings import PIL_SETTINGS

MAX_SIDE = 512  # archive photos are stored in the library at this long side
# Modes of more than 8 bits of gray (a 16-bit gray PNG or TIFF opens as "I;16" or "I").
DEEP_GRAY_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")
# Modes with one channel of gray.
GRAY_MODES = ("1", "L", "LA", "La", "F", *DEEP_GRAY_MODES)
# colorize's has_color: a pixel whose channels differ by more than 3 of 255 is color.
COLOR_TOLERANCE = 3
DEVELOP_FOR_LIBRARY = ("develop it to a TIFF or JPEG first (darktable, RawTherapee, Lightroom "
                       "or Camera Raw; or `dcraw -T FILE`) and name that file in the row")


class NotAnExemplar(ValueError):
    """A readable photo that the library cannot use; the message names the file and the fix."""


def read_exemplar_photo(path: Path, max_pixels: int = MAX_PIXELS,
                        color_only: bool = True) -> Image.Image:
    """The photo at `path` as the library stores it (module docstring). Raises
    `PhotoTooLarge`, or `NotAnExemplar` for a gray photo where `color_only`, with a one-line
    message naming the file (a camera raw file too), and PIL's OSError / SyntaxError for a
    file that is no image or is damaged."""
    jp2_profile = _refuse_camera_raw_and_find_jp2_profile(path)
    # The file is closed on leaving (a GIF or TIFF keeps it open for its other frames); the
    # decoded pixels stay.
    with PIL_SETTINGS, Image.open(path) as opened:
        # Before the checks: page 1 may be a preview of a far larger page.
        use_main_frame(opened, getattr(opened, "n_frames", 1), from_file=True)
        _check(path, opened, max_pixels, color_only)
        if jp2_profile and not opened.info.get("icc_profile"):
            opened.info["icc_profile"] = jp2_profile  # a .jp2's, which Pillow skips
        # After the checks: a PNG's getexif decodes the whole image to find its eXIf.
        orientation = exif_orientation(opened)
        use_fast_decoder(opened)  # a PNM of maxval 4095 or 65535: not Pillow's Python loop
        image = srgb_photo(_decode(opened))  # its profile applied, as colorize does
    if image.mode != "RGB":  # (convert would copy an RGB photo whole: up to 150 MB)
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
    image = turned(image, orientation)  # the small exemplar turned, not the full scan
    if color_only and not _has_color(image):
        raise _gray(path)
    return image


def _refuse_camera_raw_and_find_jp2_profile(path: Path) -> bytes | None:
    """`NotAnExemplar` for a camera raw file (a DNG by its tag: Pillow opens its preview);
    else a .jp2's ICC profile from its header (None for any other file)."""
    with open(path, "rb") as stream:  # the header only, not the pixels
        kind = camera_raw_kind(stream, str(path))
        if kind is not None:
            raise NotAnExemplar(f"{path}: {camera_raw_problem(kind)}; {DEVELOP_FOR_LIBRARY}")
        return jpeg2000_icc_profile(jpeg2000_header(stream))


def _check(path: Path, image: Image.Image, max_pixels: int, color_only: bool) -> None:
    """Refuse, from the header, what no reading makes a usable exemplar (module docstring)."""
    width, height = image.size
    check_size(path, image.format, width, height, WHOLE_MAX_PIXELS)
    if color_only and image.mode in GRAY_MODES:  # before decoding: no limit would make it usable
        raise _gray(path)
    if width * height > max_pixels:
        raise PhotoTooLarge(
            f"{path}: image is {width}x{height} = {width * height:,} pixels, above the limit "
            f"of {max_pixels:,}; downscale it first, or raise the limit with --max-pixels "
            f"{width * height}")


def _decode(image: Image.Image) -> Image.Image:
    """The decoded photo: whole up to `MAX_PIXELS`, reduced past it (never under MAX_SIDE)."""
    width, height = image.size
    if width * height <= MAX_PIXELS:
        image.load()
        return _eight_bit(image)
    # The library keeps MAX_SIDE pixels: twice that is all the thumbnail's filter needs.
    factor = max(1, max(width, height) // (2 * MAX_SIDE))
    if image.format == "JPEG":  # the decoder scales its DCT: 1/2, 1/4 or 1/8
        image.draft(image.mode, (width // factor, height // factor))
        image.load()
        return image
    image.load()  # PIL decodes a PNG or TIFF only whole (WHOLE_MAX_PIXELS bounds it)
    image = _eight_bit(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    return image.reduce(factor)


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit gray as 8-bit ("L"), its levels scaled (65535 -> 255), not clipped."""
    if image.mode not in DEEP_GRAY_MODES:
        return image
    levels = np.asarray(image)
    return Image.fromarray((np.clip(levels, 0, 65535) // 257).astype(np.uint8))


def _has_color(image: Image.Image) -> bool:
    pixels = np.asarray(image, dtype=np.int16)
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return any((np.abs(a - b) > COLOR_TOLERANCE).any()
               for a, b in ((red, green), (green, blue), (red, blue)))


def _gray(path: Path) -> NotAnExemplar:
    return NotAnExemplar(
        f"{path} is a black-and-white photo (no pixel's channels differ by more than "
        f"{COLOR_TOLERANCE} of 255); an exemplar lends its colors, so a gray one would only "
        "gray the photos it matches: give color photos, or remove the row")
