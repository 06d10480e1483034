"""A 16-bit RGB/RGBA PNG or TIFF (a scanner's 48-bit file), PPM or JPEG 2000 read at its depth.

Flatbed software scans black-and-white prints in color mode by default, so an archive's
16-bit masters are often 48-bit RGB whose channels are equal. Pillow decodes them to 8 bits a
channel (it has no 16-bit RGB mode): the kept L* fell to 256 levels (0.52 L* off the file's
own, against 0.0009 for the same scan saved as 16-bit gray) and the output was 8-bit. The
loader (`imageio.load_image`) reads such a file through Pillow as any other; then:

1. `plan_for` notes, from the opened frame, how the 8-bit read treated it (EXIF orientation,
   an ICC profile converted or not, alpha) and whether a 16-bit read can do the same (the
   file's first frame, no transparent color key, a matrix/TRC profile); where it can, it
   keeps every 8th row of the 8-bit pixels and lets the pixels go;
2. after Pillow's 8-bit decode is released, `read_deep` decodes the bytes again with OpenCV
   (a declared dependency; libpng and libtiff keep 16 bits), turns them as the 8-bit read
   turned its pixels, composites alpha on white and applies the profile in float
   (icc_matrix.py), a band of rows at a time. OpenCV's decode holds 12 bytes a pixel at
   once (its 16-bit RGB, twice); with the 8-bit pixels kept as well, `chronochrome colorize`
   of a 108 MP gray print scanned at 48 bits peaked at 2787 MB RSS, letting them go 2606 MB,
   against 2589 MB for the same scan saved as 16-bit gray;
3. a photo without color (`LoadedImage.is_color` false: equal channels, the common case)
   becomes (H, W) gray, its values those of the same scan saved as 16-bit gray (and, where
   an alpha or a profile left the channels a little apart, the gray of their luminance, so
   L* is the same); a color one (a sepia print, a 16-bit colorization the check reads)
   (H, W, 3), as a deep HEIC's are (heif_depth.py). Both stay uint16, the file's levels,
   where those are the values (16 bits, no profile, opaque: `_keeps_levels`), read as
   [0, 1] by `image_pixels.unit_pixels` a band at a time; else float32 in [0, 1]. The
   pipeline keeps their L* and writes 16 bits where the output format holds them
   (deep_pixels.py).

Where that cannot be done as the 8-bit read did it (a later TIFF page, a profile of lookup
tables, a decoder that fails, pixels that do not match the 8-bit ones: then decoded again by
Pillow), the 8-bit pixels stand, and the shown note says why.

A PPM of more than 8 bits (scanimage's 48-bit color, a 12-bit scanner's maxval 4095) and a
color JPEG 2000 of more than 8-bit precision (archives' and IIIF servers' masters) take the
same path: Pillow decodes them to 8 bits a channel as well (the JPEG 2000 without a note),
OpenCV at their depth, their values divided by the header's white level (source_depth.py).
"""

from __future__ import annotations

import io
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from colorizer.pipeline.icc_matrix import SrgbConverter, srgb_converter
from colorizer.pipeline.image_pixels import (
    apply_orientation,
    exif_orientation,
    scaled_gray,
    to_srgb,
    unit_pixels,
)
from colorizer.pipeline.loaded_image import LoadedImage
from colorizer.pipeline.pil_settings import PIL_SETTINGS
from colorizer.pipeline.source_depth import white_level
from context.photo_formats.icc import ICC_CONVERTED_NOTE_END

# The loader's note on a 16-bit color frame read at 8 bits ("... a channel" is shown by the
# CLI); `read_deep` replaces its reason, or the note, once it has read the file.
DEEP_COLOR_NOTE = "16-bit color read at 8 bits a channel (Pillow decodes color to 8 bits)"
_EIGHT_BIT_NOTE = "16-bit color read at 8 bits a channel ({reason})"
DEEP_GRAY_NOTE = "16-bit RGB of a gray photo read at 16 bits, as grayscale"
DEEP_RGB_NOTE = "16-bit color read at 16 bits a channel"
_DEEP_FORMATS = ("PNG", "TIFF", "PPM", "JPEG2000")
_NO_PIXELS = np.zeros((0, 0), np.uint8)  # a plan's loaded image while the 16-bit read runs
_BAND_PIXELS = 1 << 20  # pixels converted at a time: bounds the float copies (~12 MB each)
# The most the 16-bit pixels may differ from the 8-bit ones, on average, and still be the same
# image read the same way: Pillow keeps a 16-bit value's high byte (up to 1 level below), and
# littleCMS's 8-bit transform rounds (about 1 level); another frame or turn is far more.
_SAME_IMAGE_LEVELS = 2.0 / 255.0
# sRGB's luminance weights, as colorizer.model.colorspace.relative_luminance applies them.
_LUMINANCE = np.array([0.2126729, 0.7151522, 0.0721750], dtype=np.float64)

