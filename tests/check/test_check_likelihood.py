"""The model's likelihood of a colorization's colors, and what counts as unlikely skin."""

from __future__ import annotations

import numpy as np
import torch

from colorizer.check.likelihood import (
    likelihood_ratio,
    not_skin,
    pooled,
    regions,
    skin_mass,
    window_matrix,
)

BINS = torch.tensor([[0.0, 0.0], [60.0, 40.0], [10.0, -45.0], [15.0, 25.0]])


def test_ratio_is_one_for_the_best_color_and_small_for_an_unlikely_one():
    probs = torch.zeros(4, 1, 2)
    probs[1] = torch.tensor([[0.97, 0.97]])  # the model: red, nearly surely
    probs[2] = torch.tensor([[0.01, 0.01]])
    probs[0] = torch.tensor([[0.02, 0.02]])
    pool = pooled(probs, window_matrix(BINS))
    seen = torch.tensor([[[58.0, 12.0]], [[41.0, -44.0]]]).reshape(2, 1, 2)  # red, blue
    ratio = likelihood_ratio(pool, BINS, seen)
    assert ratio.shape == (1, 2)
    assert ratio[0, 0] == 1.0
    assert ratio[0, 1] < 0.02


def test_skin_mass_and_not_skin():
    probs = torch.tensor([0.1, 0.0, 0.0, 0.9])[:, None, None]
    assert abs(float(skin_mass(probs, BINS)[0, 0]) - 0.9) < 1e-6
    ab = np.array([[15.0, 25.0], [-30.0, 20.0], [2.0, 3.0], [10.0, -40.0]])
    assert not_skin(ab).tolist() == [False, True, False, True]


def test_regions_largest_first_and_small_ones_dropped():
    mask = np.zeros((20, 20), bool)
    mask[:10, :10] = True
    mask[15:17, 15:17] = True
    found = regions(mask, 0.005)
    assert [int(r.sum()) for r in found] == [100, 4]
    assert [int(r.sum()) for r in regions(mask, 0.05)] == [100]
