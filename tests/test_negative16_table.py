"""A 16-bit gray negative read by table (inverted_levels.py): kept as its own uint16 levels,
marked to be read inverted, and every reader gets the bits of the float path it replaces
(float32 1 - u / 65535, then float RGB -> float64 L* -> float32, and the context's gray)."""

from __future__ import annotations

import dataclasses
import pickle
import tracemalloc

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.model.colorspace import gray_rgb_from_lightness, luminance_of_rgb
from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.image_pixels import float_rgb, scaled_gray, unit_pixels
from colorizer.pipeline.imageio import LoadedImage, load_image
from colorizer.pipeline.luminance import lightness_of, lightness_rows, row_bands
from colorizer.pipeline.negative import NEGATIVE_NOTE, as_positive

LEVELS = np.arange(65536, dtype=np.uint16)


def float_path_positive(levels: np.ndarray) -> np.ndarray:
    """The float32 positive a gray negative's levels were turned into before the table."""
    return 1.0 - scaled_gray(levels, 65535.0)


def float_path_lightness(positive: np.ndarray) -> np.ndarray:
    """(rows, W) float32 L* of float32 positive gray, as lightness_rows computed it."""
    rgb = torch.from_numpy(float_rgb(positive)).permute(2, 0, 1)[None]
    return luminance_of_rgb(rgb.to(torch.float64)).to(torch.float32)[0, 0].numpy()


def float_path_gray(positive: np.ndarray) -> np.ndarray:
    """(rows, W) uint8: the context's gray of float32 positive gray, as gray_image made it."""
    lightness = torch.from_numpy(float_path_lightness(positive))[None, None]
    g = gray_rgb_from_lightness(lightness)[0, 0].numpy()
    return (g * 255 + 0.5).astype(np.uint8)


def every_level_in(width: int, shift: int) -> np.ndarray:
    """(H, width) uint16 holding all 65536 levels (rotated by `shift`), the last row filled
    with random levels."""
    levels = np.roll(LEVELS, shift)
    height = -(-levels.size // width)
    fill = np.random.default_rng(width).integers(0, 65536, height * width - levels.size)
    return np.concatenate([levels, fill.astype(np.uint16)]).reshape(height, width)


def loaded_negative(levels: np.ndarray) -> LoadedImage:
    """A 16-bit gray negative as the loader gives it, then as the pipeline reads it."""
    height, width = levels.shape
    raw = LoadedImage(pixels=levels, is_color=False, source_mode="I;16", source_format="PNG",
                      size=(width, height), frames=1, notes=(), sha256=None, name="neg.png")
    return as_positive(raw, negative=True)


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values).view(np.uint32)


def test_a_loaded_16bit_gray_negative_stays_its_uint16_levels(tmp_path):
    path = tmp_path / "negative.png"
    Image.fromarray(every_level_in(256, 0)).save(path)  # I;16
    raw = load_image(path)
    positive = as_positive(raw, negative=True)
    assert positive.pixels.dtype == np.uint16  # was float32: 4 bytes a pixel for the run
    assert positive.pixels.nbytes == raw.pixels.nbytes
    assert np.shares_memory(positive.pixels, raw.pixels)  # a view, not a copy
    assert positive.notes[-1] == NEGATIVE_NOTE
    # Its values, as any reader sees them, are the negative's positive.
    assert np.array_equal(_bits(unit_pixels(positive.pixels)),
                          _bits(float_path_positive(raw.pixels)))


@pytest.mark.parametrize("width,shift", [(1, 0), (3, 1), (7, 5), (97, 0), (1000, 3),
                                         (12000, 0), (65536, 7)])
def test_every_level_has_the_float_paths_bits(width, shift):
    levels = every_level_in(width, shift)
    loaded = loaded_negative(levels)
    reference = float_path_positive(levels)
    assert np.array_equal(_bits(unit_pixels(loaded.pixels)), _bits(reference))
    assert np.array_equal(_bits(loaded.rgb), _bits(float_rgb(reference)))
    want = float_path_lightness(reference)
    ours = lightness_of(loaded)[0, 0].numpy()
    assert ours.dtype == np.float32
    assert np.array_equal(_bits(ours), _bits(want))
    for band in row_bands(*levels.shape):  # the merge reads the L* a band at a time
        rows = lightness_rows(loaded.pixels, band)[0, 0].numpy()
        assert np.array_equal(_bits(rows), _bits(want[band]))
    gray = np.asarray(context_gray(loaded))
    assert np.array_equal(gray, float_path_gray(reference))
    assert np.array_equal(np.asarray(context_gray(loaded, lightness_of(loaded))), gray)


def test_a_band_slice_and_a_pickle_keep_reading_inverted():
    """The marker travels with the pixels wherever they go as views (a band, a crop, the
    service's pickled photo), and arithmetic on them gives plain levels."""
    levels = every_level_in(256, 0)
    pixels = loaded_negative(levels).pixels
    reference = float_path_positive(levels)
    assert np.array_equal(_bits(unit_pixels(pixels[10:20, 5:50])), _bits(reference[10:20, 5:50]))
    again = pickle.loads(pickle.dumps(pixels))
    assert np.array_equal(_bits(unit_pixels(again)), _bits(reference))
    remainder = pixels % 257
    assert type(remainder) is np.ndarray
    assert np.array_equal(remainder, levels % 257)


def test_inverting_a_positive_again_gives_the_old_floats():
    """A negative's positive inverted once more is what the float path gave: 1 - positive."""
    levels = every_level_in(256, 0)
    twice = as_positive(loaded_negative(levels), negative=True).pixels
    assert twice.dtype == np.float32
    assert np.array_equal(_bits(twice), _bits(1.0 - float_path_positive(levels)))


def test_reading_a_negative_makes_no_float_copy():
    """A 2000 x 1500 negative: the float path allocated its 12 MB float32 positive (and
    kept it for the run); kept as its levels, reading it as a negative allocates nothing
    of its size."""
    levels = np.random.default_rng(0).integers(0, 65536, (1500, 2000), dtype=np.uint16)
    height, width = levels.shape
    raw = LoadedImage(pixels=levels, is_color=False, source_mode="I;16", source_format="PNG",
                      size=(width, height), frames=1, notes=(), sha256=None, name="neg.png")
    tracemalloc.start()
    try:
        positive = as_positive(raw, negative=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"as_positive allocated {peak / 1e6:.1f} MB"
    assert positive.pixels.nbytes == levels.nbytes


def test_a_crop_of_the_photo_reads_inverted_too():
    levels = every_level_in(256, 0)
    loaded = loaded_negative(levels)
    cropped = dataclasses.replace(loaded, pixels=loaded.pixels[:8])
    assert np.array_equal(_bits(lightness_of(cropped)[0, 0].numpy()),
                          _bits(float_path_lightness(float_path_positive(levels[:8]))))