# 16-bit white (deep_pixels.LEVELS_16, not imported from there: deep_pixels imports the
# loader, which imports this module)
_WHITE_16 = 65535


@dataclass(frozen=True)
class DeepColorPlan:
    """How the 8-bit read treated a 16-bit color frame, to do the same at 16 bits."""

    source_format: str  # one of _DEEP_FORMATS
    orientation: int | None  # the EXIF Orientation applied (2-8), None when none was
    icc_profile: bytes | None  # the profile the 8-bit read converted from; None: taken as sRGB
    alpha: bool  # an RGBA frame: alpha composited on white
    problem: str | None = None  # why it cannot be read at 16 bits as the 8-bit read was
    # Every 8th row of the 8-bit pixels, to compare the 16-bit read with; the pixels
    # themselves are let go (3 bytes a pixel: 324 MB of a 108 MP scan) while it decodes.
    eight_bit_rows: np.ndarray | None = None
    embedded_profile: bytes | None = None  # the file's own, for `to_srgb` if it reads again


def plan_for(image: Image.Image, loaded: LoadedImage) -> tuple[DeepColorPlan | None,
                                                              LoadedImage]:
    """The plan for a loaded deep color PNG, TIFF, PPM or JPEG 2000 (`image`: its opened,
    decoded frame),
    and `loaded` without its 8-bit pixels where the plan can be followed; (None, `loaded`)
    for any other file (nothing to do)."""
    if DEEP_COLOR_NOTE not in loaded.notes or loaded.source_format not in _DEEP_FORMATS:
        return None, loaded
    converted = any(note.startswith("embedded ICC profile") and
                    note.endswith(ICC_CONVERTED_NOTE_END) for note in loaded.notes)
    embedded = image.info.get("icc_profile")
    problem = None
    if image.tell() != 0:
        problem = "its full-size page is not its first, which the 16-bit reader reads"
    elif "transparency" in image.info:
        problem = "it marks a transparent color, which the 16-bit reader does not"
    elif converted and srgb_converter(embedded) is None:
        problem = "its ICC profile is not a matrix/TRC one, which the 16-bit reader applies"
    plan = DeepColorPlan(source_format=loaded.source_format,
                         orientation=exif_orientation(image),
                         icc_profile=embedded if converted else None,
                         alpha=loaded.source_mode == "RGBA", problem=problem,
                         eight_bit_rows=None if problem else loaded.pixels[::8].copy(),
                         embedded_profile=embedded)
    return plan, loaded if problem else replace(loaded, pixels=_NO_PIXELS)


def read_deep(plan: DeepColorPlan, data: bytes, loaded: LoadedImage) -> LoadedImage:
    """`loaded` (as `plan_for` left it) with its pixels read at 16 bits a channel (module
    docstring); where they cannot be, with its 8-bit pixels, its note saying why."""
    problem = plan.problem
    values = None if problem else _decode_16bit(data, 4 if plan.alpha else 3)
    white = white_level(data, plan.source_format)  # 65535; a PPM's maxval, a JPEG 2000's
    if problem is None and values is None:
        problem = "the 16-bit decoder (OpenCV) could not read it"
    if values is not None:
        values = turned(values, plan.orientation)
        if values.shape[1::-1] != loaded.size:
            problem, values = "the 16-bit decoder read another image size", None
    converter = srgb_converter(plan.icc_profile) if plan.icc_profile else None
    pixels = (None if values is None else
              _to_srgb(values, converter, gray=not loaded.is_color, white=white))
    del values  # the (H, W, C) uint16 decode: 6 bytes a pixel
    if pixels is not None and not _same_image(pixels, plan.eight_bit_rows):
        problem, pixels = "the 16-bit decoder read other pixels than Pillow", None
    if pixels is None:
        note = _at_depth(_EIGHT_BIT_NOTE, white).format(reason=problem)
        eight_bit = loaded.pixels if plan.problem else _eight_bit_again(plan, data, loaded.name)
        return replace(loaded, pixels=eight_bit, notes=tuple(
            note if kept == DEEP_COLOR_NOTE else kept for kept in loaded.notes))
    read = _at_depth(DEEP_GRAY_NOTE if pixels.ndim == 2 else DEEP_RGB_NOTE, white)
    return replace(loaded, pixels=pixels, notes=tuple(read if note == DEEP_COLOR_NOTE else note
                                                      for note in loaded.notes))


