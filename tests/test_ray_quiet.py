"""`chronochrome colorize --engine ray` on a few photos, as a user reads its terminal: Ray's
notes that ask nothing of the user are not printed (a WARNING that the local instance it
started uses token authentication, and a five-line UserWarning that the actor pool's minimum
was above the run's inputs), and the pool starts no actor without a block to take."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the Ray engine is an extra: pip install '.[ray]'")

from batch_helpers import photo_folder

from colorizer.apps.ray_engine import pool_size

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("workers", "blocks", "actors"), [
    (2, 1, 1),  # two photos, one batch: one actor, not two loading the model for nothing
    (2, 5, 2),
    (8, 3, 3),
    (2, 0, 1),
])
def test_the_pool_has_no_more_actors_than_the_run_has_blocks(workers, blocks, actors):
    assert pool_size(workers, blocks) == actors


@pytest.mark.slow  # ~20 s: a local Ray instance starts in the child
def test_a_small_ray_run_prints_only_its_own_lines(tiny_weights, tmp_path):
    src = photo_folder(tmp_path / "src", 2)
    run = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--weights",
         str(tiny_weights), "--device", "cpu", "--render-size", "64", "--no-context",
         "--no-exemplars", "--engine", "ray", str(src), "-o", str(tmp_path / "out")],
        check=False, cwd=REPO, text=True, capture_output=True, timeout=240)
    assert run.returncode == 0, run.stderr
    assert "2 colorized, 0 skipped (already done), 0 failed" in run.stdout
    assert len(list((tmp_path / "out").glob("*.png"))) == 2
    # Before: "WARNING authentication_token_setup.py:85 -- Token authentication is enabled
    # for this Ray cluster. Set RAY_AUTH_MODE=disabled to opt out ..." and "UserWarning: The
    # minimum number of concurrent actors for 'MapBatches(ColorizeWorker)' is set to 2, but
    # the operator only received 1 input(s) ...".
    assert "Token authentication" not in run.stderr, run.stderr
    assert "minimum number of concurrent actors" not in run.stderr, run.stderr
    assert "UserWarning" not in run.stderr and "Traceback" not in run.stderr, run.stderr
