"""The one image loader: path, bytes, file object or PIL image -> sRGB pixels + notes.

Every entry point (CLI, Python API, HTTP service, training data) loads through `load_image`, so
every input gets the same treatment:

1. the source bytes are read once (hashed, then decoded from memory);
2. the pixel count is checked from the header, before any pixel is decoded; a camera raw
   file is refused (camera_raw.py);
3. the frame used (the first; a multi-page TIFF's full-size page, `tiff_pages.py`) is fully
   decoded, so truncated files fail here and not in the model, and JPEG data that decodes
   in spite of damage is noted (`file_checks.py`, with a suffix of another format);
4. EXIF orientation is applied;
5. pixels are brought to sRGB: deep grayscale scaled by its range (16-bit by 65535, or
   through its gray ICC profile; 32-bit by the range its values fit), alpha on white, CMYK
   and ICC profiles via littleCMS (a .jp2's from its header:
   context/photo_formats/jp2_header.py); 16-bit color PNG/TIFF/PPM/JPEG 2000 read again at
   their depth (deep_color.py);
6. whether the source had real color is reported (the pipeline keeps luminance only);
7. the captions the file carries (EXIF, IPTC, XMP, PNG text) are kept, each with its field
   (`metadata.py`; colorizer.pipeline.captions adds a sidecar's and the file name's), and the
   metadata the output carries (`carried_metadata.py`).

Failures raise the `ImageLoadError` family from `colorizer.errors`; each step that changed the
pixels adds a human-readable note to `LoadedImage.notes` (`shown_notes`: those the batch CLI
prints). Steps 2-3 are here, their checks on the header in `image_opening.py` (which the
service's intake runs alone), step 1 in `file_bytes.py`, steps 4-6 (the pixels) in
`image_pixels.py`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, TypeAlias

from PIL import Image

from colorizer.errors import EmptyFileError, ImageNotFoundError, InputTypeError
from colorizer.pipeline import deep_color, heif_depth, heif_opener
from colorizer.pipeline.carried_metadata import carried_metadata
from colorizer.pipeline.file_bytes import cwd_fix, read_file_bytes, user_path
from colorizer.pipeline.file_checks import file_notes
from colorizer.pipeline.image_opening import (
    DECODE_ERRORS,
    REDOWNLOAD_FIX,
    SUPPORTED_SUFFIXES,
    check_not_empty,
    check_pixel_cap,
    corrupt,
    open_image,
    use_frame,
)
from colorizer.pipeline.image_pixels import (
    NONFINITE_NOTE,
    apply_orientation,
    has_color,
    is_deep_color,
    pnm_16bit,
    to_srgb,
)
from colorizer.pipeline.loaded_image import LoadedImage
from colorizer.pipeline.metadata import metadata_captions
from colorizer.pipeline.pil_settings import PIL_SETTINGS as _PIL_SETTINGS
from colorizer.pipeline.plain_pnm import use_plain_decoder
from colorizer.pipeline.tiff_xmp import normalize_tiff_xmp
from colorizer.pipeline.tint_note import tint_notes
from context.photo_formats.pnm_decoder import use_fast_decoder

DEFAULT_MAX_PIXELS = 50_000_000
ImageSource: TypeAlias = (
    str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO | Image.Image
)

DEEP_COLOR_NOTE = deep_color.DEEP_COLOR_NOTE  # replaced where the file is read at 16 bits
# A color input (a sepia or hand-tinted print, a color photo) is colorized from its luminance
# (L* as a viewer shows it): its own colors are not in the output.
COLOR_INPUT_NOTE = "color input reduced to luminance"
# Loader notes on what the output lacks or was not made from: the batch CLI prints them, not
# only the report (a multi-page TIFF colorized from its first page alone must not pass unsaid;
# nor a hand-tinted print whose own colors the output replaces).
_SHOWN_NOTE_PARTS = (NONFINITE_NOTE, " color read at 8 bits a channel", " frames used",
                     "frame ", "alpha ", " used, the full-size one", "JPEG data damaged",
                     "ICC profile unreadable", "does not fit", "profile ignored", "not copied",
                     "not carried", COLOR_INPUT_NOTE, "color negative", "own exemplar")

def load_image(
    source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS, name: str | None = None
) -> LoadedImage:
    """Load one image as float sRGB with orientation, bit depth, alpha and color profile handled.

    Args:
        source: a path (str or Path), raw bytes, a binary file object, or an open PIL image.
            A PIL image skips the file-level steps (reading, hashing, format detection) and
            uses its current frame; the caller's image is not modified.
        max_pixels: refuse images with more than this many pixels (width * height of the
            frame used), checked from the header before anything is decoded.
        name: the name used in notes and errors; defaults to the path, "<bytes>" for bytes and
            file objects, "<image>" for a PIL image.

    Raises:
        ImageLoadError: or one of its subclasses, whose `reason` says what went wrong.
        InputTypeError: `source` is none of the accepted types, or a file in text mode
            (a TypeError and a ChronochromeError).
    """
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive pixel count, got {max_pixels}")
    if isinstance(source, Image.Image):
        with _PIL_SETTINGS:
            return _load_pil(source, name or "<image>", max_pixels, sha256=None)
    data, label = _read_source(source, name)
    if not data:
        raise EmptyFileError(label, "the file is empty (0 bytes)", REDOWNLOAD_FIX)
    digest = hashlib.sha256(data).hexdigest()
    path = os.fspath(user_path(source)) if isinstance(source, (str, os.PathLike)) else None
    with _PIL_SETTINGS, open_image(data, label) as image:
        loaded = _load_pil(image, label, max_pixels, sha256=digest, path=path,
                           file_bytes=len(data))
        notes = file_notes(data, label, loaded.source_format)  # damaged JPEG data, suffix
        deep = heif_depth.at_full_depth(loaded.source_format, loaded.pixels, loaded.notes,
                                        data, image)  # a 10/12-bit HEIC at its depth
        if deep is not None:
            loaded = dataclasses.replace(loaded, pixels=deep.pixels, notes=deep.notes)
        plan, loaded = deep_color.plan_for(image, loaded)  # a 48-bit PNG/TIFF: read again at
    if plan is not None:  # 16 bits, once Pillow's 8-bit decode is released (closing the image)
        loaded = deep_color.read_deep(plan, data, loaded)
    return dataclasses.replace(loaded, notes=(*notes, *loaded.notes)) if notes else loaded


def shown_notes(notes: Iterable[str]) -> list[str]:
    """The loader notes a person must see without --report (see `_SHOWN_NOTE_PARTS`)."""
    return [note for note in notes if any(part in note for part in _SHOWN_NOTE_PARTS)]


def iter_image_files(inputs: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the image files directly inside them; keep files as given.

    Folder contents are filtered by `SUPPORTED_SUFFIXES` (case-insensitive), skip hidden files
    (macOS "._x.jpg" resource forks carry image suffixes but no image) and come back sorted.
    Files named explicitly are kept whatever their suffix, so that a wrong one fails loudly in
    `load_image` instead of being skipped in silence.

    Raises:
        ImageNotFoundError: an input does not exist, or a folder holds no image files.
        TypeError: `inputs` is a single path rather than a collection of paths.
    """
    if isinstance(inputs, (str, Path)):
        raise TypeError(f"pass a list of paths, e.g. iter_image_files([{str(inputs)!r}])")
    files: list[Path] = []
    for entry in inputs:
        path = user_path(entry)
        if path.is_dir():
            files.extend(_images_in_folder(path))
        elif path.exists():
            files.append(path)
        else:
            raise ImageNotFoundError(str(path), "no such file or folder", cwd_fix())
    return files


