"""The merge at full size in bands (full_size.py, merge_bands.py) gives the values of the
whole-image merge: bilinear upsampling of every row at once, rounded as before."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from colorizer.model.colorspace import lab_to_rgb_keep_luminance
from colorizer.pipeline import luminance
from colorizer.pipeline.band_upsample import rows_of
from colorizer.pipeline.full_size import merge_full_size


def whole_image_merge(lightness, ab, uncertainty, region):
    """The merge done at once, as it was before it went by bands: every row of the small maps
    widened first (F.interpolate along the width), then all rows upsampled along the height,
    rounded with the expressions the merge used."""
    height, width = lightness.shape[-2:]

    def up(t):
        wide = F.interpolate(t.float(), size=(t.shape[-2], width), mode="bilinear",
                             align_corners=False)
        return rows_of(wide, height, slice(0, height))

    rgb = lab_to_rgb_keep_luminance(lightness, up(ab))[0].permute(1, 2, 0).numpy()
    rgb8 = (rgb * 255.0 + 0.5).astype(np.uint8)
    rgb16 = (rgb * np.float32(65535) + np.float32(0.5)).astype(np.uint16)
    return (rgb8, rgb16, up(uncertainty)[0, 0].numpy().clip(0, 1),
            up(region)[0, 0].numpy().clip(0, 1))


@pytest.fixture()
def small_photo():
    generator = torch.Generator().manual_seed(7)
    lightness = torch.rand((1, 1, 37, 64), generator=generator) * 100
    ab = (torch.rand((1, 2, 9, 13), generator=generator) - 0.5) * 160  # some out of gamut
    uncertainty = torch.rand((1, 1, 5, 7), generator=generator) * 1.2 - 0.1  # clipped
    uncertainty[..., 0, 0] = -0.3
    region = torch.zeros((1, 1, 5, 7))
    region[..., 1:3, 2:5] = 0.8
    return lightness, ab, uncertainty, region


@pytest.mark.parametrize("band_pixels", [64, 3 * 64, 1 << 20])  # 1 row, 3 rows, all at once
def test_banded_merge_equals_whole_image_merge(small_photo, monkeypatch, band_pixels):
    monkeypatch.setattr(luminance, "BAND_PIXELS", band_pixels)
    lightness, ab, uncertainty, region = small_photo
    merged = merge_full_size(lightness, ab, uncertainty, region, deep=True)
    rgb8, rgb16, unc, reg = whole_image_merge(lightness, ab, uncertainty, region)
    assert merged.image.size == (64, 37)
    np.testing.assert_array_equal(np.asarray(merged.image), rgb8)
    np.testing.assert_array_equal(merged.image16, rgb16)
    np.testing.assert_array_equal(merged.uncertainty, unc)
    np.testing.assert_array_equal(merged.region, reg)
    whole = np.asarray(merged.uncertainty)  # the maps are made when read (upsampled_map.py)
    assert whole.min() == 0 and whole.max() == 1  # clipped
    assert np.asarray(merged.region).max() > 0


def test_eight_bit_merge_has_no_16_bit_image_and_a_zero_region(small_photo):
    lightness, ab, uncertainty, _ = small_photo
    merged = merge_full_size(lightness, ab, uncertainty, torch.zeros((1, 1, 5, 7)))
    rgb8, _, unc, _ = whole_image_merge(lightness, ab, uncertainty, torch.zeros((1, 1, 5, 7)))
    assert merged.image16 is None
    np.testing.assert_array_equal(np.asarray(merged.image), rgb8)
    np.testing.assert_array_equal(merged.uncertainty, unc)
    region = np.asarray(merged.region)
    assert region.dtype == np.float32 and not region.any()


def test_separable_upsampling_is_bilinear_to_float_rounding(small_photo):
    """What the merge upsamples is F.interpolate's bilinear upsampling, to float rounding."""
    _, ab, _, _ = small_photo
    wide = F.interpolate(ab, size=(9, 64), mode="bilinear", align_corners=False)
    direct = F.interpolate(ab, size=(37, 64), mode="bilinear", align_corners=False)
    torch.testing.assert_close(rows_of(wide, 37, slice(0, 37)), direct, rtol=0, atol=1e-4)


def test_maps_larger_than_the_photo_are_sampled_alike(monkeypatch):
    """A photo smaller than the chroma's working size: each band still reads its rows."""
    monkeypatch.setattr(luminance, "BAND_PIXELS", 16)  # one row a band
    generator = torch.Generator().manual_seed(11)
    lightness = torch.rand((1, 1, 7, 16), generator=generator) * 60 + 20
    ab = (torch.rand((1, 2, 20, 30), generator=generator) - 0.5) * 40
    uncertainty = torch.rand((1, 1, 12, 9), generator=generator)
    merged = merge_full_size(lightness, ab, uncertainty, uncertainty * 0.5)
    rgb8, _, unc, reg = whole_image_merge(lightness, ab, uncertainty, uncertainty * 0.5)
    np.testing.assert_array_equal(np.asarray(merged.image), rgb8)
    np.testing.assert_array_equal(merged.uncertainty, unc)
    np.testing.assert_array_equal(merged.region, reg)
