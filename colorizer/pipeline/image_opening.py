"""The loader's first steps on a file's bytes (imageio.py, steps 2-3): its format identified
from its header, the file refused before any pixel is decoded (a camera raw, a damaged PNG chunk,
a size over the pixel cap, a TIFF's full-size page over it too), and the errors of a damaged file
in the loader's words. `load_image` runs them before decoding; the service's intake
(apps/service/upload_inspection.py) runs them to refuse a bad upload at the POST without
decoding it.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, UnidentifiedImageError, features

from colorizer.errors import (
    EmptyFileError,
    ImageLoadError,
    ImageTooLargeError,
    TruncatedImageError,
    UnsupportedImageError,
)
from colorizer.pipeline import heif_opener
from colorizer.pipeline.camera_raw import camera_raw_refusal
from colorizer.pipeline.iso_container import is_heif, is_iso_media, iso_media_problem
from colorizer.pipeline.png_check import png_damage
from colorizer.pipeline.tiff_pages import use_main_frame
from context.photo_formats.jp2_header import jpeg2000_icc_profile

# PNM (.pgm/.ppm/.pnm/.pbm) is what SANE's scanimage and xsane write; PCX, old scanners' own
# format. AVIF only where this Pillow reads it (11.2 and later, from its own wheels; an older
# one does not know the feature's name, and would warn on a plain features.check).
_READS_AVIF = "avif" in features.modules and bool(features.check_module("avif"))
# HEIC/HEIF where pillow-heif is installed (found, not imported: heif_opener.py loads it at
# the first HEIF file), so a folder of a phone's photos is colorized, not "holds no image".
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".jp2", ".j2k",
     ".pgm", ".ppm", ".pnm", ".pbm", ".pcx"} | ({".avif"} if _READS_AVIF else set())
    | ({".heic", ".heif"} if heif_opener.installed() else set())
)

# The only decoders Image.open may try. Keeping the list short keeps exotic decoders (EPS runs
# Ghostscript, for one) away from untrusted uploads. JPEG 2000 is here because archives keep
# their masters in it; Pillow decodes it with OpenJPEG, part of its own wheels. PPM (PNM) and
# PCX are scanners' formats, decoded by Pillow's own small plugins; AVIF by libavif, in its
# wheels from 11.2 (an older Pillow ignores the name).
_PIL_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "GIF", "WEBP", "JPEG2000", "PPM", "PCX", "AVIF")
SUPPORTED_NAMES = "PNG, JPEG, TIFF, BMP, GIF, WebP or JPEG 2000"
# Magic numbers of the formats above: a file that starts like one but that PIL cannot identify
# is damaged, not foreign.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"II+\x00": "TIFF",  # BigTIFF
    b"MM\x00+": "TIFF",
    b"BM": "BMP",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"\x00\x00\x00\x0cjP  \r\n\x87\n": "JPEG 2000",
    b"\xffO\xffQ": "JPEG 2000",  # a bare codestream (.j2k)
}
# What PIL raises from inside plugins on damaged data; only PIL calls are wrapped with it.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
                  struct.error)

REDOWNLOAD_FIX = ("re-export or re-download the file; an interrupted copy or download is "
                   "the usual cause")
# Pixels a byte of a file holds at most, with room to spare (deflate packs ~1032 bytes into
# one, 8 pixels a byte at 1 bit; a fax-coded blank page a few thousand): a header claiming
# more was damaged (a flipped bit in its width); a higher cap would only fail later.
MOST_PIXELS_A_BYTE = 1_000_000


@contextmanager
def open_image(data: bytes, label: str) -> Iterator[Image.Image]:
    """Identify the format and read the header only; map PIL's failures to our errors."""
    if (raw := camera_raw_refusal(data, label)) is not None:  # a preview, or no photo yet
        raise raw
    # HEIF (pillow-heif) is registered and tried only for a file with HEIF brands.
    formats = heif_opener.heif_formats(_PIL_FORMATS) if is_heif(data[:256]) else _PIL_FORMATS
    try:
        image = Image.open(io.BytesIO(data), formats=formats)
    except UnidentifiedImageError as exc:
        raise _unidentified(data, label) from exc
    except DECODE_ERRORS as exc:
        raise metadata_too_large(exc, label) or TruncatedImageError(
            label, f"the header is incomplete ({exc})", REDOWNLOAD_FIX
        ) from exc
    with image:
        if image.format == "JPEG2000" and not features.check_codec("jpg_2000"):
            raise UnsupportedImageError(
                label, "is a JPEG 2000 file and this Pillow has no JPEG 2000 decoder (OpenJPEG)",
                f"install Pillow's own wheel (it has one), or convert it to {SUPPORTED_NAMES}")
        if image.format == "PNG" and (damage := png_damage(data)):  # Pillow skips these CRCs
            raise TruncatedImageError(label, damage, REDOWNLOAD_FIX)
        if image.format == "JPEG2000" and (profile := jpeg2000_icc_profile(data)):
            image.info["icc_profile"] = profile  # Pillow skips a .jp2's profile (jp2_header)
        try:
            yield image
        finally:  # Pillow 13's `with image:` keeps the decoded pixels (its __exit__ is empty):
            image.close()  # a 48-bit PNG's 8-bit decode (432 MB at 108 MP) outlived the block


