"""A run's uncertainty figures from a map made when read (`UpsampledMap`) read that map twice,
not five times: each reading upsamples every band again (108 bands on a 108 MP scan), and
the web page's render waited on the five (12 s -> 57 s on a loaded 2-core machine)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from colorizer.pipeline.result import summarize_uncertainty
from colorizer.pipeline.upsampled_map import UpsampledMap


class CountingMap(UpsampledMap):
    """An `UpsampledMap` that counts the values it makes (each band it upsamples)."""

    made = 0

    def rows(self, band: slice) -> np.ndarray:
        values = super().rows(band)
        self.made += values.size
        return values


def _whole_map_summary(uncertainty: np.ndarray) -> dict[str, float]:
    return {"mean": round(float(uncertainty.mean()), 4),
            "median": round(float(np.median(uncertainty)), 4),
            "p90": round(float(np.percentile(uncertainty, 90)), 4),
            "share_above_0.5": round(float((uncertainty > 0.5).mean()), 4)}


@pytest.mark.parametrize(("small", "height", "width"), [
    ((6, 9), 1500, 1100),  # more than one of the mean's 1M-value blocks
    ((5, 5), 37, 41),
    ((12, 8), 2100, 700),
])
def test_the_figures_are_the_whole_maps_and_the_map_is_read_twice(small, height, width):
    torch.manual_seed(height)
    # Values beyond [0, 1] too: the map clips them, ties at 0 and 1 included.
    held = CountingMap(torch.rand(1, 1, *small) * 1.4 - 0.2, height, width)
    whole = UpsampledMap(held.small, height, width).array()
    assert summarize_uncertainty(held) == _whole_map_summary(whole)
    # Before: the mean's reading, a NaN check, two for the order statistics and the share's:
    # 5.0 maps' values (and more where the mean's blocks straddle rows).
    readings = held.made / held.size
    assert readings <= 2.02, readings


def test_a_map_with_a_nan_gives_numpys_nan_figures():
    small = torch.rand(1, 1, 4, 4)
    small[0, 0, 1, 2] = float("nan")
    held = UpsampledMap(small, 64, 48)
    figures = summarize_uncertainty(held)
    whole = held.array()
    assert np.isnan(whole).any()
    assert all(np.isnan(figures[k]) for k in ("mean", "median", "p90"))
    assert figures["share_above_0.5"] == round(float((whole > 0.5).mean()), 4)
