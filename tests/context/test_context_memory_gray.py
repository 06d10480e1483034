"""The 8-bit gray handed to context inference (colorizer/pipeline/context_gray.py): the
photo's own pixels, shared, for an 8-bit gray photo (no 108 MB copy of a 108 MP scan); made
band by band from the pixels otherwise, without the whole float L*. Either way it is the
gray of before, `gray_image(lightness_of(photo))`, to the byte."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import BAND_PIXELS, gray_image, lightness_of


def _gradient(width: int, height: int) -> np.ndarray:
    """(H, W) uint8 with every level 0-255 in each row, and noise (odd levels everywhere)."""
    rng = np.random.default_rng(0)
    ramp = np.tile(np.arange(256, dtype=np.int32), width // 256 + 1)[:width]
    noise = rng.integers(-9, 10, size=(height, width))
    return np.clip(ramp[None] + noise, 0, 255).astype(np.uint8)


def test_an_8bit_gray_photo_is_handed_over_as_its_own_pixels_every_level_kept(tmp_path):
    path = tmp_path / "gray.png"
    Image.fromarray(_gradient(512, 64), "L").save(path)
    loaded = load_image(str(path))
    assert loaded.pixels.dtype == np.uint8 and loaded.pixels.ndim == 2
    gray = context_gray(loaded)
    before = np.asarray(gray_image(lightness_of(loaded)))
    assert gray.mode == "L" and np.array_equal(np.asarray(gray), before)
    # Shared, not copied: a change to the pixels shows in the gray.
    pixels = loaded.pixels.copy()
    shared = context_gray(replace(loaded, pixels=pixels))
    pixels[3, 5] = 255 - pixels[3, 5]
    assert shared.getpixel((5, 3)) == pixels[3, 5]


@pytest.mark.parametrize("mode", ["RGB", "I;16"])
def test_other_photos_give_the_gray_of_before_with_or_without_the_whole_lightness(tmp_path, mode):
    # Tall enough for several of luminance.row_bands' bands, and a last short one.
    width, height = 700, 2 * BAND_PIXELS // 700 + 37
    levels = _gradient(width, height)
    path = tmp_path / f"photo-{mode.replace(';', '')}.png"
    if mode == "RGB":  # a color photo: its luminance, not one channel
        rgb = np.stack([levels, np.roll(levels, 40, axis=1), 255 - levels], axis=-1)
        Image.fromarray(rgb, "RGB").save(path)
    else:  # 16-bit gray, between the 8-bit levels
        Image.fromarray(levels.astype(np.uint16) * 257 + 100).save(path)
    loaded = load_image(str(path))
    lightness = lightness_of(loaded)
    before = np.asarray(gray_image(lightness))
    assert np.array_equal(np.asarray(context_gray(loaded, lightness)), before)
    assert np.array_equal(np.asarray(context_gray(loaded)), before)  # made band by band
