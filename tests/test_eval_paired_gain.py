"""eval.paired_gain: two sweep rows compared photo by photo, with a bootstrap interval."""

from __future__ import annotations

import json

import numpy as np
import pytest

from eval.paired_gain import main, paired_gain, point_row


def _row(point: dict, val: dict[str, float], real: dict[str, float]) -> dict:
    def scores(per_photo):
        return {"de": 10.0 + float(np.mean(list(per_photo.values()))), "gray": 10.0,
                "photos": per_photo}
    return {"point": point, "scores": {"val": scores(val), "real": scores(real)}}


def _photos(rng, count, shift=0.0, spread=1.0):
    return {f"p{i}.jpg": float(v) for i, v in enumerate(rng.normal(shift, spread, count))}


def test_a_steady_gain_is_told_apart_and_photo_luck_is_not():
    rng = np.random.default_rng(3)
    val, real = _photos(rng, 90), _photos(rng, 57)
    better = _row({"p": 2}, {k: v - 0.3 for k, v in val.items()},
                  {k: v - 0.3 for k, v in real.items()})
    result = paired_gain(_row({"p": 1}, val, real), better, draws=2000)
    assert result.difference == pytest.approx(-0.3)
    assert result.high < 0 and result.verdict.startswith("B better")
    assert result.better_share == {"val": 1.0, "real": 1.0}

    def luck(photos):  # each photo moves by chance, the set on average not at all
        noise = rng.normal(0, 1, len(photos))
        return {k: v + e for (k, v), e in zip(photos.items(), noise - noise.mean(), strict=True)}

    noisy = _row({"p": 3}, luck(val), luck(real))
    result = paired_gain(_row({"p": 1}, val, real), noisy, draws=2000)
    assert result.low < 0 < result.high and result.verdict.startswith("no telling")
    assert result.photos == {"val": 90, "real": 57}


def test_rows_of_other_photos_or_without_per_photo_figures_are_refused():
    rng = np.random.default_rng(0)
    a = _row({"p": 1}, _photos(rng, 5), _photos(rng, 4))
    b = _row({"p": 2}, _photos(rng, 6), _photos(rng, 4))
    with pytest.raises(ValueError, match="other photos in 'val'"):
        paired_gain(a, b)
    old = {"chosen": {"point": {"p": 1}},
           "rows": [{"point": {"p": 1}, "scores": {"val": {"de": 1}, "real": {"de": 1}}}]}
    with pytest.raises(ValueError, match="no per-photo figures for 'val': sweep again"):
        point_row(old, None, "old.json")
    with pytest.raises(ValueError, match="holds 0 rows matching"):
        point_row({"rows": [a]}, {"p": 9}, "r.json")


def test_the_cli_reads_two_reports_and_names_a_bad_one(tmp_path, capsys):
    rng = np.random.default_rng(1)
    val, real = _photos(rng, 30), _photos(rng, 20)
    a = _row({"prior_correction": 0.7}, val, real)
    b = _row({"prior_correction": 0.85}, {k: v + 0.5 for k, v in val.items()}, real)
    report = tmp_path / "sweep.json"
    report.write_text(json.dumps({"chosen": a, "rows": [a, b]}))
    code = main([str(report), str(report), "--point-b", '{"prior_correction": 0.85}',
                 "--draws", "500"])
    out = capsys.readouterr().out
    assert code == 0
    assert "val: B - A +0.500 over 30 photos (B better on 0%)" in out
    assert "gain B - A +0.250" in out and "A better" in out

    (tmp_path / "bad.json").write_text("{not json")
    assert main([str(report), str(tmp_path / "bad.json")]) == 2
    assert "cannot read the sweep report" in capsys.readouterr().err


def test_real_color_dev_is_split_into_its_two_kinds_of_photo():
    val = {"v.jpg": 0.0}
    a = {"bopb__old_a.png": 0.0, "bopb__old_b.png": 0.0, "sokirko__Part1__x.jpg": 0.0,
         "sokirko__Part2__y.jpg": 0.0, "sokirko__Part3__z.jpg": 0.0}
    b = {"bopb__old_a.png": -0.2, "bopb__old_b.png": 0.1, "sokirko__Part1__x.jpg": 0.3,
         "sokirko__Part2__y.jpg": 0.3, "sokirko__Part3__z.jpg": -0.3}
    result = paired_gain(_row({"p": 1}, val, a), _row({"p": 2}, val, b), draws=100)
    assert set(result.by_kind) == {"old color photos", "Soviet slides"}
    diff, count, share = result.by_kind["old color photos"]
    assert (round(diff, 6), count, share) == (-0.05, 2, 0.5)
    diff, count, share = result.by_kind["Soviet slides"]
    assert (round(diff, 6), count, round(share, 3)) == (0.1, 3, 0.333)
