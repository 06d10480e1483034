"""eval.check's cases: deterministic, half wrong, the wrong color on the cloth's main parts
only, the right one the truth's; and the report's markdown."""

from __future__ import annotations

import numpy as np
import pytest

from eval.check.cases import WRONG_AB, build_cases, lab_of


@pytest.fixture(scope="module")
def cases():
    """The 24 scenes drawn and recolored (about 10 s idle: the tests using it are slow)."""
    from eval.common import SHARED_DATASETS

    if not (SHARED_DATASETS / "flags").is_dir():
        pytest.skip("../shared/datasets is absent")
    return build_cases(lambda gray, hint: gray.convert("RGB"))


@pytest.mark.slow
def test_cases_are_48_half_wrong_over_flags_and_uniforms(cases):
    assert len(cases) == 48 and sum(c.wrong for c in cases) == 24
    assert {c.cloth for c in cases} == {"soviet", "france", "us", "german_empire",
                                        "horizon_blue", "khaki"}
    assert {c.recolor for c in cases if c.cloth == "soviet" and c.wrong} == {"blue", "gray"}


@pytest.mark.slow
def test_right_and_wrong_differ_only_on_the_cloth(cases):
    right, wrong = cases[0], cases[1]
    assert right.id.endswith("right") and wrong.wrong and right.hint == "USSR 1950"
    a, b = lab_of(right.image), lab_of(wrong.image)
    changed = np.abs(a[..., 1:] - b[..., 1:]).max(-1) > 3
    assert changed.any() and not (changed & ~right.mask).any()
    # The right Soviet flag is red, the wrong one has the target a*b* where it changed.
    red = a[changed]
    assert np.median(np.degrees(np.arctan2(red[:, 2], red[:, 1])) % 360) < 60
    assert np.allclose(np.median(b[changed][:, 1:], 0), WRONG_AB[wrong.recolor], atol=4)
    # L* is the gray's (up to 8-bit rounding and gamut).
    gray_l = lab_of(right.gray.convert("RGB"))[..., 0]
    assert np.median(np.abs(a[..., 0] - gray_l)) < 1.0


@pytest.mark.slow
def test_cases_are_deterministic(cases):
    again = build_cases(lambda gray, hint: gray.convert("RGB"))[:2]
    for one, two in zip(cases[:2], again):
        assert np.array_equal(np.asarray(one.image), np.asarray(two.image))


def test_markdown_has_the_headline_rows():
    from eval.check.cli import markdown

    summary = {"cases": 2, "accuracy": 1.0, "wrong_flagged": 1, "wrong": 1, "right_passed": 1,
               "right": 1, "seconds": 1.0,
               "by_cloth": {"soviet": {"wrong": 1, "wrong_flagged": 1, "right": 1,
                                       "right_passed": 1}},
               "real_color_dev": {"photos": 10, "no_finding": 0.9, "by_kind": {"blob": 0.1}},
               "calibration": {"photos": 5, "no_finding": 1.0, "by_kind": {"blob": 0.0}}}
    text = markdown({"summary": summary, "cases": [], "real_color_dev": [],
                     "settings": {"model": {"name": "m", "version": "v"}, "flag_finder": True,
                                  "command": "python -m eval.check", "at": "now"}})
    assert "| cases right (wrong flagged + right passed) | 100.0% of 2 | >= 90% | PASS |" in text
    assert "| real-color-dev photos with no finding | 90.0% of 10 | >= 90% | PASS |" in text
    assert "| soviet | 1/1 | 1/1 |" in text


def test_sweep_chooses_most_cases_right_within_the_false_alarm_bound():
    from eval.check.sweep import choose

    def row(evidence, shade, false_alarm, accuracy, departure=0.0):
        return {"cloth_evidence": evidence, "shade_l": shade, "min_departure": departure,
                "calibration_knowledge": false_alarm, "case_accuracy": accuracy}

    rows = [row(0.6, 33.0, 0.08, 0.95),  # most right, but too many false alarms
            row(0.7, 33.0, 0.05, 0.9), row(0.72, 25.0, 0.04, 0.9),  # tie: fewer alarms
            row(0.8, 25.0, 0.01, 0.8)]
    assert choose(rows) == rows[2]
    assert choose([row(0.7, 33.0, 0.03, 0.9), row(0.72, 33.0, 0.03, 0.9)])["cloth_evidence"] \
        == 0.72
    assert choose([row(0.72, 20.0, 0.03, 0.9), row(0.72, 25.0, 0.03, 0.9)])["shade_l"] == 25.0
    assert choose([row(0.72, 25.0, 0.03, 0.9), row(0.72, 25.0, 0.03, 0.9, 2.5),
                   row(0.72, 25.0, 0.03, 0.85, 5.0)])["min_departure"] == 2.5
    assert choose([row(0.6, 33.0, 0.2, 0.9), row(0.9, 33.0, 0.1, 0.5)])["cloth_evidence"] == 0.9
    # The gray field share breaks ties after shade (the higher: fewer gray findings).
    tied = [{**row(0.7, 25.0, 0.03, 0.9), "gray_field": f} for f in (0.0, 0.6, 0.4)]
    assert choose(tied)["gray_field"] == 0.6
    assert choose([tied[0], {**row(0.7, 25.0, 0.03, 0.85), "gray_field": 0.7}]) == tied[0]


def test_the_sweep_report_records_the_chosen_settings_not_the_checkers_placeholders(
        tmp_path, monkeypatch):
    # The checker ran the sweep with min_departure 5.0 (the config's value then); every row
    # set its own, and the rule chose 0.0: the settings block must say 0.0.
    import argparse
    import json

    from eval.check import cli, sweep

    class Checker:
        def settings(self):
            return {"cloth_evidence": 0.6, "shade_l": 33.0, "min_documented": 0.0,
                    "min_departure": 5.0, "min_class": 0.2, "model": {"name": "m"}}

    chosen = {"cloth_evidence": 0.72, "shade_l": 25.0, "min_documented": 0.3,
              "gray_field": 0.6, "min_departure": 0.0}
    monkeypatch.setattr(sweep, "sweep", lambda checker, count, cache, shared: {
        "rows": [], "chosen": dict(chosen), "photos": 1, "cases": {1: 1},
        "max_false_alarm": 0.05})
    args = argparse.Namespace(calibration=1, cache=None, out=tmp_path, finder=None,
                              shared=tmp_path)
    assert cli._sweep(Checker(), args) == 0
    written = json.loads((tmp_path / "check-calibration.json").read_text())["settings"]
    assert {k: written[k] for k in chosen} == chosen
    assert written["min_class"] == 0.2 and written["model"] == {"name": "m"}
    assert written["finder"] == "colorizer/weights/check"  # which finder the sweep read


def test_a_finder_folder_without_a_finder_is_refused_before_any_work(tmp_path, capsys):
    from eval.check.cli import main

    assert main(["--finder", str(tmp_path), "--limit", "1"]) == 2
    err = capsys.readouterr().err
    assert f"--finder {tmp_path}: no flag_finder.safetensors there" in err


def test_the_reports_name_the_finder_they_used(tmp_path):
    from eval.check.cli import _finder_name, build_parser

    assert _finder_name(build_parser().parse_args([])) == "colorizer/weights/check"
    other = build_parser().parse_args(["--finder", "colorizer/weights/default"])
    assert _finder_name(other) == "colorizer/weights/default"
