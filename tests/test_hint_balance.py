"""Several point hints correct the photo beyond their regions: the cast they agree on shifts
it, their residuals spread over like pixels (capped); one point, or points that disagree,
shift nothing; without hints the colors are step 6's exactly."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.color_hints import Box, ColorHint, Point
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.full_size import merge_full_size
from colorizer.pipeline.hint_balance import (
    SCALE_MAX,
    BalanceConfig,
    beyond_regions,
    cast_shift,
    chroma_slope,
    color_points,
    point_residuals,
    residual_field,
    uncertainty_scale,
)
from colorizer.pipeline.hint_spread import hint_ab
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of

RED = "#c01818"


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)


@pytest.fixture(scope="module")
def halves() -> Image.Image:
    """96 x 64 gray: a dark left half, a light right half, a sharp edge at x = 48, grain."""
    rng = np.random.default_rng(1)
    pixels = np.where(np.arange(96)[None, :] < 48, 70.0, 190.0) + rng.normal(0, 2, (64, 96))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def _ab(image: Image.Image) -> np.ndarray:
    rgb = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0)
    return rgb_to_lab(rgb.permute(2, 0, 1)[None])[0, 1:].permute(1, 2, 0).numpy()


def test_residuals_are_the_hint_minus_the_prediction_at_the_point():
    ab = torch.zeros(1, 2, 32, 48)
    ab[:, 0] = 5.0  # the prediction: a* 5, b* 0 everywhere
    hints = [ColorHint(Point(10, 10), RED), ColorHint(Box(0, 0, 5, 5), RED)]
    residuals = point_residuals(color_points(hints), ab, (96, 64))
    a, b = hint_ab((0xc0, 0x18, 0x18))
    assert residuals.shape == (1, 2)  # the box is not a point: it does not count
    assert residuals[0].tolist() == pytest.approx([a - 5.0, b], abs=1e-4)


def test_the_shift_needs_agreeing_points():
    config = BalanceConfig()
    one = torch.tensor([[20.0, -10.0]], dtype=torch.float64)
    assert not cast_shift(one, config).any()  # one point: no evidence of a cast
    agree = torch.tensor([[20.0, -10.0], [21.0, -9.0], [19.0, -11.0]], dtype=torch.float64)
    a, b = cast_shift(agree, config).tolist()
    assert 0.9 * config.gain * 20 < a <= config.gain * 20  # nearly the mean, x gain
    assert config.gain * -10 <= b < 0.9 * config.gain * -10
    disagree = torch.tensor([[40.0, 30.0], [-35.0, -30.0]], dtype=torch.float64)
    assert not cast_shift(disagree, config).any()  # a red flag and a blue sky
    assert not cast_shift(agree, BalanceConfig(gain=0.0)).any()  # turned off
    with pytest.raises(ValueError, match="gain must not be negative"):
        BalanceConfig(gain=-1.0)


def test_the_slope_scales_colors_when_the_residuals_grow_with_the_prediction():
    config = BalanceConfig(slope_gain=1.0, slope_shrink=1.0)
    predicted = torch.tensor([[0.0, 0.0], [10.0, 5.0], [20.0, -5.0], [-10.0, 10.0]],
                             dtype=torch.float64)
    dull = 0.5 * predicted + torch.tensor([3.0, -2.0], dtype=torch.float64)  # truth 1.5 x
    assert chroma_slope(dull, predicted, config) == pytest.approx(0.5)  # no noise: no shrink
    noisy = dull + torch.tensor([[4.0, -3.0], [-5.0, 2.0], [3.0, 4.0], [-2.0, -3.0]],
                                dtype=torch.float64)
    assert 0 < chroma_slope(noisy, predicted, config) < 0.5  # shrunk toward 0
    assert chroma_slope(dull[:2], predicted[:2], config) == 0.0  # 2 points: a cast at most
    assert chroma_slope(dull, predicted, BalanceConfig(slope_gain=0.0)) == 0.0  # off
    assert chroma_slope(-3 * predicted, predicted, config) == -1.0  # never past gray
    with pytest.raises(ValueError, match="slope_gain must not be negative"):
        BalanceConfig(slope_gain=-1.0)


def test_one_points_field_is_off_unless_asked(pipe, halves):
    plain = pipe(halves)
    point = [ColorHint(Point(20, 30), RED)]
    light = (slice(None), slice(60, 96))
    for config, changed in (({}, False), ({"one_point_cap": 10.0,
                                            "field_tone": 200.0}, True)):
        hinted = pipe.with_config(hint_balance=config)(halves, color_hints=point)
        same = np.array_equal(np.asarray(hinted.image)[light], np.asarray(plain.image)[light])
        assert same is not changed


def test_the_field_reaches_like_pixels_and_is_capped():
    grid = np.full((16, 16), 40.0)
    grid[:, 8:] = 100.0  # two tones: the points sit on the dark one
    points = [ColorHint(Point(1, 1), RED), ColorHint(Point(2, 14), RED)]
    left = torch.tensor([[30.0, 0.0], [30.0, 0.0]], dtype=torch.float64)
    field = residual_field(points, left, grid, None, (16, 16), BalanceConfig())[0]
    assert field.shape == (2, 16, 16)
    assert torch.allclose(field[0, :, :8], torch.tensor(10.0))  # like pixels: the cap
    assert float(field[0, :, 8:].abs().max()) < 0.1  # 60 L* apart: almost nothing
    wide = residual_field(points, left, grid, None, (16, 16), BalanceConfig(field_cap=50.0))
    assert torch.allclose(wide[0, 0, :, :8], torch.tensor(30.0))


def test_agreeing_points_shift_what_they_do_not_reach(pipe, halves):
    plain = pipe(halves)
    one = pipe(halves, color_hints=[ColorHint(Point(20, 30), RED)])
    three = pipe(halves, color_hints=three_hints(halves))
    light = (slice(None), slice(60, 96))  # the light half: no point's region reaches it
    assert np.array_equal(np.asarray(one.image)[light], np.asarray(plain.image)[light])
    shift = _ab(three.image)[light].mean((0, 1)) - _ab(plain.image)[light].mean((0, 1))
    assert shift[0] > 10  # toward the red the points agree on
    assert any("agree on a color cast" in note for note in three.notes)
    off = pipe.with_config(hint_balance={"gain": 0.0, "field_cap": 0.0, "slope_gain": 0.0})
    alone = off(halves, color_hints=three_hints(halves))
    assert np.array_equal(np.asarray(alone.image)[light], np.asarray(plain.image)[light])
    assert not any("color cast" in note for note in one.notes)


def three_hints(halves: Image.Image) -> list[ColorHint]:
    return [ColorHint(Point(x, y), RED) for x, y in ((10, 10), (20, 50), (38, 30))]


def test_no_hints_leave_step_6_colors_exactly(pipe, halves):
    image = halves.rotate(90, expand=True)  # a photo no other test gave this pipeline
    result = pipe(image, color_hints=[])
    base = list(pipe.edits._runs.values())[-1]
    lightness = lightness_of(load_image(image))
    merged = merge_full_size(lightness, base.ab_work, base.colors.uncertainty.float(),
                             base.colors.context_weight.float()).image
    assert np.array_equal(np.asarray(result.image), np.asarray(merged))



def test_the_uncertainty_scale_is_relative_and_bounded():
    u = torch.tensor([[[[0.2, 0.4], [0.6, 0.8]]]])
    off = BalanceConfig(uncertainty_power=0.0)
    assert uncertainty_scale(u, (2, 2), off) is None  # power 0: all alike
    assert uncertainty_scale(None, (2, 2), BalanceConfig(uncertainty_power=1.0)) is None
    scale = uncertainty_scale(u, (2, 2), BalanceConfig(uncertainty_power=1.0))[0, 0]
    assert scale.flatten().tolist() == pytest.approx([0.4, 0.8, 1.2, 1.6])  # u / mean u
    squared = uncertainty_scale(u, (2, 2), BalanceConfig(uncertainty_power=2.0))[0, 0]
    assert squared.flatten().tolist() == pytest.approx([0.16, 0.64, 1.44, 2.56])
    sure = torch.tensor([[[[1e-4, 1.0]]]])  # a near-certain pixel still moves a little
    bounded = uncertainty_scale(sure, (1, 2), BalanceConfig(uncertainty_power=3.0))[0, 0]
    assert bounded.flatten().tolist() == pytest.approx([0.1, SCALE_MAX])
    with pytest.raises(ValueError, match="uncertainty_power must not be negative"):
        BalanceConfig(uncertainty_power=-1.0)


def test_uncertain_pixels_move_more_and_the_points_get_their_residual():
    """Cast only: three agreeing points on the unsure left half (u 0.8) correct it by their
    residual; the sure right half (u 0.2) by a quarter of it (power 1), not at all alike."""
    ab = torch.zeros(1, 2, 16, 32)
    u = torch.full((1, 1, 16, 32), 0.2)
    u[..., :16] = 0.8
    points = [ColorHint(Point(x, y), RED) for x, y in ((4, 4), (8, 12), (12, 6))]
    grid, effective = np.full((16, 32), 50.0), torch.zeros(3, 16, 32)
    config = BalanceConfig(gain=1.0, shrink=0.0, field_cap=0.0, slope_gain=0.0,
                           uncertainty_power=1.0)
    out, _ = beyond_regions(points, ab, grid, None, effective, (32, 16), config, None, u)
    a, b = hint_ab((0xc0, 0x18, 0x18))
    assert out[0, :, 8, 4].tolist() == pytest.approx([a, b], rel=1e-4)  # the residual
    assert out[0, :, 8, 28].tolist() == pytest.approx([a / 4, b / 4], rel=1e-4)
    alike, _ = beyond_regions(points, ab, grid, None, effective, (32, 16),
                              BalanceConfig(gain=1.0, shrink=0.0, field_cap=0.0,
                                            slope_gain=0.0, uncertainty_power=0.0), None, u)
    assert torch.allclose(alike[0, :, 8, 4], alike[0, :, 8, 28])  # power 0: u not read
