"""The photo's luminance at the sizes the pipeline works at; the one place L* is resized.

Full-size work is done a band of rows at a time (`BAND_PIXELS` pixels): L* of a 49 MP photo
computed at once in float64 peaked at 5.8 GB; in bands the float64 copies stay ~50 MB."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import (
    gray_rgb_from_lightness,
    lightness_of_luminance,
    luminance_of_rgb,
    relative_luminance,
    srgb_to_linear,
)
from colorizer.pipeline.image_pixels import float_rgb
from colorizer.pipeline.imageio import LoadedImage, check_not_empty
from colorizer.pipeline.inverted_levels import InvertedLevels, inverted_unit

BAND_PIXELS = 1 << 20  # pixels per band of full-size work


def row_bands(height: int, width: int) -> list[slice]:
    """Slices of rows of about BAND_PIXELS pixels each, covering 0..height."""
    rows = max(1, BAND_PIXELS // max(1, width))
    return [slice(top, min(height, top + rows)) for top in range(0, height, rows)]


def render_shape(width: int, height: int, long_side: int) -> tuple[int, int]:
    """(w, h) with the given long side, aspect kept (never squashed to a square)."""
    scale = long_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def lightness_at(lightness: torch.Tensor, long_side: int) -> torch.Tensor:
    """(B, 1, H, W) L* resized (antialiased) to the given long side, aspect kept."""
    width, height = render_shape(lightness.shape[-1], lightness.shape[-2], long_side)
    return F.interpolate(lightness, size=(height, width), mode="bilinear", antialias=True,
                         align_corners=False)


def lightness_of(loaded: LoadedImage) -> torch.Tensor:
    """L* (1, 1, H, W) float32 of a loaded image (color input reduced to its luminance)."""
    pixels = loaded.pixels
    height, width = pixels.shape[:2]
    check_not_empty((width, height), loaded.name)  # a LoadedImage built by hand skips the loader
    if pixels.ndim == 2 and pixels.dtype in (np.uint8, np.uint16):  # one gather: no bands
        return lightness_rows(pixels, slice(0, height))
    out = torch.empty((1, 1, height, width), dtype=torch.float32)
    for band in row_bands(height, width):
        out[..., band, :] = lightness_rows(pixels, band)
    return out


def lightness_rows(pixels: np.ndarray, band: slice) -> torch.Tensor:
    """L* (1, 1, rows, W) float32 of rows `band` of compact pixels (image_pixels.py): the
    values `lightness_of` gives for those rows, to the bit, where `band` is one of its
    `row_bands` (the merge reads the photo's L* this way instead of holding all of it)."""
    rows = pixels[band]
    if isinstance(rows, InvertedLevels):  # a 16-bit gray negative: its positive's table
        return torch.from_numpy(inverted_gray_table()[np.asarray(rows)])[None, None]
    if rows.dtype == np.uint16 and rows.ndim == 2:  # 16-bit gray: one table, as 8-bit gray
        return torch.from_numpy(deep_gray_table()[rows])[None, None]
    if rows.dtype != np.uint8:  # other deep pixels (float32): their float RGB's L*
        return float_lightness(rows)
    if rows.ndim == 2:  # gray: one table from level to L*
        return torch.from_numpy(_gray_table()[rows])[None, None]
    lin = torch.from_numpy(_linear_table()[rows]).permute(2, 0, 1)[None]
    return lightness_of_luminance(relative_luminance(lin)).to(torch.float32)


def float_lightness(rows: np.ndarray) -> torch.Tensor:
    """L* (1, 1, rows, W) float32 of compact pixels through their float RGB (`float_rgb`) in
    float64: the path of pixels no table covers, and what the tables hold for their levels."""
    rgb = torch.from_numpy(float_rgb(rows)).permute(2, 0, 1)[None]  # (1, 3, rows, W)
    return luminance_of_rgb(rgb.to(torch.float64)).to(torch.float32)


# 16-bit gray is read by table too: through float RGB and float64 L*, a 108 MP scan's L* cost
# 27-30 s of its merge under cProfile (7.1 s CPU for its 108 bands, one thread); a gather
# costs 0.4 s. The table is that very path run once on all 65536 levels (7 ms, 256 KB), so it
# holds the same bits (tests/test_deep16_lightness.py compares them in bands of many widths).
@lru_cache(maxsize=1)
def deep_gray_table() -> np.ndarray:
    """(65536,) float32: L* of each 16-bit gray level, read-only (shared by every caller)."""
    table = float_lightness(np.arange(65536, dtype=np.uint16)[None])[0, 0, 0].numpy()
    table.flags.writeable = False
    return table


# A 16-bit gray negative likewise (inverted_levels.py): its positive 1 - u / 65535 in float32
# is read by level u from this table, that float path run once on all 65536 levels' positives
# (a 108 MP negative's L* took the float path, 53.9 s user and 2794 MB peak). A table of
# 65535 - u would differ on 24,771 levels by up to 7.6e-6 L*; this one holds the same bits
# (tests/test_negative16_table.py compares them on every level, in bands of many widths).
@lru_cache(maxsize=1)
def inverted_gray_table() -> np.ndarray:
    """(65536,) float32: L* of the positive of each 16-bit gray negative level, read-only."""
    positives = inverted_unit(np.arange(65536, dtype=np.uint16))[None]  # (1, 65536) float32
    table = float_lightness(positives)[0, 0, 0].numpy()
    table.flags.writeable = False
    return table


# 8-bit pixels are read by table: an edit recomputes the photo's L*, and the sRGB decoding (a
# power per channel and pixel) was a tenth of its time. The tables hold what that decoding
# gives for each of the 256 levels, so the L* is the same.
@lru_cache(maxsize=1)
def _gray_levels() -> torch.Tensor:
    levels = torch.from_numpy(float_rgb(np.arange(256, dtype=np.uint8)[None])).permute(2, 0, 1)
    return levels[None].to(torch.float64)  # (1, 3, 1, 256), each level gray


@lru_cache(maxsize=1)
def _gray_table() -> np.ndarray:
    """(256,) float32: L* of each gray level."""
    return luminance_of_rgb(_gray_levels())[0, 0, 0].to(torch.float32).numpy()


@lru_cache(maxsize=1)
def _linear_table() -> np.ndarray:
    """(256,) float64: each level's linear sRGB value."""
    return srgb_to_linear(_gray_levels()[0, 0, 0]).numpy()


def gray_image(lightness: torch.Tensor) -> Image.Image:
    """The luminance as an 8-bit gray sRGB PIL image (what context inference looks at)."""
    height, width = lightness.shape[-2:]
    out = np.empty((height, width), dtype=np.uint8)
    for band in row_bands(height, width):
        g = gray_rgb_from_lightness(lightness[..., band, :])[0, 0].numpy()
        out[band] = (g * 255 + 0.5).astype(np.uint8)
    return Image.fromarray(out, "L")
