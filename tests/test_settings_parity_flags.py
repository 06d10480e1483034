"""`--max-pixels` and `--render-size` read, checked and explained alike by `colorize`, `serve`
and `web` (pipeline_arguments.py), before the port, the data folder and the model.

Was: `serve --max-pixels N` was "unrecognized arguments" (the cap only in --config); a count
below one pixel was "bad setting --max-pixels: max_pixels must be positive, got 0" in
colorize and "--max-pixels 0: give a positive pixel count, ..." in web; and no --help said
how a --render-size above a small photo's long side is treated (README alone did; now one
rule lowers it in every interface: colorizer/pipeline/render_size_rule.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.service.serve_process import CLI, REPO
from tests.test_ways_in_parity import _photo

COMMANDS = ("colorize", "serve", "web")


def _run(command: str, flags: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    tmp_path.mkdir(parents=True, exist_ok=True)
    extra = {"web": ["--port", "0"],
             "serve": ["--port", "0", "--data-dir", str(tmp_path / "svc")],
             "colorize": [str(_photo(tmp_path)), "-o", str(tmp_path / "out")]}[command]
    try:
        return subprocess.run([sys.executable, "-c", CLI, command, *flags, *extra],
                              check=False, cwd=REPO, capture_output=True, text=True,
                              timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{command} {' '.join(flags)}` started instead of refusing")


@pytest.mark.slow  # six commands in subprocesses: ~12 s on a loaded machine
@pytest.mark.parametrize("count", ["0", "-5"])
def test_a_count_below_one_pixel_is_the_same_line_in_colorize_serve_and_web(count, tmp_path):
    told = {}
    for command in COMMANDS:
        run = _run(command, ["--max-pixels", count], tmp_path / command)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert not (tmp_path / command / "svc").exists(), "serve made its folder first"
        assert not (tmp_path / command / "out").exists(), "colorize made its folder first"
        told[command] = run.stderr.strip()
    said = (f"error: --max-pixels {count}: give a positive pixel count, such as --max-pixels "
            "108000000 for a 12000x9000 scan")
    assert told == dict.fromkeys(COMMANDS, said)


def test_a_count_that_is_no_number_is_refused_by_its_flag(tmp_path):
    for command in COMMANDS:
        run = _run(command, ["--max-pixels", "lots"], tmp_path / command)
        assert run.returncode == 2, run.stderr
        assert run.stderr.strip().endswith(
            f"chronochrome {command}: error: argument --max-pixels: invalid int value: "
            "'lots'"), run.stderr


def _help(command: str) -> str:
    """`chronochrome COMMAND --help`, as a terminal 100 columns wide shows it."""
    run = subprocess.run([sys.executable, "-c", CLI, command, "--help"], check=False,
                         cwd=REPO, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "COLUMNS": "100"})
    assert run.returncode == 0, run.stderr
    return run.stdout


def _help_of(text: str, flag: str) -> str:
    """The help of `flag` in a --help `text`, on one line."""
    found = re.search(rf"^  {re.escape(flag)}\b(.*?)(?=^  -)", text, re.MULTILINE | re.DOTALL)
    assert found, f"--help lists no {flag}"
    return " ".join(found.group(1).split())


def test_help_explains_max_pixels_and_render_size_alike_in_every_command():
    helps = {command: _help(command) for command in COMMANDS}
    max_pixels = {command: _help_of(text, "--max-pixels") for command, text in helps.items()}
    assert len(set(max_pixels.values())) == 1, max_pixels
    assert max_pixels["serve"].startswith("N refuse photos with more pixels (default "
                                          "50,000,000;"), max_pixels["serve"]
    assert "serve answers 413 for a larger upload" in max_pixels["serve"]
    render_size = {command: _help_of(text, "--render-size") for command, text in helps.items()}
    assert len(set(render_size.values())) == 1, render_size
    # One rule for every interface since it moved into the pipeline (render_size_rule.py).
    assert ("A size above both a photo's long side and the operating point is lowered to the "
            "larger of the two") in render_size["web"]
    assert "the same in colorize, serve, web and the Python API" in render_size["serve"]
