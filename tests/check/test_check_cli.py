"""`chronochrome check` and `report` through a subprocess: help, errors, a real check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def chronochrome(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *args], cwd=REPO,
                          check=False, env=env, capture_output=True, text=True, timeout=timeout)


def test_help_documents_exit_codes():
    done = chronochrome("check", "--help")
    assert done.returncode == 0
    assert "--original" in done.stdout and "0 no finding" in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["check", "missing.png"], "COLORIZED missing.png: no such file"),
    (["check", "README.md", "--report", "out.docx"], "--report out.docx: name it with"),
    (["check", "README.md", "--json", "nowhere/out.json"], "folder nowhere does not exist"),
    (["report", "missing.png", "-o", "r.pdf"], "PHOTO missing.png: no such file"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    done = chronochrome(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


@pytest.mark.slow
def test_a_gray_image_is_not_a_colorization(tmp_path):
    gray = tmp_path / "gray.png"
    Image.fromarray(np.full((48, 64), 128, np.uint8)).save(gray)
    done = chronochrome("check", str(gray), "--device", "cpu")
    assert done.returncode == 2
    assert "has no color" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_check_writes_json_and_report(tmp_path, tiny_weights):
    rng = np.random.default_rng(1)
    gray = rng.integers(40, 220, (96, 128), dtype=np.uint8)
    Image.fromarray(gray).save(tmp_path / "gray.png")
    color = np.stack([gray, (gray * 0.9).astype(np.uint8), (gray * 0.8).astype(np.uint8)], -1)
    Image.fromarray(color).save(tmp_path / "color.png")
    Image.fromarray(255 - gray).save(tmp_path / "other.png")  # lightness inverted
    done = chronochrome("check", str(tmp_path / "color.png"), "--original",
                        str(tmp_path / "other.png"), "--hint", "USSR 1950", "--device", "cpu",
                        "--weights", str(tiny_weights),
                        "--json", str(tmp_path / "out.json"), "--report",
                        str(tmp_path / "out.html"))
    assert done.returncode == 1, done.stderr  # the lightness does not match: a finding
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["passed"] is False and data["luminance"]["matches"] is False
    assert data["findings"][0]["kind"] == "luminance"
    assert "luminance" in done.stdout
    assert "Plausibility report" in (tmp_path / "out.html").read_text()


@pytest.mark.slow
def test_a_users_file_is_never_replaced_without_overwrite(tmp_path, tiny_weights):
    """`--json`, `--report` and `report -o` refuse an existing file (and a folder) before any
    work; `--overwrite` replaces the file."""
    rng = np.random.default_rng(2)
    gray = rng.integers(40, 220, (64, 80), dtype=np.uint8)
    color = np.stack([gray, (gray * 0.9).astype(np.uint8), (gray * 0.8).astype(np.uint8)], -1)
    Image.fromarray(color).save(tmp_path / "color.png")
    mine = tmp_path / "mine.json"
    mine.write_text('{"my": "data"}')
    (tmp_path / "adir.html").mkdir()
    common = ("--device", "cpu", "--weights", str(tiny_weights))
    for args, message in (
            (("check", str(tmp_path / "color.png"), "--json", str(mine)),
             "exists; pass --overwrite"),
            (("check", str(tmp_path / "color.png"), "--report", str(tmp_path / "adir.html")),
             "is a folder"),
            (("report", str(tmp_path / "color.png"), "-o", str(tmp_path / "adir.html")),
             "is a folder")):
        done = chronochrome(*args, *common)
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert mine.read_text() == '{"my": "data"}'
    done = chronochrome("check", str(tmp_path / "color.png"), "--json", str(mine), "--overwrite",
                        *common)
    assert done.returncode in (0, 1), done.stderr
    assert "findings" in json.loads(mine.read_text())


@pytest.mark.slow
def test_a_gray_colorization_is_checked_against_its_original(tmp_path, tiny_weights):
    gray = tmp_path / "gray.png"
    Image.fromarray(np.full((48, 64), 128, np.uint8)).save(gray)
    done = chronochrome("check", str(gray), "--original", str(gray), "--device", "cpu",
                        "--weights", str(tiny_weights))
    assert done.returncode == 0, done.stderr
    assert "has no color" in done.stderr and "no finding" in done.stdout


@pytest.mark.slow
def test_max_pixels_is_accepted_as_the_size_error_advises(tmp_path, tiny_weights):
    """The loader's error for a huge file says "raise the limit with --max-pixels": before,
    `check` had no such option (argparse: unrecognized arguments)."""
    color = tmp_path / "color.png"
    Image.fromarray(np.full((48, 64, 3), (150, 110, 80), np.uint8)).save(color)
    common = ("--device", "cpu", "--weights", str(tiny_weights))
    done = chronochrome("check", str(color), "--max-pixels", "1000", *common)
    assert done.returncode == 2 and "above the limit of 1,000" in done.stderr, done.stderr
    assert "--max-pixels" in done.stderr
    done = chronochrome("check", str(color), "--max-pixels", "4000", *common)
    assert done.returncode in (0, 1), done.stderr


ROOT = hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/bin/mount").exists()


@pytest.mark.slow
@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_a_full_disk_never_cuts_short_an_earlier_json(tmp_path, tiny_weights):
    # --json --overwrite on a full disk left a good earlier file cut to 4096 bytes, after a
    # traceback: the file is now written whole beside it and renamed, or not at all.
    rng = np.random.default_rng(3)
    gray = rng.integers(40, 220, (64, 80), dtype=np.uint8)
    color = np.stack([gray, (gray * 0.9).astype(np.uint8), (gray * 0.8).astype(np.uint8)], -1)
    Image.fromarray(color).save(tmp_path / "color.png")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], check=True)
    try:
        mine = disk / "mine.json"
        mine.write_text('{"my": "data"}')
        subprocess.run(["dd", "if=/dev/zero", f"of={disk / 'filler'}", "bs=4k", "count=1000"],
                       check=False, capture_output=True)
        done = chronochrome("check", str(tmp_path / "color.png"), "--json", str(mine),
                            "--overwrite", "--device", "cpu", "--weights", str(tiny_weights))
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert lines[-1].startswith("error: ") and "could not be written" in lines[-1]
        assert "Traceback" not in done.stderr
        assert mine.read_text() == '{"my": "data"}'
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "mine.json"]  # no leftover
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)
