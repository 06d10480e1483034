"""A point's geodesic search stops where its distance no longer changes a weight, and what an
edit reuses is computed once (colorizer/pipeline/hint_spread.py)."""

from __future__ import annotations

import numpy as np
import torch
from skimage.graph import MCP_Geometric

from colorizer.pipeline.hint_spread import (
    SpreadConfig,
    SpreadMemo,
    distance_limit,
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
