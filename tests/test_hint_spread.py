"""A point's geodesic search stops where its distance no longer changes a weight, and what an
edit reuses is computed once (colorizer/pipeline/hint_spread.py)."""

from __future__ import annotations

import numpy as np
import torch
from skimage.graph import MCP_Geometric

from colorizer.pipeline.hint_spread import (
    LOOSEN_MAX,
    FeatureMap,
    SpreadConfig,
    SpreadMemo,
    distance_limit,
    feature_widening,
    point_distances,
    point_weights,
    step_costs,
)


def _grid() -> np.ndarray:
    """64 x 96 L*: an even left part, a sharp edge at x = 40, a noisy right part."""
    rng = np.random.default_rng(5)
    grid = np.where(np.arange(96)[None, :] < 40, 30.0, 80.0) + rng.normal(0, 3, (64, 96))
    return grid


def test_the_bounded_search_equals_the_full_one_where_it_matters():
    grid, config = _grid(), SpreadConfig(reach=0.1, fade=0.05)
    costs = step_costs(grid, config)
    seeds = [(10, 10), (50, 70)]
    bounded = point_distances(grid, costs, seeds, config)
    limit = distance_limit(grid.shape, config)
    for k, (row, col) in enumerate(seeds):
        step = costs + ((grid - grid[row, col]) / config.tone) ** 2
        full = MCP_Geometric(step).find_costs([(row, col)])[0]
        near = full <= limit
        assert 0 < near.mean() < 1  # the bound cut the search short
        assert np.array_equal(bounded[k][near], full[near])
        assert np.all(bounded[k][~near] == limit)
        full_weights = point_weights(np.stack([full if j == k else bounded[j]
                                               for j in range(2)]), config)
        assert np.allclose(point_weights(bounded, config), full_weights, atol=1e-6)


def test_the_memo_computes_each_points_distance_once():
    grid, config = _grid(), SpreadConfig()
    memo = SpreadMemo(lambda: torch.zeros(1, 4, 8, 12))
    costs = step_costs(grid, config)
    first = point_distances(grid, costs, [(10, 10)], config, memo=memo)
    calls = []
    kept = memo.keep("distance", (10, 10, grid.shape, config, False, config.feature),
                     lambda: calls.append(1))
    assert not calls and np.array_equal(kept, first[0])
    both = point_distances(grid, costs, [(10, 10), (40, 80)], config, memo=memo)
    assert np.array_equal(both[0], first[0])
    assert memo.keep("costs", ("x",), lambda: 1) == 1 == memo.keep("costs", ("x",), lambda: 2)


def test_a_point_near_the_models_color_spreads_across_less_alike_descriptors():
    """Even L*, descriptors that change at x = 40 (cosine distance 0.3 across): a point whose
    residual is small crosses more cheaply than one the model got far wrong."""
    config = SpreadConfig(feature=0.3, loosen=20.0)
    assert feature_widening(30.0, config) == 1.0  # far from the model: the strict scale
    assert feature_widening(10.0, config) == 2.0
    assert feature_widening(1.0, config) == LOOSEN_MAX
    assert feature_widening(1.0, SpreadConfig(loosen=0.0)) == 1.0  # off
    grid = np.full((32, 96), 50.0)
    unit = torch.zeros(2, 32, 96)
    unit[0] = 1.0
    unit[:, :, 40:] = torch.tensor([0.7, (1 - 0.7 ** 2) ** 0.5])[:, None, None]
    features = FeatureMap(unit)
    costs = step_costs(grid, config)
    near, far = (point_distances(grid, costs, [(16, 10)], config, features,
                                 residuals=[r])[0] for r in (2.0, 40.0))
    assert np.allclose(near[:, :40], far[:, :40])  # the same on the point's own side
    assert near[16, 80] < 0.7 * far[16, 80]  # cheaper across the change
