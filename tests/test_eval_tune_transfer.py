"""The rule that picks the exemplar transfer's gate (eval/tune_transfer.py) and its table."""

from __future__ import annotations

from dataclasses import asdict

from colorizer.pipeline.transfer import TransferConfig
from eval.tune_transfer import choose, markdown

PRESENCE = {"flag_scenes_min": 0.45, "flag_scenes_median": 0.6, "unrelated_max": 0.2,
            "unrelated_median": 0.03}


def _row(gate, flags, harm, own):
    return {"gate": gate, "flags": flags, "harm": harm, "own": own, "presence": PRESENCE}


def test_safe_gates_compete_on_flags_then_own_error():
    rows = [_row(None, 0.4, 0.0, 9.6), _row((0.3, 0.4, 0.0, 0.1), 0.86, 0.0, 6.3),
            _row((0.4, 0.5, 0.0, 0.1), 0.86, 0.01, 7.2), _row((0.2, 0.3, 0.0, 0.1), 0.95, 0.4, 6.0)]
    # The most flags right is unsafe (harm 0.4 > 0.05); of the two safe ties, lower own error.
    assert choose(rows, max_harm=0.05) == {"gate": (0.3, 0.4, 0.0, 0.1), "retrieved": True}


def test_without_a_safe_gate_only_the_users_exemplars_transfer():
    rows = [_row(None, 0.4, 0.0, 9.6), _row((0.3, 0.4, 0.0, 0.1), 0.86, 0.3, 6.30),
            _row((0.4, 0.5, 0.0, 0.1), 0.8, 0.1, 6.33), _row((0.2, 0.3, 0.0, 0.1), 0.9, 0.5, 7.0)]
    # Lowest own error 6.30; 6.33 is within the tie and leaks less, so it wins.
    assert choose(rows, max_harm=0.05) == {"gate": (0.4, 0.5, 0.0, 0.1), "retrieved": False}


def test_table_marks_the_chosen_gate_and_reports_the_presence_scores():
    rows = [_row(None, 0.4, 0.0, 9.6), _row([0.3, 0.4, 0.0, 0.1], 0.86, 0.0, 6.3)]
    report = {"rows": rows, "chosen": {"gate": [0.3, 0.4, 0.0, 0.1], "retrieved": True},
              "settings": {"flag_scenes": 21, "photos": 16, "max_harm": 0.05,
                           "base": asdict(TransferConfig())}}
    table = markdown(report)
    assert "| 0.3, 0.4, 0.0, 0.1 | 86% | +0.000 | 6.30 | user and retrieved exemplars |" in table
    assert "| transfer off | 40% | +0.000 | 9.60 |  |" in table
    assert "flag scenes min 0.45, median 0.60" in table
    assert "unrelated hints max 0.20" in table
    assert "nothing below 0.3 and fully from 0.4" in table
