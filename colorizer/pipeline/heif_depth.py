"""A 10- or 12-bit HEIC/HEIF read at its depth, as a 16-bit PNG or TIFF master is.

pillow-heif's Pillow plugin decodes color to 8 bits a channel (Pillow has no 16-bit RGB
mode), and its 16-bit gray (`I;16`) holds a 10-bit value shifted left by 6 bits, so its white
is 65472, not 65535. The loader (`imageio.load_image`) reads the file through the plugin as
any other; for a file of more than 8 bits, this module then takes the primary image's 16-bit
values (decoded once by the plugin as heif_deep_plugin.py registers it; decoded here where
another plugin read the file), scales them by their own white, composites alpha on white, and
brings them to sRGB in float through its matrix/TRC profile (icc_matrix.py). The photo's
pixels are then float32 in [0, 1], whose luminance the pipeline keeps to the input's depth,
and the output is written at 16 bits where its format holds them (deep_pixels.py).

Where that cannot be done as the 8-bit path does it (a profile of lookup tables, a decoder
that fails, a decode that does not match the 8-bit one: another frame, another turn), the
8-bit pixels and their note stand.
"""

from __future__ import annotations

import importlib
import io
from dataclasses import dataclass

import numpy as np

from colorizer.pipeline.heif_opener import HEIF_FORMAT, eight_bit_note
from colorizer.pipeline.icc_matrix import srgb_converter
from colorizer.pipeline.image_pixels import unit_pixels

# The most the deep pixels may differ from the plugin's 8-bit ones, on average, and still be
# the same image read the same way (8-bit rounding and littleCMS's 8-bit transform: < 1 level).
_SAME_IMAGE_LEVELS = 2.0 / 255.0
_BAND_PIXELS = 1 << 18  # pixels converted at a time: bounds the float copies
# The loader's note on the plugin's gray, taken as 16 bits (image_pixels._high_depth_gray).
_PLUGIN_GRAY_NOTE = "16-bit grayscale scaled to [0,1]"


@dataclass(frozen=True)
class DeepRead:
    """A HEIF's pixels at its own depth (float32 in [0, 1]) and the loader's notes for them."""

    pixels: np.ndarray
    notes: tuple[str, ...]


def at_full_depth(source_format: str, pixels: np.ndarray, notes: tuple[str, ...],
                  data: bytes, opened: object = None) -> DeepRead | None:
    """The loaded file's pixels read at the HEIF file's own depth (module docstring); None
    for any other file, an 8-bit HEIF, or one that cannot be read so (the loaded pixels
    stand). `opened`: the Pillow image the pixels were loaded from, whose 16-bit decode
    (heif_deep_plugin.DeepHeifImageFile.deep_decode) saves decoding `data` again."""
    if source_format != HEIF_FORMAT:
        return None
    decoded = getattr(opened, "deep_decode", None) or _decode_deep(data)
    if decoded is None:
        return None
    values, depth, icc_profile = decoded
    deep = _to_srgb(values, depth, icc_profile)
    if deep is None or not _same_image(deep, pixels):
        return None
    stale = (eight_bit_note(depth), _PLUGIN_GRAY_NOTE)  # the plugin's 8 bits, its 16-bit gray
    kept = tuple(note for note in notes if note not in stale)
    kind = "gray" if deep.ndim == 2 else "color"
    return DeepRead(deep, (
        *kept, f"{depth}-bit {kind} read at its depth (scaled by its white, {depth} bits)"))


def _decode_deep(data: bytes) -> tuple[np.ndarray, int, bytes | None] | None:
    """The primary image's values as pillow-heif decodes them at 16 bits: (H, W) for gray,
    (H, W, 3 or 4) uint16; its bit depth and ICC profile. None for an 8-bit file, or where
    pillow-heif fails (the loader's 8-bit read stands)."""
    try:
        pillow_heif = importlib.import_module("pillow_heif")
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=False)
        image = heif[heif.primary_index]
        depth = int(image.info.get("bit_depth") or 8)
        gray, icc_profile = image.mode == "I;16", image.info.get("icc_profile")
        if depth <= 8 or depth > 16 or not reads_at_depth(gray, icc_profile):
            return None  # not decoded for nothing
        values = np.asarray(image)  # the decode: (H, W[, C]) uint16
    except (ImportError, OSError, ValueError, RuntimeError, EOFError, SyntaxError,
            IndexError, KeyError, TypeError):
        return None
    if values.dtype != np.uint16 or values.ndim not in (2, 3):
        return None
    return values, depth, image.info.get("icc_profile")


def reads_at_depth(gray: bool, icc_profile: bytes | None) -> bool:
    """Whether `_to_srgb` reads a gray or color image with this profile (or none): known
    before the image is decoded, so that none is decoded for nothing."""
    if gray:  # with a profile, the loader's gray path reads it
        return not icc_profile
    return not icc_profile or srgb_converter(icc_profile) is not None


def _to_srgb(values: np.ndarray, depth: int, icc_profile: bytes | None) -> np.ndarray | None:
    """16-bit-shifted values -> float32 sRGB in [0, 1]: (H, W) gray, or (H, W, 3) color,
    made a band of rows at a time. None for a gray image with a profile (the loader's gray
    path reads it) and for a profile that is no matrix/TRC one."""
    white = np.float32(((1 << depth) - 1) << (16 - depth))  # 10 bits: 1023 << 6 = 65472
    if values.ndim == 2:
        return None if icc_profile else np.minimum(values / white, 1.0).astype(np.float32)
    convert = srgb_converter(icc_profile) if icc_profile else None
    if icc_profile and convert is None:
        return None
    # Every 16-bit value's float, looked up: what `min(value / white, 1)` gives, computed
    # once for each of the 65536 values instead of for every pixel (no float copy).
    scaled = np.minimum(np.arange(1 << 16, dtype=np.float32) / white, 1.0)
    out = np.empty((*values.shape[:2], 3), np.float32)
    rows = max(1, _BAND_PIXELS // max(1, values.shape[1]))
    for top in range(0, values.shape[0], rows):
        band = values[top:top + rows]
        if convert and band.shape[-1] == 3:  # levels: the profile's curves by table
            convert.from_uint16(band, depth, out=out[top:top + rows])
            continue
        if band.shape[-1] == 3:
            np.take(scaled, band, out=out[top:top + rows])
            continue
        band = scaled[band]
        rgb = band[..., :3] * band[..., 3:] + (np.float32(1.0) - band[..., 3:])  # alpha on
        out[top:top + rows] = convert.from_float(rgb) if convert else rgb  # white (8-bit's)
    return out


def _same_image(deep: np.ndarray, eight_bit: np.ndarray) -> bool:
    """Whether the deep pixels are the 8-bit ones at more bits (same size, turn, frame and
    color handling), compared on every 8th row."""
    if deep.shape != eight_bit.shape:
        return False
    # uint8, the plugin's 16-bit gray as uint16, or float: each read in [0, 1].
    difference = np.abs(deep[::8] - unit_pixels(eight_bit[::8]))
    return float(difference.mean()) <= _SAME_IMAGE_LEVELS
