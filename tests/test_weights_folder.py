"""A weights folder that cannot be read fails with one error naming the file and the fix
(safetensors alone says "No such file or directory" for a file it may not read)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from colorizer import ColorizationPipeline
from colorizer.errors import WeightsError

REPO = Path(__file__).resolve().parents[1]


def test_an_unopenable_weights_file_is_named_with_the_fix(tiny_weights):
    (tiny_weights / "flag_finder.safetensors").mkdir()  # a file that cannot be opened
    with pytest.raises(WeightsError, match=r"flag_finder\.safetensors: cannot be read .*chmod"):
        ColorizationPipeline.from_pretrained(tiny_weights, context=False, exemplars=False)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_named(tiny_weights):
    (tiny_weights / "model.safetensors").chmod(0)
    with pytest.raises(WeightsError, match=r"model\.safetensors: cannot be read \(Permission"):
        ColorizationPipeline.from_pretrained(tiny_weights, context=False, exemplars=False)


def test_the_cli_says_it_in_one_line(tiny_weights, tmp_path):
    (tiny_weights / "hint_field.safetensors").mkdir()
    photo = tmp_path / "p.png"
    from PIL import Image
    Image.new("L", (32, 24), 120).save(photo)
    done = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "colorize", str(photo),
                           "-o", str(tmp_path / "out"), "--weights", str(tiny_weights),
                           "--no-context", "--no-exemplars", "--device", "cpu"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 2, done.stderr
    assert "hint_field.safetensors: cannot be read" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "p.png").exists()


def test_no_such_folder_is_a_weights_error(tmp_path):
    with pytest.raises(WeightsError, match="no such folder"):
        ColorizationPipeline.from_pretrained(tmp_path / "nowhere", context=False,
                                             exemplars=False)
