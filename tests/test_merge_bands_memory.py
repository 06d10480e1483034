"""The merge at full size holds its outputs and little more: each band's float RGB is rounded
to 8 and 16 bits through one reused buffer (merge_bands.BandWriter), not through four float
copies of it, and the maps are clipped straight into place."""

import tracemalloc

import numpy as np
import torch

from colorizer.pipeline import luminance
from colorizer.pipeline.full_size import merge_full_size


def test_merge_holds_little_beyond_its_outputs():
    height, width = 1500, 2000
    generator = torch.Generator().manual_seed(3)
    # Mid tones and mild colors: all in gamut, so no time goes to the gamut search.
    lightness = torch.rand((1, 1, height, width), generator=generator) * 60 + 20
    ab = (torch.rand((1, 2, 96, 128), generator=generator) - 0.5) * 20
    uncertainty = torch.rand((1, 1, 24, 32), generator=generator)
    region = torch.zeros((1, 1, 24, 32))
    tracemalloc.start()  # NumPy's arrays are counted (torch's tensors and PIL's image are not)
    try:
        merged = merge_full_size(lightness, ab, uncertainty, region, deep=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    outputs = merged.image16.nbytes  # the maps stay small, made when read (upsampled_map.py)
    band_rows = luminance.row_bands(height, width)[0]
    band_rgb = (band_rows.stop - band_rows.start) * width * 3 * 4  # one band's float32 RGB
    over = peak - outputs
    # Before: rgb * 255 and + 0.5, then the same for 16 bits, then a clipped copy of each map:
    # 27 MB beyond the outputs here (two float copies of a band at once, 2.25 bands); now one
    # reused buffer and the band's 8-bit RGB, 1.25 bands (15 MB).
    assert over < 1.5 * band_rgb, f"{over / 2**20:.1f} MB beyond the outputs (18 MB allowed)"
    assert merged.image16.shape == (height, width, 3) and merged.image.size == (width, height)
    assert np.asarray(merged.image).std() > 0
