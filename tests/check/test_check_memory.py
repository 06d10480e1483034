"""Lining up archive-size scans stays bounded in memory and keeps a 16-bit original's tones.

A historian's 600-dpi scan is tens of megapixels: lining a web copy up with it read full-size
float64 copies (`chronochrome check` peaked at 3.2 GB for a 12000x9000 original against
1.3 GB for a small one), and the lined-up original reached the model as 8-bit gray. Here the
size limit is lowered so that small images take the archive-size path."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.check import align, lineup, reduce
from colorizer.check.config import CheckConfig
from colorizer.pipeline import luminance
from colorizer.pipeline.imageio import load_image
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def scan():
    """A 16-bit gray scan (800x600, grain added so that features exist at full size)."""
    if not SHARED.is_dir():
        pytest.skip("../shared/datasets is absent")
    source = sorted((SHARED / "historical-bw").glob("deoldify__*.jpg"))[3]
    gray = Image.open(source).convert("L").resize((800, 600), Image.BICUBIC)
    rng = np.random.default_rng(0)
    deep = np.asarray(gray, np.float64) * 257 + rng.normal(0, 300, (600, 800))
    return Image.fromarray(np.clip(deep, 0, 65535).astype(np.uint16))


def _web_copy(scan: Image.Image) -> Image.Image:
    """Cropped 3% on each side and resized to 400 px: as found on the web."""
    eight = Image.fromarray((np.asarray(scan, np.uint16) >> 8).astype(np.uint8))
    return eight.crop((24, 18, 776, 582)).resize((400, 300), Image.LANCZOS).convert("RGB")


def test_large_images_are_registered_on_reduced_float32_copies(scan, monkeypatch):
    """Before: refine read the full original as float64 (and blurred a float64 copy of it)."""
    monkeypatch.setattr(reduce, "MAX_WORK_PIXELS", 50_000)
    seen = []
    original_refine = align.refine

    def spy(ours, theirs, matrix):
        seen.append((ours.size, theirs.size, theirs.dtype))
        return original_refine(ours, theirs, matrix)

    monkeypatch.setattr(align, "refine", spy)
    ours = luminance.lightness_of(load_image(_web_copy(scan)))[0, 0].numpy()
    theirs = luminance.lightness_of(load_image(scan))[0, 0].numpy()
    found = align.register(ours, theirs)
    assert found is not None
    assert seen and all(a <= 50_000 and b <= 50_000 for a, b, _ in seen)
    assert seen[0][2] == np.float32
    # The transform is in full pixels: the web copy's corners land on the 3% crop's.
    corners = found.matrix @ np.array([[0, 400, 0, 400], [0, 0, 300, 300], [1, 1, 1, 1.0]])
    expected = np.array([[24, 776, 24, 776], [18, 18, 582, 582]])
    assert np.abs(corners[:2] - expected).max() < 3.0
    assert abs(found.scale - 400 / 752) < 0.005 and found.correlation > 0.95


def test_reduced_copy_is_within_the_limit_and_maps_full_pixels():
    image = np.tile(np.linspace(0, 100, 1000, dtype=np.float32), (700, 1))
    small, to_small = reduce.reduced(image, 100_000)
    assert small.size <= 100_000 and small.dtype == np.float32
    x = to_small @ np.array([500.0, 350.0, 1.0])  # a pixel of the ramp at 50 L*
    assert abs(small[round(float(x[1])), round(float(x[0]))] - 50.0) < 0.5
    same, identity = reduce.reduced(image, 10_000_000)
    assert same is image and np.array_equal(identity, np.eye(3))


def test_sixteen_bit_original_keeps_its_precision_once_lined_up(scan, monkeypatch):
    """Before: the lined-up original was rounded to 8-bit gray (256 levels) for the model."""
    monkeypatch.setattr(reduce, "MAX_WORK_PIXELS", 50_000)
    original = load_image(scan)
    assert original.pixels.dtype == np.float32
    lined = lineup.line_up(load_image(_web_copy(scan)), original, CheckConfig())
    assert lined.registration is not None  # (the grain differs in fine detail only)
    pixels = lined.gray.pixels
    assert pixels.dtype == np.float32 and pixels.shape == (300, 400)
    off_grid = np.abs(pixels * 255 - np.rint(pixels * 255)) > 0.01
    assert off_grid.mean() > 0.5  # levels between the 8-bit ones survive


def test_banded_warp_matches_the_whole_one(monkeypatch):
    rng = np.random.default_rng(1)
    image = rng.random((120, 160)) * 100
    matrix = np.array([[0.9, 0.05, 7.3], [-0.04, 0.95, 4.1], [0, 0, 1.0]])
    whole, whole_valid = align.warp_into(image, matrix, (110, 150))
    monkeypatch.setattr(align, "MAX_WORK_PIXELS", 1000)
    monkeypatch.setattr(luminance, "BAND_PIXELS", 1500)  # 10-row bands
    banded, banded_valid = align.warp_into(image, matrix, (110, 150))
    assert banded.dtype == np.float32
    assert np.array_equal(banded_valid, whole_valid)
    assert np.abs(banded - whole)[whole_valid].max() < 1e-3


def test_percentile_of_a_huge_image_draws_no_full_permutation(monkeypatch):
    """Before: a permutation of every pixel's index (860 MB for 108 MP) was drawn."""
    monkeypatch.setattr(lineup, "MAX_PERMUTED", 2_000_000)

    def refused(*args, **kwargs):
        raise AssertionError("randperm of every pixel")

    delta = torch.from_numpy(np.random.default_rng(2).random(3_000_000, dtype=np.float32) * 10)
    monkeypatch.setattr(torch, "randperm", refused)
    mean, p99, signed = lineup._spread(delta.reshape(1000, 3000), None)
    assert abs(mean - 5.0) < 0.05 and abs(p99 - 9.9) < 0.05 and abs(signed - 5.0) < 0.05


def test_same_size_difference_in_bands_equals_the_whole(scan, monkeypatch):
    color = load_image(_web_copy(scan).resize((800, 600)))
    gray = load_image(scan)
    whole = (luminance.lightness_of(color) - luminance.lightness_of(gray))[0, 0]
    monkeypatch.setattr(luminance, "BAND_PIXELS", 50_000)
    assert torch.equal(lineup._difference(color, gray), whole)
