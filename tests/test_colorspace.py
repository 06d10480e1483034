import numpy as np
import pytest
import torch
from skimage import color

from colorizer.model.colorspace import (
    gray_rgb_from_lightness,
    lab_to_rgb,
    lab_to_rgb_keep_luminance,
    luminance_of_rgb,
    rgb_to_lab,
)


def test_rgb_to_lab_matches_skimage():
    rgb = torch.rand(1, 3, 32, 48, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    ours = rgb_to_lab(rgb)[0].permute(1, 2, 0).numpy()
    ref = color.rgb2lab(rgb[0].permute(1, 2, 0).numpy())
    assert np.abs(ours - ref).max() < 0.02  # skimage's D65 white differs in the 5th digit


def test_round_trip_is_exact():
    rgb = torch.rand(2, 3, 16, 16, dtype=torch.float64)
    assert (lab_to_rgb(rgb_to_lab(rgb)) - rgb).abs().max() < 1e-5


def test_primary_colors_known_values():
    red = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64).view(1, 3, 1, 1)
    lab = rgb_to_lab(red).flatten().tolist()
    assert lab == pytest.approx([53.24, 80.09, 67.20], abs=0.05)


def test_keep_luminance_with_out_of_gamut_chroma():
    lightness = torch.linspace(1, 99, 64 * 64, dtype=torch.float64).view(1, 1, 64, 64)
    ab = torch.randn(1, 2, 64, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    out = lab_to_rgb_keep_luminance(lightness, ab * 100)  # far outside the gamut
    assert out.min() >= 0 and out.max() <= 1
    assert (luminance_of_rgb(out) - lightness).abs().max() < 0.05
    clipped = lab_to_rgb(torch.cat([lightness, ab * 100], 1))
    assert (luminance_of_rgb(clipped) - lightness).abs().max() > 1.0  # why we do not clip


def test_gray_from_lightness_has_that_lightness_and_no_chroma():
    lightness = torch.tensor([0.0, 12.5, 50.0, 99.0], dtype=torch.float64).view(1, 1, 2, 2)
    gray = gray_rgb_from_lightness(lightness)
    lab = rgb_to_lab(gray)
    assert (lab[:, :1] - lightness).abs().max() < 1e-4
    assert lab[:, 1:].abs().max() < 1e-4