def _images_in_folder(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() in SUPPORTED_SUFFIXES)
    if not found:
        suffixes = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise ImageNotFoundError(
            str(folder), "folder holds no image files", f"images need one of: {suffixes}"
        )
    return found


def _read_source(source: object, name: str | None) -> tuple[bytes, str]:
    """Read every byte of a path, bytes or file object once; return them with a display name."""
    if isinstance(source, (str, os.PathLike)):
        label = name or os.fspath(source)
        return read_file_bytes(user_path(source), label), label
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "<bytes>"
    if hasattr(source, "read"):
        try:
            data = source.read()
        except UnicodeDecodeError:  # open(path) of a JPEG: the codec's error named no fix
            data = ""
        if not isinstance(data, bytes):
            raise InputTypeError("the file object reads text (it was opened in text mode); "
                                 "open the file in binary mode ('rb')")
        return data, name or "<bytes>"
    raise InputTypeError(
        f"cannot load an image from {type(source).__name__}; pass a path, bytes, "
        "a binary file object or a PIL.Image.Image"
    )


def _load_pil(image: Image.Image, label: str, max_pixels: int, sha256: str | None,
              path: str | None = None, file_bytes: int | None = None) -> LoadedImage:
    """Steps 2-7 of the module docstring, on an opened (possibly not yet decoded) image."""
    check_not_empty(image.size, label)
    check_pixel_cap(image.size, label, max_pixels, file_bytes)  # before walking the frames
    frames, frame_note = use_frame(image, label, sha256 is not None, max_pixels, file_bytes)
    deep_color = is_deep_color(image)  # the used page's tiles, which decoding empties
    xmp_note = _decode(image, label, from_file=sha256 is not None)
    source_mode, source_format = image.mode, image.format  # before conversions drop them
    icc_profile = image.info.get("icc_profile")
    captions, caption_notes = metadata_captions(image)
    heif = source_format == heif_opener.HEIF_FORMAT  # its frames and maps: heif_opener.py
    notes = [frame_note] if frame_note and not heif else []
    notes += heif_opener.heif_notes(image, frames) if heif else []
    notes += [xmp_note] if xmp_note else []
    notes += [DEEP_COLOR_NOTE] if deep_color else []
    notes.extend(caption_notes)
    carried, carried_notes = carried_metadata(image)  # before turning: Orientation is reset
    notes.extend(carried_notes)
    image, orientation = apply_orientation(image)
    if orientation is not None:
        notes.append(f"EXIF orientation {orientation} applied")
    pixels, conversion_notes = to_srgb(image, icc_profile, label,
                                       sixteen_bits=pnm_16bit(image, source_format))
    notes.extend(conversion_notes)
    is_color = has_color(pixels)
    notes += [COLOR_INPUT_NOTE, *tint_notes(pixels)] if is_color else []  # (tint_note)
    return LoadedImage(
        pixels=pixels,
        is_color=is_color,
        source_mode=source_mode,
        source_format=source_format,
        size=(pixels.shape[1], pixels.shape[0]),
        frames=frames,
        notes=tuple(notes),
        sha256=sha256,
        name=label,
        captions=captions,
        path=path,
        carried=carried,
    )


def _decode(image: Image.Image, label: str, from_file: bool) -> str | None:
    """Fully decode the frame `image` is at; return the note on the XMP packet."""
    try:
        xmp_note = normalize_tiff_xmp(image)  # after the frame walk re-read the tag; before load
        if from_file:
            use_fast_decoder(image)  # a PNM of maxval 4095 or 65535: not Pillow's Python loop
            use_plain_decoder(image)  # a plain-text PNM (P1-P3): not Pillow's loop either
        image.load()  # the full decode: where truncated JPEG/PNG data shows up
    except DECODE_ERRORS as exc:
        raise corrupt(exc, label) from exc
    return xmp_note


