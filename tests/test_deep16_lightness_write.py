"""The merge's 16-bit output (merge_bands.BandWriter, for a 16-bit scan): cast into planes
and copied into each channel, the same bytes as the strided cast it replaced (its speed is a
benchmark's figure: 5 -> 3 ms a 1 MP band, measured 2026-12-07, not a timed test)."""

from __future__ import annotations

import numpy as np

from colorizer.pipeline.deep_pixels import LEVELS_16
from colorizer.pipeline.merge_bands import BandWriter


def _rgb(rows: int, width: int, seed: int) -> np.ndarray:
    rgb = np.random.default_rng(seed).random((3, rows, width), dtype=np.float32)
    turns = np.array([0.0, 1.0, 0.5 / LEVELS_16, 1 - 0.5 / LEVELS_16, 1234.5 / LEVELS_16],
                     dtype=np.float32)  # where the 16-bit rounding turns, black and white
    rgb[:, 0, :turns.size] = turns
    return rgb


def test_bands_of_any_height_give_the_strided_casts_bytes() -> None:
    width, heights = 61, (17, 17, 5, 1, 29)  # a shorter band after longer ones reuses less
    writer = BandWriter(sum(heights), width, deep=True)
    expected = np.empty((sum(heights), width, 3), dtype=np.uint16)
    top = 0
    for seed, rows in enumerate(heights):
        rgb = _rgb(rows, width, seed)
        writer.colors(slice(top, top + rows), rgb)
        expected[top:top + rows] = (rgb.transpose(1, 2, 0) * np.float32(LEVELS_16)
                                    + np.float32(0.5)).astype(np.uint16)
        top += rows
    _image, image16 = writer.done()
    assert image16.dtype == np.uint16 and image16.flags.c_contiguous
    assert np.array_equal(image16, expected)