def _at_depth(note: str, white: int) -> str:
    """`note` naming the file's own depth: a 12-bit scanner's PPM (maxval 4095) or JPEG 2000
    (precision 12) was "16-bit color read at 16 bits a channel"."""
    bits = white.bit_length()  # 65535 -> 16, 4095 -> 12
    return note.replace("16-bit", f"{bits}-bit").replace("16 bits", f"{bits} bits")


def _eight_bit_again(plan: DeepColorPlan, data: bytes, label: str) -> np.ndarray:
    """The loader's 8-bit pixels of the file's first frame, decoded again by Pillow as the
    loader decoded them (orientation, then `to_srgb`): they were let go for the 16-bit read,
    which failed after all (rare: the decoders disagree)."""
    with PIL_SETTINGS, Image.open(io.BytesIO(data), formats=(plan.source_format,)) as image:
        image.load()
        turned_image, _ = apply_orientation(image)
        pixels, _ = to_srgb(turned_image, plan.embedded_profile, label)
    return pixels


_QUIET_LOCK = threading.Lock()
_quiet_depth = 0  # decodes running inside `_cv2_quiet`
_saved_level = 0


@contextmanager
def _cv2_quiet(cv2):
    """OpenCV's own log silenced for the decode: libtiff's warnings on a scanner's private
    tags ("Unknown field with tag 65000") went to stderr, into the CLI's output. The level
    is process-wide; the first decode in saves it, the last one out restores it."""
    global _quiet_depth, _saved_level
    with _QUIET_LOCK:
        if _quiet_depth == 0:
            _saved_level = cv2.utils.logging.getLogLevel()
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                cv2.utils.logging.setLogLevel(_saved_level)


def _decode_16bit(data: bytes, channels: int) -> np.ndarray | None:
    """The file's first frame as (H, W, `channels`) uint16 RGB(A), a view of OpenCV's BGR(A)
    decode (as stored: OpenCV applies no EXIF orientation with IMREAD_UNCHANGED); None when
    OpenCV fails or gives anything else."""
    import cv2  # here, not at import: the loader is imported by light paths (the service)

    with _cv2_quiet(cv2):
        try:
            decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        except cv2.error:
            return None
    if decoded is None or decoded.dtype != np.uint16 or decoded.ndim != 3:
        return None
    if decoded.shape[2] != channels:
        return None
    order = [2, 1, 0, 3][:channels]  # BGR(A) -> RGB(A), a view for 3 channels
    return decoded[..., 2::-1] if channels == 3 else decoded[..., order]


def turned(values: np.ndarray, orientation: int | None) -> np.ndarray:
    """(H, W, ...) `values` turned for EXIF `orientation` as orientation.turned turns a PIL
    image (2-8; None: as stored), as a view: nothing is copied."""
    flips = {None: lambda a: a, 1: lambda a: a, 2: lambda a: a[:, ::-1],
             3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
             5: lambda a: a.swapaxes(0, 1), 6: lambda a: a.swapaxes(0, 1)[:, ::-1],
             7: lambda a: a[::-1, ::-1].swapaxes(0, 1), 8: lambda a: a.swapaxes(0, 1)[::-1]}
    return flips.get(orientation, flips[None])(values)


