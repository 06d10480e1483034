"""An upload to POST /v1/jobs checked as the loader checks it, without decoding it there.

The job's worker decodes the photo (`imageio.load_image`); intake decoding it too, only to
refuse a bad file, cost a 108 MP 16-bit PNG about 1.2 GB in the serving process (its float
pixels, thrown away; measured 2026-12-07). Intake now runs the loader's own first
steps on the upload (the format read from its header, a camera raw or damaged PNG chunk
refused, the pixel cap), then makes sure its pixel data is all there at a fraction of the
cost of decoding it:

- a PNG: its rows inflated a piece at a time and thrown away (`png_rows`);
- a JPEG: decoded at an eighth of its size (libjpeg reads every byte of it all the same,
  so a file cut short is refused as at full size);
- a TIFF: the strips (or tiles) of the page the loader colorizes found inside the file, and
  deflate ones inflated a piece at a time (`tiff_strips`): decoding a 108 MP 16-bit one
  took the POST's peak RSS to 874 MB, now 489 (290 before it; measured 2026-12-07);
- a JPEG 2000: its codestream's tile-parts walked to the end marker (`jp2_codestream`), then
  decoded at a reduced resolution (1/16 of a 108 MP scan's side), whose data OpenJPEG reads
  all the same: at full size a 108 MP 16-bit one took the POST to 1335 MB, now 624;
- a BMP, a binary PNM, a WebP or a HEIF: its length against what its header declares
  (`upload_lengths`): uncompressed rows, RIFF chunks, ISO boxes; a GIF, an RLE BMP or a
  plain-text PNM: its coded data walked, not decoded (`coded_data_walks`); where they do not
  fit, or for any other format (PCX, ...), decoded by Pillow, without the loader's
  conversion to float pixels, which held the most.

Where the TIFF or JPEG 2000 check finds something wrong, the file is decoded at full size as
before, so it is refused by the decoder, with its words, and never for a misreading of ours.

So what was refused at intake still is, with the same status and reason (413, 415, 422),
but for damage inside a TIFF's LZW or PackBits strips or a WebP's or HEIF's coded data,
which only a decode finds. That, and
what only the conversion finds (rare: a color profile or a 16-bit re-read that fails), fails
the item in the worker, with its reason, as a URL item's load does. The loading's notes known
here (a TIFF's page used, a damaged JPEG) are the item's while it waits; the worker's
completion records them all (a color input's, 16 bits read at 8).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image

from colorizer.apps.service.jp2_codestream import read_codestream
from colorizer.apps.service.png_rows import Unchecked, png_exif, png_rows_problem
from colorizer.apps.service.tiff_strips import tiff_data_problem
from colorizer.apps.service.upload_lengths import data_is_whole
from colorizer.errors import EmptyFileError, TruncatedImageError
from colorizer.pipeline import heif_opener
from colorizer.pipeline.file_checks import file_notes
from colorizer.pipeline.image_opening import (
    DECODE_ERRORS,
    REDOWNLOAD_FIX,
    check_not_empty,
    check_pixel_cap,
    metadata_too_large,
    open_image,
    use_frame,
)
from colorizer.pipeline.imageio import shown_notes
from colorizer.pipeline.pil_settings import PIL_SETTINGS
from colorizer.pipeline.tiff_xmp import normalize_tiff_xmp
from context.photo_formats.orientation import exif_orientation
from context.photo_formats.pnm_decoder import use_fast_decoder

_TURNED_A_QUARTER = (5, 6, 7, 8)  # EXIF orientations that swap width and height
_REDUCED_SIDE = 1024  # a JPEG 2000 is decoded at intake down to this many pixels a side


@dataclass(frozen=True)
class UploadFacts:
    """What intake knows of an upload: as `load_image` would say it, pixels aside."""

    sha256: str
    size: tuple[int, int]  # (width, height) as loaded: the page used, EXIF orientation applied
    source_format: str
    notes: tuple[str, ...]  # those of the loader's shown notes (`shown_notes`) known here


def inspect_upload(data: bytes, name: str, max_pixels: int) -> UploadFacts:
    """The facts of the image file `data`, refused as `load_image(data, max_pixels=...,
    name=name)` refuses it before converting its pixels.

    Raises:
        ImageLoadError: or a subclass, with the loader's reason and words.
    """
    if not data:
        raise EmptyFileError(name, "the file is empty (0 bytes)", REDOWNLOAD_FIX)
    digest = hashlib.sha256(data).hexdigest()
    with PIL_SETTINGS, open_image(data, name) as image:
        check_not_empty(image.size, name)
        check_pixel_cap(image.size, name, max_pixels, len(data))
        (width, height), notes = _check_pixel_data(image, data, name, max_pixels)
        turned = _orientation(image, data) in _TURNED_A_QUARTER
        source_format = image.format
        notes = [*file_notes(data, name, source_format), *notes]  # PIL's settings: it decodes
    return UploadFacts(digest, (height, width) if turned else (width, height), source_format,
                       tuple(shown_notes(notes)))


def _check_pixel_data(image: Image.Image, data: bytes, name: str, max_pixels: int
                      ) -> tuple[tuple[int, int], list[str]]:
    """`imageio._decode` at a fraction of its cost (the module docstring): refuses pixel data
    that ends early or is corrupt with the loader's error; returns the size of the frame used
    and the notes on it and on the XMP packet."""
    # A TIFF's full page, held to the cap as the loader holds it (page 1 may be a small
    # preview of a page far over it).
    _, frame_note = use_frame(image, name, True, max_pixels, len(data))
    try:
        xmp_note = normalize_tiff_xmp(image)  # after the frame walk re-read the tag
        size = image.size  # before a JPEG's reduced decode makes it smaller
        problem = _pixel_data_problem(image, data)
    except DECODE_ERRORS as exc:
        raise metadata_too_large(exc, name) or _truncated(name, str(exc)) from exc
    if problem is not None:
        raise _truncated(name, problem)
    # The loader says nothing of a HEIF's frames here (heif_opener.heif_notes does).
    heif = image.format == heif_opener.HEIF_FORMAT
    return size, [note for note in (None if heif else frame_note, xmp_note) if note]


def _pixel_data_problem(image: Image.Image, data: bytes) -> str | None:
    """What is wrong with the pixel data of the frame `image` is at, or None; Pillow's errors
    propagate."""
    if image.format == "PNG":
        try:
            return png_rows_problem(data)
        except Unchecked:  # an interlaced PNG: decoded, as any other format
            pass
    if image.format == "JPEG":
        image.draft(None, (1, 1))  # the smallest scale libjpeg decodes at (1/8)
    if image.format == "TIFF" and tiff_data_problem(image, data) is None:
        return None  # else decoded: the decoder's verdict, in its words
    if image.format == "JPEG2000":
        _check_jpeg2000(image, data)
        return None
    if data_is_whole(image, data):  # a BMP, PNM, WebP, HEIF or GIF all there: the
        return None  # worker decodes it (and reports damage inside its coded data)
    use_fast_decoder(image)  # a PNM of maxval 4095 or 65535: not Pillow's Python loop
    image.load()  # where truncated data shows up
    return None


def _check_jpeg2000(image: Image.Image, data: bytes) -> None:
    """Decode the JPEG 2000 `image` at a reduced resolution of at most `_REDUCED_SIDE` pixels
    a side when its codestream's markers are whole (`jp2_codestream`). When they are not, or
    that decode fails, it is opened again from `data` (its decoder is spent) and decoded at
    full size as before, so only the decoder refuses it, in its words."""
    codestream = read_codestream(data)
    if codestream.problem is None and codestream.levels:
        reduce = 0  # halvings, one fewer than the levels: OpenJPEG refused the coarsest
        while max(image.size) >> reduce > _REDUCED_SIDE and reduce < codestream.levels - 1:
            reduce += 1
        image.reduce = reduce
        try:
            image.load()
            return
        except DECODE_ERRORS:
            pass
    with Image.open(io.BytesIO(data), formats=("JPEG2000",)) as whole:
        whole.load()


def _orientation(image: Image.Image, data: bytes) -> int | None:
    """`exif_orientation` of the opened `image`, without the decode with which Pillow looks
    for a PNG's EXIF after its pixel data (14 s for a 108 MP 16-bit PNG)."""
    if image.format == "PNG" and "exif" not in image.info:
        exif = png_exif(data)
        if exif is None and "Raw profile type exif" in image.info:  # Pillow's reading of it
            text = str(image.info["Raw profile type exif"])
            exif = bytes.fromhex("".join(text.split("\n")[3:]))
        image.info["exif"] = exif or b""  # our own opened image: its getexif decodes nothing
    return exif_orientation(image)


def _truncated(name: str, problem: str) -> TruncatedImageError:
    return TruncatedImageError(name, f"the image data ends early or is corrupt ({problem})",
                               REDOWNLOAD_FIX)
