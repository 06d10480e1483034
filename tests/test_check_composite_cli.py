"""`chronochrome check` through a subprocess on colorizations as posted online: a
"before | after" composite and a colorization of another photo (tiny generator).

Before: the composite passed with "lightness matches" (its gray half compared with the
original) and a note calling its color half a frame; the other photo's error began with a
reading of the shapes as a crop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_check_composite import GUTTER, before_after, scene

REPO = Path(__file__).resolve().parents[1]


def chronochrome(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *args], cwd=REPO,
                          check=False, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_composite_is_checked_by_its_color_half(tmp_path, tiny_weights):
    color = scene()
    gray = color.convert("L")
    gray.save(tmp_path / "archive.png")
    color.save(tmp_path / "alone.png")
    before_after(gray, color).save(tmp_path / "posted.png")
    runs = {}
    for name in ("posted", "alone"):
        runs[name] = chronochrome(
            "check", str(tmp_path / f"{name}.png"), "--original", str(tmp_path / "archive.png"),
            "--device", "cpu", "--weights", str(tiny_weights),
            "--json", str(tmp_path / f"{name}.json"), "--report", str(tmp_path / f"{name}.html"))
        assert runs[name].returncode in (0, 1), runs[name].stderr
        assert "Traceback" not in runs[name].stderr
    posted = json.loads((tmp_path / "posted.json").read_text())
    alone = json.loads((tmp_path / "alone.json").read_text())
    w, h = color.size
    assert runs["posted"].returncode == runs["alone"].returncode
    assert posted["luminance"]["mean_abs_delta_l"] == alone["luminance"]["mean_abs_delta_l"]
    assert posted["luminance"]["alignment"] is None  # not "lined up" onto its gray half
    assert posted["composite"] == {
        "layout": "side by side", "colorization_side": "right",
        "colorization_box": [w + GUTTER, 0, 2 * w + GUTTER, h], "gray_box": [0, 0, w, h],
        "size": [2 * w + GUTTER, h], "correlation": posted["composite"]["correlation"]}
    assert "composite" not in alone  # one colorization's JSON keeps its keys
    assert [f["message"] for f in posted["findings"]] == [f["message"] for f in alone["findings"]]
    note = f"note: the image ({2 * w + GUTTER}x{h}) is a before/after composite"
    assert note in runs["posted"].stderr
    assert "frame, border" not in runs["posted"].stderr
    assert "is a before/after composite" in (tmp_path / "posted.html").read_text()


@pytest.mark.slow
def test_another_photo_is_one_line_naming_it(tmp_path, tiny_weights):
    scene().convert("L").save(tmp_path / "archive.png")
    scene(seed=3, size=(120, 100)).save(tmp_path / "other_scene.png")
    done = chronochrome("check", str(tmp_path / "other_scene.png"), "--original",
                        str(tmp_path / "archive.png"), "--device", "cpu",
                        "--weights", str(tiny_weights))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the colorization "), lines
    assert "do not look like the same photo" in lines[0]
    assert "another shot of the same scene" in lines[0]
