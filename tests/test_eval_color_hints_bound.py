"""The one-point bound's oracle (eval/color_hints/bound.py) on photos whose answer is known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from eval.color_hints.bound import case_of, reduction


def _case(truth_ab: tuple[float, float], hint: tuple[float, float]) -> dict:
    """16 x 16, L* 50, the no-hint output gray; the truth one color; the left half the
    point's segment."""
    none = np.zeros((16, 16, 3))
    none[..., 0] = 50.0
    truth = none.copy()
    truth[..., 1:] = truth_ab
    segment = np.zeros((16, 16), bool)
    segment[:, :8] = True
    return case_of("flat", none, truth, hint, (2, 2), segment)


def test_a_right_point_on_a_one_colored_photo_fixes_all_of_it_without_a_bound():
    cases = [_case((20.0, 10.0), (20.0, 10.0))]
    assert reduction(cases, float("inf"))["reduction_one_point"] == pytest.approx(1.0, abs=1e-6)
    inside = reduction(cases, 0.0)
    assert inside["reduction_one_point"] == pytest.approx(0.5, abs=1e-6)  # the segment only
    assert inside["bleed"] == 0.0
    bounded = reduction(cases, 1.0)
    assert bounded["bleed"] <= 1.0 + 1e-6
    assert 0.5 < bounded["reduction_one_point"] < 1.0


def test_a_point_that_says_what_the_output_already_shows_gains_nothing():
    """The hinted color is the output's own gray there: its residual is 0 and painting moves
    nothing, whatever the rest of the truth."""
    cases = [_case((15.0, 5.0), (0.0, 0.0))]
    for budget in (0.0, 1.0, float("inf")):
        row = reduction(cases, budget)
        assert row["reduction_one_point"] == pytest.approx(0.0, abs=1e-9)
        assert row["bleed"] == pytest.approx(0.0, abs=1e-9)


def test_a_limit_run_writes_outside_eval_results_and_out_is_taken_as_given(
        tmp_path, monkeypatch, capsys):
    from eval import common
    from eval.color_hints import bound

    (tmp_path / "data" / "photos-train").mkdir(parents=True)
    (tmp_path / "data" / "photos-train" / "a.jpg").write_bytes(b"")
    monkeypatch.setattr(common, "PARTIAL_RUNS", tmp_path / "partial")
    monkeypatch.setattr(bound.ColorizationPipeline, "from_pretrained", lambda *a, **k: None)
    monkeypatch.setattr(bound, "photos", lambda split, limit, shared: ["p1", "p2"][:limit])
    monkeypatch.setattr(bound, "photo_case",
                        lambda pipe, path, index: _case((20.0, 0.0), (20.0, 0.0)))
    shared = ["--shared", str(tmp_path / "data")]
    assert bound.main(["--limit", "2", *shared]) == 0
    assert "partial run (--limit 2)" in capsys.readouterr().err
    assert json.loads((tmp_path / "partial" / "color-hints-bound.json").read_text())[
        "photos"] == 2
    assert (tmp_path / "partial" / "color-hints-bound.md").is_file()
    assert bound.main(["--limit", "1", *shared, "--out", str(tmp_path / "typed")]) == 0
    assert json.loads((tmp_path / "typed" / "color-hints-bound.json").read_text())[
        "photos"] == 1


def test_a_limit_run_of_the_acceptance_figures_keeps_the_committed_report(
        tmp_path, monkeypatch, capsys):
    """`python -m eval.color_hints --limit 3` once overwrote eval/results/color-hints.*: a run
    on other than the acceptance's 20 photos now writes outside eval/results."""
    from eval import common
    from eval.color_hints import cli

    for folder in ("photos-train", "flags"):
        (tmp_path / "data" / folder).mkdir(parents=True)
        (tmp_path / "data" / folder / "a.jpg").write_bytes(b"")

    class Loaded(Exception):
        pass

    def stop(*args, **kwargs):
        raise Loaded

    monkeypatch.setattr(common, "PARTIAL_RUNS", tmp_path / "partial")
    monkeypatch.setattr(cli.ColorizationPipeline, "from_pretrained", stop)
    with pytest.raises(Loaded):
        cli.main(["--limit", "3", "--shared", str(tmp_path / "data")])
    assert f"partial run (--limit 3): writing to {tmp_path / 'partial'}" in capsys.readouterr().err
