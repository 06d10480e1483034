"""Full-size work in bands (colorizer/pipeline/full_size.py, luminance.py): the same result as
the whole-image computation it replaced, and compact pixels from the loader."""

from __future__ import annotations

import io

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import lab_to_rgb_keep_luminance, luminance_of_rgb
from colorizer.pipeline import luminance
from colorizer.pipeline.band_upsample import rows_of, widen
from colorizer.pipeline.full_size import merge_full_size
from colorizer.pipeline.imageio import load_image


def _png(array: np.ndarray, mode: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format="PNG")
    return buffer.getvalue()


def test_banded_upsampling_equals_whole_image_bilinear(monkeypatch):
    monkeypatch.setattr(luminance, "BAND_PIXELS", 7 * 90)  # 7 rows a band: many bands
    small = torch.rand(1, 2, 9, 13) * 60 - 30
    height, width = 61, 90
    want = F.interpolate(small, size=(height, width), mode="bilinear", align_corners=False)
    wide = widen(small, width)
    got = torch.cat([rows_of(wide, height, b) for b in luminance.row_bands(height, width)], -2)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want, atol=1e-4, rtol=0)


def test_banded_merge_equals_the_whole_image_merge(monkeypatch):
    monkeypatch.setattr(luminance, "BAND_PIXELS", 5 * 40)
    torch.manual_seed(0)
    lightness = torch.rand(1, 1, 33, 40) * 100
    ab, unc = torch.rand(1, 2, 8, 10) * 120 - 60, torch.rand(1, 1, 8, 10)
    image, unc_full, region, image16 = merge_full_size(lightness, ab, unc, torch.ones(1, 1, 8, 10))
    assert image16 is None  # not asked for: an 8-bit photo
    whole = lab_to_rgb_keep_luminance(lightness, F.interpolate(
        ab, size=(33, 40), mode="bilinear", align_corners=False))
    want = (whole[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)
    got = np.asarray(image)
    assert got.shape == (33, 40, 3)
    assert np.abs(got.astype(int) - want).max() <= 1  # float rounding of the bilinear weights
    assert unc_full.shape == (33, 40) and unc_full.dtype == np.float32
    np.testing.assert_allclose(unc_full, F.interpolate(unc, size=(33, 40), mode="bilinear",
                                                       align_corners=False)[0, 0], atol=1e-5)
    assert np.all(np.asarray(region) == 1.0)  # the maps are made when read


def test_gray_photos_are_kept_as_one_byte_a_pixel_and_lightness_is_unchanged(monkeypatch):
    monkeypatch.setattr(luminance, "BAND_PIXELS", 3 * 17)
    rng = np.random.default_rng(3)
    gray = rng.integers(0, 256, (23, 17), dtype=np.uint8)
    color = rng.integers(0, 256, (23, 17, 3), dtype=np.uint8)
    for array, mode, shape in ((gray, "L", (23, 17)), (color, "RGB", (23, 17, 3))):
        loaded = load_image(_png(array, mode))
        assert loaded.pixels.dtype == np.uint8 and loaded.pixels.shape == shape
        assert loaded.is_color == (mode == "RGB")
        whole = luminance_of_rgb(torch.from_numpy(loaded.rgb).permute(2, 0, 1)[None].double())
        assert torch.equal(luminance.lightness_of(loaded), whole.float())
        back = np.asarray(luminance.gray_image(luminance.lightness_of(loaded)))
        if mode == "L":
            assert np.abs(back.astype(int) - gray).max() <= 1
