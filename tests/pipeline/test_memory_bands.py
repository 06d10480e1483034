"""Memory on big photos: the report's figures, the scene classifier's input and the merge at full
size make no whole-photo copies that add nothing (eval/bench_memory.py has the peak figures).

The bounds are read with tracemalloc, which sees NumPy's allocations (not PIL's or torch's)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.encoder import EfficientNetLite0
from colorizer.model.scene import ImageNetSceneClassifier
from colorizer.pipeline import luminance
from colorizer.pipeline.full_size import merge_full_size
from colorizer.pipeline.result import summarize_uncertainty


def _numpy_peak(fn, *args):
    """(result, peak bytes NumPy allocated while `fn` ran)."""
    tracemalloc.start()
    try:
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _whole_map_summary(uncertainty: np.ndarray) -> dict[str, float]:
    """The figures as they were computed on the whole map (copies and all)."""
    return {"mean": round(float(uncertainty.mean()), 4),
            "median": round(float(np.median(uncertainty)), 4),
            "p90": round(float(np.percentile(uncertainty, 90)), 4),
            "share_above_0.5": round(float((uncertainty > 0.5).mean()), 4)}


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (37, 41), (300, 517)])
def test_uncertainty_summary_is_numpys_figures(shape):
    rng = np.random.default_rng(sum(shape))
    maps = [rng.random(shape, dtype=np.float32),
            (rng.integers(0, 9, shape) / 8).astype(np.float32),  # many ties
            np.full(shape, 0.5, dtype=np.float32), np.zeros(shape, dtype=np.float32)]
    for uncertainty in maps:
        assert summarize_uncertainty(uncertainty) == _whole_map_summary(uncertainty)


def test_order_statistics_are_exact_to_the_bit_across_bands():
    from colorizer.pipeline.map_stats import median_and_percentile, share_above

    rng = np.random.default_rng(7)
    for n in (1, 2, 10, 11, 999, 1000):
        values = (rng.standard_normal((n, 3)) * 2).astype(np.float32)  # negatives too
        for band in (1, 7, 4096):
            median, p90 = median_and_percentile(values, 90, band)
            assert median == float(np.median(values))
            assert p90 == float(np.percentile(values, 90))
            assert share_above(values, 0.5, band=band) == float((values > 0.5).mean())
            assert share_above(values, 0.5, True, band) == float((values >= 0.5).mean())


def test_uncertainty_summary_makes_no_copy_of_the_map():
    uncertainty = np.random.default_rng(1).random((2048, 2048), dtype=np.float32)  # 16 MB
    summary, peak = _numpy_peak(summarize_uncertainty, uncertainty)
    assert summary == _whole_map_summary(uncertainty)
    # np.median and np.percentile each partitioned a 16 MB copy; a band is 4 MB.
    assert peak < uncertainty.nbytes // 2, f"{peak / 2**20:.1f} MB"


def _classifier() -> ImageNetSceneClassifier:
    torch.manual_seed(0)
    return ImageNetSceneClassifier(EfficientNetLite0(include_head=True), top_k=5)


def _whole_photo_pixels(classifier: ImageNetSceneClassifier, image: Image.Image) -> torch.Tensor:
    """The classifier's input as it was made: the whole photo as float32, then resized."""
    gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    x = torch.from_numpy(gray)[None, None].expand(1, 3, -1, -1)
    h, w = gray.shape
    scale = min(224 / min(h, w), 896 / max(h, w))
    size = (max(224, round(h * scale)), max(224, round(w * scale)))
    x = F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
    return classifier.model.normalize(x)


def _photo(width: int, height: int, mode: str = "L") -> Image.Image:
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    rows = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    gray = (ramp * (0.3 + 0.7 * rows) + 20 * np.sin(np.arange(width) / 9)[None, :]).clip(0, 255)
    image = Image.fromarray(gray.astype(np.uint8), "L")
    return image.convert(mode) if mode != "L" else image


@pytest.mark.parametrize("size,mode", [((768, 550), "L"), ((3000, 2000), "RGB"), ((1, 5000), "L")])
def test_scene_classifier_sees_an_ordinary_photo_exactly_as_before(size, mode):
    classifier, image = _classifier(), _photo(*size, mode)
    assert torch.equal(classifier._pixels(image), _whole_photo_pixels(classifier, image))


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_scene_classifier_reduces_a_big_photo_before_its_float_copy(mode):
    classifier, image = _classifier(), _photo(5000, 3600, mode)  # 18 MP
    pixels, peak = _numpy_peak(classifier._pixels, image)
    assert pixels.shape == (1, 3, 224, 311)
    assert peak < 5000 * 3600, f"{peak / 2**20:.1f} MB"  # the float copy was 72 MB
    before = _whole_photo_pixels(classifier, image)
    assert (pixels - before).abs().mean() < 0.01  # a few thousandths of a level: noise
    with torch.inference_mode():
        assert classifier(image)[0][0] == classifier.model(before).softmax(-1)[0].argmax()


def test_merge_builds_the_image_band_by_band(monkeypatch):
    monkeypatch.setattr(luminance, "BAND_PIXELS", 8 * 1024)
    torch.manual_seed(0)
    height, width = 384, 512
    lightness = torch.rand(1, 1, height, width) * 100
    ab, unc = torch.rand(1, 2, 24, 36) * 120 - 60, torch.rand(1, 1, 24, 36)
    merged, peak = _numpy_peak(merge_full_size, lightness, ab, unc, torch.zeros(1, 1, 24, 36))
    # A whole (H, W, 3) uint8 array (0.6 MB) was made before PIL copied it; the float maps
    # are not made at all (upsampled_map.py).
    assert peak < height * width * 3 // 2, f"{peak / 2**20:.1f} MB"
    whole = lab_to_rgb_whole(lightness, ab)
    assert np.abs(np.asarray(merged.image).astype(int) - whole).max() <= 1


def lab_to_rgb_whole(lightness: torch.Tensor, ab: torch.Tensor) -> np.ndarray:
    from colorizer.model.colorspace import lab_to_rgb_keep_luminance

    up = F.interpolate(ab, size=lightness.shape[-2:], mode="bilinear", align_corners=False)
    rgb = lab_to_rgb_keep_luminance(lightness, up)[0].permute(1, 2, 0).numpy()
    return (rgb * 255 + 0.5).astype(np.uint8)


def test_merge_region_is_the_same_map_whether_context_changed_colors_or_not(monkeypatch):
    monkeypatch.setattr(luminance, "BAND_PIXELS", 16 * 40)
    lightness = torch.rand(1, 1, 50, 40) * 100
    ab, unc = torch.rand(1, 2, 5, 4) * 40 - 20, torch.rand(1, 1, 5, 4)
    nowhere = np.asarray(merge_full_size(lightness, ab, unc, torch.zeros(1, 1, 5, 4)).region)
    assert nowhere.shape == (50, 40) and nowhere.dtype == np.float32 and not nowhere.any()
    somewhere = torch.zeros(1, 1, 5, 4)
    somewhere[..., 2, 1] = 1.0
    region = np.asarray(merge_full_size(lightness, ab, unc, somewhere).region)
    want = F.interpolate(somewhere, size=(50, 40), mode="bilinear", align_corners=False)[0, 0]
    np.testing.assert_allclose(region, want.numpy(), atol=1e-6)
    assert region.max() > 0.5


def test_a_float64_map_gets_numpys_figures_too():
    uncertainty = np.random.default_rng(2).random((31, 17))  # float64: a hand-made result
    assert summarize_uncertainty(uncertainty) == _whole_map_summary(uncertainty)
