"""`chronochrome report` prints the pipeline's notes as colorize does; the advice in them must
be something a user of `report` can type. The near-gray note advises `--chroma-scale` and
`--point`, which only `colorize` takes: typed after `report`, they were a usage error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
TINY = {"width16": 16, "width8": 16, "width4": 16, "heads": 2, "cond_dim": 8, "grid_samples": 24}


def _gray_weights(folder: Path) -> Path:
    """A tiny generator sure of the neutral a*b* bin everywhere: its colorization is gray."""
    from colorizer.model.generator import ColorGenerator, GeneratorConfig

    torch.manual_seed(0)
    model = ColorGenerator(GeneratorConfig(**TINY))
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.fill_(-20.0)
        model.head.bias[int(model.ab_bins.norm(dim=1).argmin())] = 20.0
    model.save_pretrained(folder, metadata={"version": "test"})
    return folder


def _chronochrome(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *args], cwd=cwd,
                          check=False, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_reports_gray_note_names_the_commands_that_take_its_options(tmp_path):
    weights = _gray_weights(tmp_path / "gray-model")
    photo = tmp_path / "scan.png"
    Image.fromarray(np.tile(np.linspace(0, 255, 64).astype(np.uint8), (48, 1))).save(photo)
    done = _chronochrome("report", str(photo), "-o", str(tmp_path / "r.html"), "--weights",
                         str(weights), "--device", "cpu", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("note: nearly gray")]
    assert len(notes) == 1, done.stderr
    # The advice names colorize for its options and check for the report of that output.
    assert "--point" in notes[0] and "chronochrome colorize" in notes[0], notes[0]
    # ... and, as the JSON report, the Python form of a color hint (scan.png is 64 x 48).
    assert "Python: color_hints=[{'point': [32, 24], 'color': '#b22222'}]" in notes[0], notes[0]
    assert "chronochrome check" in notes[0] and "--report" in notes[0], notes[0]
    # What it says to type parses: `report` itself takes neither option.
    usage = _chronochrome("report", str(photo), "-o", "x.html", "--point", "1,1=red",
                          cwd=tmp_path)
    assert usage.returncode == 2 and "--point" in usage.stderr
