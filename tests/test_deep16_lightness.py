"""16-bit gray pixels' L* and context gray by table (luminance.deep_gray_table): the same bits
as the float path (uint16 -> float RGB -> float64 L* -> float32) they replace, and that path
no longer run per band of a 16-bit scan."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.model.colorspace import gray_rgb_from_lightness, luminance_of_rgb
from colorizer.pipeline import luminance
from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.image_pixels import float_rgb
from colorizer.pipeline.imageio import LoadedImage, load_image
from colorizer.pipeline.luminance import lightness_of, lightness_rows, row_bands

LEVELS = np.arange(65536, dtype=np.uint16)


def float_path_lightness(rows: np.ndarray) -> np.ndarray:
    """(rows, W) float32 L*, as lightness_rows computed 16-bit gray before the table."""
    rgb = torch.from_numpy(float_rgb(rows)).permute(2, 0, 1)[None]
    return luminance_of_rgb(rgb.to(torch.float64)).to(torch.float32)[0, 0].numpy()


def float_path_gray(rows: np.ndarray) -> np.ndarray:
    """(rows, W) uint8, as context_gray made 16-bit gray's gray before the table."""
    lightness = torch.from_numpy(float_path_lightness(rows))[None, None]
    g = gray_rgb_from_lightness(lightness)[0, 0].numpy()
    return (g * 255 + 0.5).astype(np.uint8)


def every_level_in(width: int, shift: int) -> np.ndarray:
    """(H, width) uint16 holding all 65536 levels (rotated by `shift`, so each level meets
    other positions in a row), the last row filled with random levels."""
    levels = np.roll(LEVELS, shift)
    height = -(-levels.size // width)
    fill = np.random.default_rng(width).integers(0, 65536, height * width - levels.size)
    return np.concatenate([levels, fill.astype(np.uint16)]).reshape(height, width)


@pytest.mark.parametrize("width,shift", [(1, 0), (3, 1), (7, 5), (97, 0), (1000, 3),
                                         (12000, 0), (65536, 7)])
def test_every_level_has_the_float_paths_bits(width, shift):
    pixels = every_level_in(width, shift)
    ours = lightness_rows(pixels, slice(0, pixels.shape[0]))[0, 0].numpy()
    assert ours.dtype == np.float32
    assert np.array_equal(ours.view(np.uint32), float_path_lightness(pixels).view(np.uint32))
    gray = np.asarray(context_gray(_loaded(pixels)))
    assert np.array_equal(gray, float_path_gray(pixels))


def test_a_full_size_band_skips_the_float_path(monkeypatch):
    """A 1 MP band of a 12000-wide scan is a gather: no float64 luminance is computed for it
    (before, every band of a 108 MP scan went through it: 27-30 s of the merge)."""
    lightness_rows(LEVELS[None, :4], slice(0, 1))  # the table, made once per process
    calls = []

    def counted(rgb: torch.Tensor) -> torch.Tensor:
        calls.append(tuple(rgb.shape))
        return luminance_of_rgb(rgb)

    monkeypatch.setattr(luminance, "luminance_of_rgb", counted)
    pixels = np.random.default_rng(1).integers(0, 65536, (87, 12000)).astype(np.uint16)
    band = row_bands(*pixels.shape)[0]
    ours = lightness_rows(pixels, band)[0, 0].numpy()
    whole = lightness_of(_loaded(pixels))[0, 0].numpy()
    assert calls == []
    reference = float_path_lightness(pixels)
    assert np.array_equal(ours.view(np.uint32), reference[band].view(np.uint32))
    assert np.array_equal(whole.view(np.uint32), reference.view(np.uint32))


@pytest.mark.parametrize("suffix", [".png", ".tif", ".pgm"])
def test_loaded_16bit_files_keep_their_lightness_and_gray(tmp_path, suffix):
    values = every_level_in(640, 11)[:, ::-1].copy()  # (103, 640)
    path = tmp_path / f"scan{suffix}"
    Image.fromarray(values).save(path)  # mode I;16
    loaded = load_image(path)
    assert loaded.pixels.dtype == np.uint16
    assert np.array_equal(loaded.pixels, values)
    ours = lightness_of(loaded)[0, 0].numpy()
    assert np.array_equal(ours.view(np.uint32), float_path_lightness(values).view(np.uint32))
    assert np.array_equal(np.asarray(context_gray(loaded)), float_path_gray(values))
    with_lightness = context_gray(loaded, torch.from_numpy(ours)[None, None])
    assert np.array_equal(np.asarray(with_lightness), float_path_gray(values))


def test_float32_gray_still_takes_the_float_path():
    """Deep gray that is not 16-bit (float32 in [0, 1]) has no table: its L* as before."""
    values = np.random.default_rng(2).random((9, 31), dtype=np.float32)
    ours = lightness_rows(values, slice(0, 9))[0, 0].numpy()
    assert np.array_equal(ours.view(np.uint32), float_path_lightness(values).view(np.uint32))


def _loaded(pixels: np.ndarray) -> LoadedImage:
    height, width = pixels.shape
    return LoadedImage(pixels=pixels, is_color=False, source_mode="I;16", source_format=None,
                       size=(width, height), frames=1, notes=(), sha256=None, name="scan")
