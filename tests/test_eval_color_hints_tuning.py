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


def test_an_output_in_a_missing_folder_is_refused_before_the_run(capsys):
    from eval.color_hints.tuning import main

    with pytest.raises(SystemExit) as exit_:
        main(["--out", "no/such/folder/rows.json"])
    assert exit_.value.code == 2
    assert "--out no/such/folder/rows.json: folder no/such/folder does not exist" in (
        capsys.readouterr().err)


def test_the_val_tuning_set_leaves_the_acceptance_photos_out():
    from eval.color_hints.cli import photos
    from eval.color_hints.tuning import ACCEPTANCE, tuning_photos

    acceptance = set(photos("val", ACCEPTANCE))
    tuning = tuning_photos("val", 1000)
    assert len(acceptance) == ACCEPTANCE and len(tuning) > 50
    assert not acceptance & set(tuning)
    assert len(set(tuning) | acceptance) == len(photos("val", 1000))  # the rest of the split
    train = set(tuning_photos("train", 30))
    assert not train & set(tuning) and len(train) == 30
