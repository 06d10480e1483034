"""Small uncertainty and context-region maps, and the whole map the merge wrote from them
before the result kept them small: for the tests of the result's memory."""

from __future__ import annotations

import numpy as np
import torch

from colorizer.pipeline import luminance
from colorizer.pipeline.band_upsample import band_of


def small_maps(h: int = 24, w: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(5)
    uncertainty = torch.rand((1, 1, h, w), generator=generator) * 1.2 - 0.1  # clipped to [0, 1]
    region = torch.zeros((1, 1, h, w))
    region[..., 4:11, 6:20] = 0.9  # context changed the colors somewhere
    return uncertainty, region


def whole_map(small: torch.Tensor, height: int, width: int) -> np.ndarray:
    """The map as the merge wrote it before: every band upsampled, clipped into place."""
    out = np.empty((height, width), dtype=np.float32)
    for band in luminance.row_bands(height, width):
        np.clip(band_of(small, height, width, band)[0, 0].numpy(), 0, 1, out=out[band])
    return out