def _to_srgb(values: np.ndarray, converter: SrgbConverter | None, gray: bool,
             white: int) -> np.ndarray:
    """(H, W, 3 or 4) uint16, `white` its white level -> sRGB: (H, W) gray when `gray`, else
    (H, W, 3); uint16 levels where those are the values (`_keeps_levels`), else float32 in
    [0, 1]; a band of rows at a time."""
    if _keeps_levels(values, converter, gray, white):
        return _levels(values, gray)
    height, width = values.shape[:2]
    out = np.empty((height, width) if gray else (height, width, 3), np.float32)
    rows = max(1, _BAND_PIXELS // max(1, width))
    for top in range(0, height, rows):
        band = values[top:top + rows]
        if gray and _equal_channels(band, white):  # a gray scan: as its 16-bit gray twin
            out[top:top + rows] = scaled_gray(band[..., 0], white)
            continue
        if converter is not None and band.shape[-1] == 3:  # the curves by table, 65536 levels
            rgb = converter.from_levels(band, white)
        else:
            rgb = band.astype(np.float32) / np.float32(white)
            if band.shape[-1] == 4:  # alpha on white, as image_pixels composites 8-bit alpha
                alpha = rgb[..., 3:]
                rgb = rgb[..., :3] * alpha + (np.float32(1.0) - alpha)
            rgb = converter.from_float(rgb) if converter is not None else rgb
        out[top:top + rows] = _luminance_gray(rgb) if gray else np.clip(rgb, 0.0, 1.0)
    return out


def _keeps_levels(values: np.ndarray, converter: SrgbConverter | None, gray: bool,
                  white: int) -> bool:
    """Whether the float32 sRGB `_to_srgb` would make is `unit_pixels` of the file's own
    16-bit levels, so that those (2 bytes a channel) can stand for it: 16-bit values (white
    65535, not a 12-bit PPM's 4095), no profile to apply, every pixel opaque (alpha on white
    changes nothing), and for gray, equal channels. A 108 MP 16-bit RGB colorization is
    then 648 MB where its float32 was 1.3 GB, held through the whole check."""
    if white != _WHITE_16 or converter is not None:
        return False
    rows = max(1, _BAND_PIXELS // max(1, values.shape[1]))
    for top in range(0, values.shape[0], rows):  # stops at the first band that is not
        band = values[top:top + rows]
        if gray and not _equal_channels(band, white):
            return False
        if not gray and band.shape[-1] == 4 and not bool((band[..., 3] >= white).all()):
            return False
    return True


def _levels(values: np.ndarray, gray: bool) -> np.ndarray:
    """(H, W) uint16 gray (the first channel) when `gray`, else (H, W, 3) uint16 RGB: the
    levels of `values` (a view of OpenCV's BGR(A) decode, turned), copied into one
    contiguous array a band of rows at a time. The copy (6 bytes a pixel) stays within the
    decode's own peak (OpenCV holds 12 a pixel while it decodes)."""
    height, width = values.shape[:2]
    out = np.empty((height, width) if gray else (height, width, 3), np.uint16)
    rows = max(1, _BAND_PIXELS // max(1, width))
    for top in range(0, height, rows):
        band = values[top:top + rows]
        out[top:top + rows] = band[..., 0] if gray else band[..., :3]
    return out


def _equal_channels(band: np.ndarray, white: int) -> bool:
    """R = G = B and, with alpha, every pixel opaque: the 8-bit read changed nothing."""
    opaque = band.shape[-1] == 3 or bool((band[..., 3] >= white).all())
    return opaque and bool((band[..., 0] == band[..., 1]).all()
                           and (band[..., 1] == band[..., 2]).all())


def _luminance_gray(rgb: np.ndarray) -> np.ndarray:
    """(h, W, 3) sRGB -> (h, W) sRGB-encoded gray of the same relative luminance, so that its
    L* is the one the pipeline takes from the three channels."""
    rgb = np.clip(rgb.astype(np.float64), 0.0, 1.0)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    y = np.clip(linear @ _LUMINANCE, 0.0, 1.0)
    return np.where(y <= 0.0031308, 12.92 * y, 1.055 * y ** (1 / 2.4) - 0.055).astype(np.float32)


def _same_image(deep: np.ndarray, eight_bit_rows: np.ndarray | None) -> bool:
    """Whether the deep pixels are the 8-bit ones at more bits (same size, turn, frame and
    color handling), compared on every 8th row (`eight_bit_rows`), a band at a time."""
    if eight_bit_rows is None or deep[::8].shape[:2] != eight_bit_rows.shape[:2]:
        return False
    if deep.ndim > eight_bit_rows.ndim:
        return False
    scale = np.float32(255.0 if eight_bit_rows.dtype == np.uint8 else 1.0)
    height, width = eight_bit_rows.shape[:2]
    rows = max(1, _BAND_PIXELS // max(1, width))
    total, count = 0.0, 0
    for top in range(0, height, rows):
        eight = eight_bit_rows[top:top + rows].astype(np.float32) / scale
        if deep.ndim == 2 and eight.ndim == 3:  # gray against near-gray: the channels' mean
            eight = eight.mean(axis=-1)
        difference = np.abs(unit_pixels(deep[8 * top:8 * (top + rows):8]) - eight)
        total, count = total + float(difference.sum(dtype=np.float64)), count + difference.size
    return total / max(1, count) <= _SAME_IMAGE_LEVELS
