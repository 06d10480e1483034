"""The 8-bit gray photo that context inference reads (OCR, scene cues), made without a copy
where one is not needed.

Context inference reads the photo's luminance as 8-bit gray sRGB (`luminance.gray_image`).
For an 8-bit gray photo that is the photo's own pixels: L* of each level and back gives the
same level for all 256 (tests/context/test_context_memory.py), so the pixels are handed over
as they are, shared, not copied (108 MB of a 12000 x 9000 scan). Any other photo's gray is
made from its L*: from the whole L* when the caller holds it, else a band of rows at a time
from the compact pixels (the same bytes: `luminance.lightness_rows` gives each band's L* to
the bit), so the whole float L* (432 MB at 108 MP) need not exist for it. A 16-bit gray
photo's gray is one gather from a table of the 65536 levels' grays, made by that same code on
the levels' L* (`luminance.deep_gray_table`): the same bytes without the float work; a 16-bit
gray negative's (inverted_levels.py) from the table of its positive's L*.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from PIL import Image

from colorizer.model.colorspace import gray_rgb_from_lightness
from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.inverted_levels import InvertedLevels
from colorizer.pipeline.luminance import (
    deep_gray_table,
    gray_image,
    inverted_gray_table,
    lightness_rows,
    row_bands,
)


def context_gray(loaded: LoadedImage, lightness: torch.Tensor | None = None) -> Image.Image:
    """The photo as context inference reads it: 8-bit gray ("L"), `gray_image` of its L*.
    `lightness` is its L* (1, 1, H, W) when the caller has it; it is then read, not made."""
    pixels = loaded.pixels
    if pixels.dtype == np.uint8 and pixels.ndim == 2:
        # Read-only to PIL (shared memory): a step that drew on it would copy it first.
        return Image.fromarray(np.ascontiguousarray(pixels), "L")
    if isinstance(pixels, InvertedLevels):  # a 16-bit gray negative: its positive's grays
        return Image.fromarray(_inverted_gray_levels()[np.asarray(pixels)], "L")
    if pixels.dtype == np.uint16 and pixels.ndim == 2:  # 16-bit gray: L* is not needed
        return Image.fromarray(_deep_gray_levels()[pixels], "L")
    if lightness is not None:
        return gray_image(lightness)
    height, width = pixels.shape[:2]
    out = np.empty((height, width), dtype=np.uint8)
    for band in row_bands(height, width):  # as gray_image does, band by band
        g = gray_rgb_from_lightness(lightness_rows(pixels, band))[0, 0].numpy()
        out[band] = (g * 255 + 0.5).astype(np.uint8)
    return Image.fromarray(out, "L")


@lru_cache(maxsize=1)
def _deep_gray_levels() -> np.ndarray:
    """(65536,) uint8: `gray_image`'s level of each 16-bit gray level's L*, read-only."""
    return _gray_levels_of(deep_gray_table())


@lru_cache(maxsize=1)
def _inverted_gray_levels() -> np.ndarray:
    """(65536,) uint8: `gray_image`'s level of each 16-bit gray negative level's positive L*."""
    return _gray_levels_of(inverted_gray_table())


def _gray_levels_of(table: np.ndarray) -> np.ndarray:
    """(65536,) uint8, read-only: `gray_image` of a table of the 65536 levels' L*."""
    lightness = torch.from_numpy(table.copy())[None, None, None]  # (1, 1, 1, 65536)
    levels = np.asarray(gray_image(lightness))[0]
    levels.flags.writeable = False
    return levels
