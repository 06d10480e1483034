"""`display_map` shrinks a full-size map to the page's size a band of rows at a time, and gives
what PIL gives on the whole map (to the bit where PIL shrinks across first, as here for the
landscape cases; one float32 step at most where Pillow 13 shrinks down first)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.apps.web.display_map import display_map
from colorizer.pipeline.upsampled_map import UpsampledMap


@pytest.mark.parametrize(("height", "width", "size"), [
    (600, 900, (256, 171)), (1201, 1600, (1600, 1201)), (3000, 101, (9, 256)),
    (2, 5000, (1600, 1))])
def test_display_map_is_pils_resize_of_the_whole_map(height, width, size):
    small = torch.from_numpy(np.random.default_rng(height).random((1, 1, 23, 31),
                                                                  dtype=np.float32))
    held = UpsampledMap(small * 1.2 - 0.1, height, width)
    whole = held.array()
    shown = display_map(held, size)
    # The bands change nothing: PIL's two passes, across then down, on the whole map.
    across = _resized(whole, (size[0], height))
    assert np.array_equal(shown, _resized(across, size))
    assert np.array_equal(display_map(whole, size), shown)  # a result that holds an array
    # PIL's one call on the whole map (what the page showed): the same floats where it goes
    # across first too, one float32 step at most where Pillow 13 goes down first.
    assert np.abs(shown - _resized(whole, size)).max() <= 2.0**-23


def _resized(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(values, "F").resize(size, Image.BILINEAR))
