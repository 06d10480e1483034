"""The hints' tuning grid: names and values as typed, each to its config."""

from __future__ import annotations

import pytest

from colorizer.pipeline.hint_balance import BalanceConfig
from colorizer.pipeline.hint_spread import SpreadConfig
from eval.color_hints.tuning import SKIP, parse_grid, settings


def test_a_grid_is_names_and_values():
    grid = parse_grid(["gain=0.75,1", "spread.feature=0.3"])
    assert grid == {"gain": (0.75, 1.0), "spread.feature": (0.3,)}


def test_each_name_goes_to_its_config():
    balance, spread = settings({"gain": 0.5, "spread.feature": 0.45})
    assert balance == BalanceConfig(gain=0.5)
    assert spread == SpreadConfig(feature=0.45)
    assert settings({}) == (BalanceConfig(), SpreadConfig())
    with pytest.raises(TypeError):
        settings({"no_such_knob": 1.0})


def test_the_earlier_tuning_photos_stay_out():
    assert SKIP == 24  # `BalanceConfig`'s first choices were made on the first 24
