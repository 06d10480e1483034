"""Rule 8's red guard on reports shaped as eval.real_photos and eval.flag_scenes write them."""

import json

import pytest

from eval import red_guard


def real_report(shares: dict[str, float]) -> dict:
    return {"photos": [{"file": name, "conditions": {"none": {"falsely_red": share}}}
                       for name, share in shares.items()]}


def flags_report(false_red: float, any_red: float | None = None) -> dict:
    """A bare-photo control whose photos are all `false_red` strongly red where the truth is
    not red ("leak": a bare photo has no flag), and `any_red` strongly red in all."""
    control = [{"group": "control", "conditions": {"none": {"leak": false_red}}}] * 30
    flag = [{"group": "soviet", "conditions": {"none": {"leak": 0.5}}}]  # not the control's
    return {"summary": {"control": {"photos": 30, "strong_none": any_red or false_red}},
            "records": flag + control}


def run(tmp_path, real: dict, flags: dict, capsys) -> tuple[int, str]:
    (tmp_path / "real.json").write_text(json.dumps(real))
    (tmp_path / "flags.json").write_text(json.dumps(flags))
    code = red_guard.main(["--real", str(tmp_path / "real.json"),
                           "--flags", str(tmp_path / "flags.json")])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_checkpoint_within_every_bound_passes(tmp_path, capsys):
    code, out = run(tmp_path, real_report({"a.png": 0.0, "b.png": 0.0015}),
                    flags_report(0.0003), capsys)
    assert code == 0
    assert out.count("PASS") == 3 and "rule 8: passes" in out


def test_one_red_photo_fails_even_when_the_mean_holds(tmp_path, capsys):
    shares = {f"p{i}.png": 0.0 for i in range(99)} | {"wreath.png": 0.06}
    code, out = run(tmp_path, real_report(shares), flags_report(0.0), capsys)
    assert code == 1
    assert "PASS  real-color-dev falsely red, mean over photos: 0.06%" in out
    assert "FAIL  real-color-dev falsely red, worst photo: 6.00% (at most 5.0%) (wreath.png)" in out


def test_a_red_control_fails(tmp_path, capsys):
    code, out = run(tmp_path, real_report({"a.png": 0.0}), flags_report(0.0028), capsys)
    assert code == 1
    assert "FAIL  flag-scene control, falsely strongly red without a hint: 0.28%" in out


def test_a_control_red_where_its_truth_is_red_passes(tmp_path, capsys):
    """Rule 18: a red pillow painted red is no false red; the old share is printed beside."""
    code, out = run(tmp_path, real_report({"a.png": 0.0}), flags_report(0.0004, 0.0031), capsys)
    assert code == 0
    assert ("PASS  flag-scene control, falsely strongly red without a hint: 0.04% (at most "
            "0.1%) (30 bare photos; any strong red 0.31%)") in out


def test_a_flag_report_without_a_control_is_refused(tmp_path, capsys):
    flags = flags_report(0.0)
    flags["records"] = flags["records"][:1]
    code, out = run(tmp_path, real_report({"a.png": 0.0}), flags, capsys)
    assert code == 2 and "no bare control photo" in out


@pytest.mark.parametrize("real, message", [
    (None, "no real-color-dev report at"),
    ({"photos": []}, "not an eval.real_photos / eval.flag_scenes report"),
    ({"rows": []}, "not an eval.real_photos / eval.flag_scenes report"),
])
def test_missing_or_foreign_reports_are_named(tmp_path, capsys, real, message):
    flags = tmp_path / "flags.json"
    flags.write_text(json.dumps(flags_report(0.0)))
    path = tmp_path / "real.json"
    if real is not None:
        path.write_text(json.dumps(real))
    try:
        code = red_guard.main(["--real", str(path), "--flags", str(flags)])
    except SystemExit as stop:
        code = stop.code
    assert code == 2
    assert message in capsys.readouterr().err