def metadata_too_large(exc: Exception, label: str) -> ImageLoadError | None:
    """A PNG text, XMP or ICC chunk that decompresses past Pillow's limit (1 MiB, kept: it
    bounds memory against compression bombs) is not a damaged download: "re-download" sent
    people after a file that was whole."""
    if not (isinstance(exc, ValueError) and "Decompressed data too large" in str(exc)):
        return None
    return UnsupportedImageError(
        label, "holds a metadata chunk (text, XMP or ICC profile) that decompresses past "
        "Pillow's 1 MiB limit", "save a copy without that metadata (e.g. `exiftool -all= "
        "copy.png`, or export it again) and colorize the copy")


def _unidentified(data: bytes, label: str) -> ImageLoadError:
    """Tell a damaged file of a supported format from a file that is no image we read."""
    head = data[:16]
    damaged = next((fmt for sig, fmt in _SIGNATURES.items() if head.startswith(sig)), None)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        damaged = "WebP"
    if damaged:
        problem = f"starts like a {damaged} file but its header is incomplete or corrupt"
        return TruncatedImageError(label, problem, REDOWNLOAD_FIX)
    if is_iso_media(head):
        heif_reader = heif_opener.heif_reader_problem() if is_heif(data[:256]) else None
        return UnsupportedImageError(label, *iso_media_problem(data[:256], SUPPORTED_NAMES,
                                                               heif_reader))
    if head.startswith(b"%PDF"):
        problem = "is a PDF document, not an image"
    elif (suffix := Path(label).suffix.lower()) in SUPPORTED_SUFFIXES:
        # Bit rot in its first bytes: "convert it" sent people after a converter.
        return UnsupportedImageError(
            label, f"is named {suffix} but its contents match no supported format: its start "
            "is damaged, or it is no image at all", f"if it was an image, {REDOWNLOAD_FIX}; "
            f"else convert it to {SUPPORTED_NAMES} first")
    else:
        problem = "is not a recognised image file (its contents match no supported format)"
    return UnsupportedImageError(label, problem, f"convert it to {SUPPORTED_NAMES} first")



def check_not_empty(size: tuple[int, int], label: str) -> None:
    """Refuse an image without pixels: every later step divides by its width or height."""
    width, height = size
    if width < 1 or height < 1:
        raise EmptyFileError(label, f"the image is {width} x {height} pixels: it has nothing "
                             "to colorize", "pass a photo at least 1 pixel wide and high")


def check_pixel_cap(size: tuple[int, int], label: str, max_pixels: int,
                     file_bytes: int | None = None, page: str | None = None) -> None:
    """Refuse `size` over `max_pixels`, or over what `file_bytes` can hold; `page` names the
    page of a multi-page file that `size` is of, where it is not the first."""
    width, height = size
    if width * height > max_pixels:
        problem = (f"image is {width}x{height} = {width * height:,} pixels"
                   f"{f' ({page})' if page else ''}, above the limit of {max_pixels:,}")
        fix = (f"downscale it first, or raise the limit with --max-pixels {width * height} "
               f"(CLI) or max_pixels={width * height} (Python)")
        if file_bytes is not None and width * height > file_bytes * MOST_PIXELS_A_BYTE:
            problem += (f"; a file of {file_bytes:,} bytes cannot hold that many pixels, so "
                        "its header is most likely damaged")
            fix = REDOWNLOAD_FIX
        raise ImageTooLargeError(label, problem, fix)


def use_frame(image: Image.Image, label: str, from_file: bool, max_pixels: int,
               file_bytes: int | None) -> tuple[int, str | None]:
    """Count frames and choose one (tiff_pages.py); return the frame count and the note on
    the frame used. A TIFF's full-size page after a small preview (as scanners write it) is
    checked against the cap here: the header's check was page 1's; this page is decoded."""
    try:
        frames = getattr(image, "n_frames", 1)  # walks GIF/TIFF frame headers, decodes nothing
        frame_note = use_main_frame(image, frames, from_file)  # seeks to a TIFF's full page
    except DECODE_ERRORS as exc:
        raise corrupt(exc, label) from exc
    if image.tell() != 0:
        check_not_empty(image.size, label)
        check_pixel_cap(image.size, label, max_pixels, file_bytes,
                         page=f"page {image.tell() + 1} of {frames}, the full-size one")
    return frames, frame_note



def corrupt(exc: Exception, label: str) -> ImageLoadError:
    return metadata_too_large(exc, label) or TruncatedImageError(
        label, f"the image data ends early or is corrupt ({exc})", REDOWNLOAD_FIX)
