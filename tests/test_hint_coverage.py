"""Several points' loan fades where the photo shows something none of them sampled."""

from __future__ import annotations

import torch

from colorizer.pipeline.hint_learned import coverage


def _two_surfaces(h: int = 6, w: int = 8) -> torch.Tensor:
    """Unit descriptors: the left half one surface, the right half an orthogonal one."""
    unit = torch.zeros(2, h, w)
    unit[0, :, : w // 2] = 1.0
    unit[1, :, w // 2:] = 1.0
    return unit


def test_points_on_one_surface_lend_little_to_the_other():
    gate = coverage(_two_surfaces(), [(0, 0), (3, 1), (5, 2)], 0.2)
    assert torch.allclose(gate[:, :4], torch.ones(6, 4))  # what they sampled: in full
    assert float(gate[:, 4:].max()) < 1e-6  # distance 1 beyond a spread of 0


def test_points_on_both_surfaces_lend_everywhere():
    gate = coverage(_two_surfaces(), [(0, 0), (3, 6)], 0.2)
    assert torch.allclose(gate, torch.ones(6, 8))


def test_a_larger_scale_fades_more_gently():
    unit = torch.nn.functional.normalize(torch.rand(4, 6, 8, generator=torch.Generator()
                                                    .manual_seed(0)), dim=0)
    cells = [(0, 0), (1, 1)]
    sharp, gentle = coverage(unit, cells, 0.05), coverage(unit, cells, 0.5)
    assert bool((gentle >= sharp - 1e-6).all()) and float(gentle.mean()) > float(sharp.mean())
    assert float(gentle.min()) > 0.0
