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
    assert original.pixels.dtype == np.uint16  # 16-bit gray is kept as its levels
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


@pytest.fixture(scope="module")
def tiny_checker(shared_tiny_weights):
    """The tiny generator, no context, retrieval nor flag finder: what the colorization's
    colors are read from, and nothing else."""
    from colorizer.check.checker import ColorizationChecker
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    render_size=128, context=False,
                                                    exemplars=False)
    return ColorizationChecker(pipeline, None)


def _colorization() -> Image.Image:
    """A 1200x900 colorization: a gray ramp with a red and a blue patch."""
    pixels = np.zeros((900, 1200, 3), np.uint8)
    pixels[...] = np.linspace(60, 200, 1200, dtype=np.uint8)[None, :, None]
    pixels[200:500, 160:600] = (180, 40, 40)
    pixels[520:800, 700:1120] = (40, 60, 170)
    return Image.fromarray(pixels)


def test_archive_size_colorization_is_read_without_a_full_size_rgb_copy(tiny_checker,
                                                                         monkeypatch):
    """Before: `_maps` and `tints.tint_of` each made `Image.fromarray` of the whole
    colorization (432 MB for a 108 MP one, PIL keeping 4 bytes an RGB pixel), and the
    prepared photo's full-size L* was still held while the first was made. Here the
    size limits are lowered so that a 1200x900 colorization is archive-size."""
    from PIL import Image as PILImage

    from colorizer.check import checker as checker_module
    from colorizer.check import thumbnails

    color = load_image(_colorization())
    whole = tiny_checker.analyse(color)  # under the limit: read whole, as before
    monkeypatch.setattr(checker_module, "MAX_WORK_PIXELS", 100_000)
    monkeypatch.setattr(thumbnails, "BAND_PIXELS", 30_000)
    largest = []
    original_fromarray = PILImage.fromarray

    def spy(array, *args, **kwargs):
        if np.ndim(array) == 3:  # RGB copies (the pipeline's own gray ones are 2-D)
            largest.append(array.shape[0] * array.shape[1])
        return original_fromarray(array, *args, **kwargs)

    monkeypatch.setattr(PILImage, "fromarray", spy)
    banded = tiny_checker.analyse(color)
    assert largest and max(largest) <= 30_000  # a band of rows, never 1,080,000
    # The render-size colors match the whole-image resize (Lanczos after a box reduction
    # by whole factors; PIL: indistinguishable at a gap of 3): same findings, same maps.
    assert banded.maps.lab.shape == whole.maps.lab.shape
    difference = np.abs(banded.maps.lab - whole.maps.lab)  # L*a*b*, at the render size
    assert difference.max() < 2.0 and difference.mean() < 0.05  # (1.4 at the patches' edges)
    found = [(f.kind, f.box) for f in tiny_checker.findings(banded)]
    assert found == [(f.kind, f.box) for f in tiny_checker.findings(whole)]
    assert banded.notes == whole.notes


def test_banded_thumbnail_and_resize_equal_pils_whole_image(monkeypatch):
    from colorizer.check import thumbnails

    monkeypatch.setattr(thumbnails, "BAND_PIXELS", 5000)
    rng = np.random.default_rng(4)
    for h, w in [(997, 1301), (1200, 90), (300, 200)]:
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        whole = Image.fromarray(rgb)
        whole.thumbnail((256, 256))
        assert np.array_equal(np.asarray(thumbnails.thumbnail(rgb, 256)), np.asarray(whole))
        direct = Image.fromarray(rgb).resize((w // 7, h // 7), Image.LANCZOS, reducing_gap=3.0)
        banded = thumbnails.resized(rgb, (w // 7, h // 7), Image.LANCZOS, 3.0)
        assert np.array_equal(np.asarray(banded), np.asarray(direct))
    deep = rng.random((500, 700)).astype(np.float32)  # 16-bit gray, as the loader keeps it
    whole = Image.fromarray(thumbnails.as_uint8(deep))
    whole.thumbnail((256, 256))
    assert np.array_equal(np.asarray(thumbnails.thumbnail(deep, 256)), np.asarray(whole))
