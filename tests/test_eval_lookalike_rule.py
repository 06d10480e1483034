"""eval/lookalike_rule.py: the written rule picks the setting (most right, then the one that
changes less), without running the sweep."""

from context.lookalike_reader import LookalikeConfig
from eval.lookalike_rule import GRID, _label, _order


def _row(cfg, right):
    return {"setting": _label(cfg), "config": None if cfg is None else cfg.__dict__,
            "right": right}


def test_most_right_wins():
    rows = [_row(None, 10), _row(LookalikeConfig(min_confidence=0.8), 12)]
    assert min(rows, key=_order)["config"]["min_confidence"] == 0.8


def test_ties_go_to_the_setting_that_changes_less():
    off, low, high = None, LookalikeConfig(min_confidence=0.5), LookalikeConfig(
        min_confidence=0.8, fill_empty=False, years=False, year_override=False, script_tells=0)
    assert min([_row(low, 5), _row(off, 5)], key=_order)["config"] is None
    fewer = LookalikeConfig(min_confidence=0.5, fill_empty=False, years=False,
                            year_override=False, script_tells=0)
    assert min([_row(low, 5), _row(fewer, 5)], key=_order)["setting"] == "floor 0.5"
    assert min([_row(fewer, 5), _row(high, 5)], key=_order)["setting"] == "floor 0.8"


def test_the_grid_holds_the_reader_off_and_every_switch_at_each_floor():
    assert GRID[0] is None and len(GRID) == 1 + 3 * 8
    assert all(cfg.script_tells == 0 for cfg in GRID[1:])  # tells are stage 2's
