"""Decoding steps of colorizer.pipeline.chroma: hue agreement, balance shift, edge-following
chroma."""

from __future__ import annotations

import pytest
import torch

from colorizer.pipeline.chroma import (
    ChromaConfig,
    chroma_at,
    guided_filter,
    hue_agreement,
    shift_balance,
)


def test_agreement_is_one_for_one_hue_and_low_for_opposite_hues():
    bins = torch.tensor([[40.0, 0.0], [-40.0, 0.0], [0.0, 0.0]])
    one_hue = torch.tensor([0.9, 0.0, 0.1]).view(1, 3, 1, 1)
    split = torch.tensor([0.5, 0.5, 0.0]).view(1, 3, 1, 1)
    lopsided = torch.tensor([0.7, 0.3, 0.0]).view(1, 3, 1, 1)
    assert float(hue_agreement(one_hue, bins)) == pytest.approx(1.0, abs=1e-4)
    assert float(hue_agreement(split, bins)) == pytest.approx(0.0, abs=1e-4)
    assert float(hue_agreement(lopsided, bins)) == pytest.approx(0.4, abs=1e-4)


def test_balance_shift_moves_the_mean_by_its_strength_and_keeps_the_pattern():
    ab = torch.zeros(1, 2, 4, 4)
    ab[:, 0, :2] = 10.0  # mean a* 5, b* 0
    target = torch.tensor([[-5.0, 4.0]])
    half = shift_balance(ab, target, 0.5)
    assert half.mean(dim=(2, 3))[0].tolist() == pytest.approx([0.0, 2.0])
    assert torch.allclose(half - ab, (half - ab)[..., :1, :1].expand_as(ab))  # uniform
    assert torch.equal(shift_balance(ab, target, 0.0), ab)


def test_guided_filter_keeps_an_edge_that_plain_smoothing_blurs():
    guide = torch.zeros(1, 1, 32, 32)
    guide[..., 16:] = 1.0  # a sharp edge in the luminance
    source = torch.zeros(1, 1, 32, 32)
    source[..., 14:] = 30.0  # chroma that spills two pixels over the edge
    out = guided_filter(guide, source, radius=4, eps=1e-4)[0, 0, 16]
    blurred = torch.nn.functional.avg_pool2d(source, 9, 1, 4, count_include_pad=False)[0, 0, 16]
    assert float(out[24]) == pytest.approx(30.0, abs=1.5)
    assert float(out[4]) == pytest.approx(0.0, abs=1.5)
    # Across the edge the output jumps; the plain blur ramps over the whole window.
    assert float(out[16] - out[15]) > 2 * float(blurred[16] - blurred[15])


def test_chroma_at_reaches_the_photo_size_with_and_without_edges():
    ab = torch.randn(1, 2, 6, 8)
    lightness = torch.rand(1, 1, 48, 64) * 100
    assert chroma_at(ab, lightness, ChromaConfig()).shape == (1, 2, 48, 64)
    assert chroma_at(ab, lightness, ChromaConfig(edge_radius=0.02)).shape == (1, 2, 48, 64)


@pytest.mark.parametrize("field,value", [("agreement_power", -1.0), ("balance_strength", 1.5),
                                         ("edge_radius", 0.5), ("edge_eps", 0.0)])
def test_settings_out_of_range_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        ChromaConfig(**{field: value})


def test_with_config_takes_chroma_changes_as_a_dict_and_names_unknown_keys(tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False)
    changed = pipe.with_config(chroma={"agreement_power": 2.0})
    assert changed.decoding.chroma.agreement_power == 2.0
    assert changed.decoding.chroma.edge_eps == pipe.decoding.chroma.edge_eps
    with pytest.raises(ValueError, match="valid keys"):
        pipe.with_config(chroma={"agreement": 2.0})


@pytest.mark.parametrize("radius", [1, 4, 15])
def test_the_box_mean_from_cumulative_sums_matches_pooling(radius):
    from colorizer.pipeline.chroma import _box

    x = torch.rand(1, 2, 40, 56)
    padded = torch.nn.functional.pad(x, (radius,) * 4, mode="replicate")
    reference = torch.nn.functional.avg_pool2d(padded, 2 * radius + 1, stride=1)
    assert torch.allclose(_box(x, radius), reference, atol=1e-5)
