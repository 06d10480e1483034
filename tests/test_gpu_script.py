"""scripts/gpu_train.sh fails at once, with what to do, where it cannot train: no packed
photos, no GPU (unless ALLOW_CPU=1)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "gpu_train.sh"


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OUT": str(tmp_path / "out"), **env}, check=False)


def test_without_packed_photos_it_says_how_to_pack(tmp_path):
    done = _run(tmp_path, CONFIG=str(tmp_path / "missing.json"))
    assert done.returncode == 2
    assert "no packed config at" in done.stderr and "colorizer.training.pack" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has a GPU")
def test_without_a_gpu_it_stops_unless_allowed(tmp_path):
    config = tmp_path / "train.json"
    config.write_text("{}")
    done = _run(tmp_path, CONFIG=str(config))
    assert done.returncode == 2 and "no GPU found" in done.stderr and "ALLOW_CPU=1" in done.stderr
    assert not (tmp_path / "out").exists()
