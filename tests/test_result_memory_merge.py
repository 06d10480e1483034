"""The merge at full size makes no full-size map: the uncertainty and context-region maps
(432 MB of float32 each on a 108 MP photo) stay small and are made when read (upsampled_map.py),
with the same values as the merge wrote."""

from __future__ import annotations

import tracemalloc

import numpy as np
import torch
from map_cases import small_maps, whole_map

from colorizer.pipeline import luminance
from colorizer.pipeline.full_size import merge_full_size


def test_the_merge_makes_no_full_size_map():
    height, width = 1500, 2000
    generator = torch.Generator().manual_seed(3)
    lightness = torch.rand((1, 1, height, width), generator=generator) * 60 + 20
    ab = (torch.rand((1, 2, 96, 128), generator=generator) - 0.5) * 20
    uncertainty, region = small_maps()
    tracemalloc.start()  # NumPy's arrays are counted (torch's tensors and PIL's image are not)
    try:
        merged = merge_full_size(lightness, ab, uncertainty, region)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    band_rows = luminance.row_bands(height, width)[0]
    band_rgb = (band_rows.stop - band_rows.start) * width * 3 * 4  # one band's float32 RGB
    # Before: a band's rounding buffers (15 MB) and both maps made whole (12 MB each, 432 MB
    # on a 108 MP photo), held by the result; now the band's buffers alone.
    assert peak < 1.5 * band_rgb, f"{peak / 2**20:.1f} MB held by the merge (18 MB allowed)"
    assert merged.uncertainty.shape == (height, width)
    np.testing.assert_array_equal(np.asarray(merged.uncertainty),
                                  whole_map(uncertainty, height, width))
    np.testing.assert_array_equal(np.asarray(merged.region), whole_map(region, height, width))
