"""A result holds its maps small and makes the full-size values when read (upsampled_map.py):
the merge made the uncertainty and context-region maps whole, 432 MB of float32 each on a
108 MP photo, held through the encoding of every output. The values a reader gets, the
`.uncertainty.png` and the report's figures are the same to the bit."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from map_cases import small_maps, whole_map
from PIL import Image
from skimage import data as skdata

from colorizer import ColorizationPipeline
from colorizer.pipeline import luminance, upsampled_map
from colorizer.pipeline.provenance import provenance_record
from colorizer.pipeline.result import summarize_uncertainty


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)


def test_a_result_reads_its_maps_whole_as_before(pipe):
    photo = Image.fromarray(skdata.camera()[:300, :410])
    result = pipe(photo)
    source = result.uncertainty_source
    assert isinstance(source, upsampled_map.UpsampledMap)  # small until read
    assert source.small.numel() * 4 < 300 * 410 * 4 // 50
    whole = result.uncertainty  # the public API: the full-size (H, W) float32 array
    assert whole.shape == (300, 410) and whole.dtype == np.float32
    assert result.uncertainty is whole  # made once, the same array at every read
    np.testing.assert_array_equal(whole, whole_map(source.small, 300, 410))
    region = result.context_region
    assert region.shape == (300, 410) and region.dtype == np.float32 and not region.any()


def test_a_result_s_outputs_are_the_same_from_the_small_map_or_the_whole_one(pipe):
    photo = Image.fromarray(skdata.camera()[:300, :410])
    result = pipe(photo)
    uncertainty, region = small_maps()
    lazy = replace(result, uncertainty=upsampled_map.UpsampledMap(uncertainty, 300, 410),
                   context_region=upsampled_map.UpsampledMap(region, 300, 410))
    whole = replace(result, uncertainty=whole_map(uncertainty, 300, 410),
                    context_region=whole_map(region, 300, 410))
    assert lazy.to_dict() == whole.to_dict()
    assert lazy.to_dict()["context_region_share"] > 0
    assert _png(lazy.uncertainty_image()) == _png(whole.uncertainty_image())
    # The image's provenance (its XMP) gives the same figures, read once for both.
    assert provenance_record(lazy)["uncertainty"] == whole.to_dict()["uncertainty"]
    # Nothing above made the whole map: it is still the small one.
    assert isinstance(lazy.uncertainty_source, upsampled_map.UpsampledMap)
    np.testing.assert_array_equal(lazy.uncertainty, whole.uncertainty)
    np.testing.assert_array_equal(lazy.context_region, whole.context_region)


@pytest.mark.parametrize("height,width", [(97, 131), (400, 333), (1, 5)])
def test_figures_read_band_by_band_are_numpys_on_thewhole_map(monkeypatch, height, width):
    monkeypatch.setattr(upsampled_map, "_LEAF_VALUES", 1000)  # many halvings, leaves mid-row
    monkeypatch.setattr(luminance, "BAND_PIXELS", 7 * width)
    small, _ = small_maps(9, 13)
    lazy = upsampled_map.UpsampledMap(small, height, width)
    whole = whole_map(small, height, width)
    assert lazy.mean() == whole.mean()  # to the bit: NumPy's pairwise sum, halved alike
    assert summarize_uncertainty(lazy) == summarize_uncertainty(whole)
    assert summarize_uncertainty(lazy)["median"] == round(float(np.median(whole)), 4)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
