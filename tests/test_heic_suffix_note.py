"""A HEIC named .jpg (phones' share sheets rename without converting) gets the note any file
named for another format gets, in the loader's notes and the CLI's --report; a HEIC named
.heic, .heif or .hif gets none, and a JPEG named .heic is named for what it is.

Before, HEIF (pillow-heif's format) was missing from the table of formats: a HEIC named .jpg
was read without a word on its suffix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from colorizer.pipeline.imageio import load_image
from tests.heic_files import iphone_heic

pytest.importorskip("pillow_heif")
REPO = Path(__file__).resolve().parents[1]
CLI_FLAGS = ("--device", "cpu", "--render-size", "64", "--no-context", "--no-exemplars")


def _suffix_notes(path: Path) -> list[str]:
    return [note for note in load_image(path).notes if "by its contents" in note]


def test_a_heic_named_jpg_is_said_to_be_a_heic(tmp_path, shared_tiny_weights):
    folder = tmp_path / "shared"
    shared = iphone_heic(folder / "IMG_0007.jpg")
    said = ("a HEIC file named .jpg: read as HEIC by its contents (rename it IMG_0007.heic "
            "for tools that go by the suffix)")
    assert _suffix_notes(shared) == [said]

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = ["colorize", str(shared), "-o", str(tmp_path / "out"), "--weights",
            str(shared_tiny_weights), *CLI_FLAGS, "--report"]
    code = f"import sys\nfrom colorizer.apps.cli import main\nsys.exit(main({argv!r}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "IMG_0007.json").read_text())
    assert said in report["input"]["notes"]


@pytest.mark.parametrize("name", ["IMG_0008.heic", "IMG_0008.HEIC", "IMG_0008.heif",
                                  "IMG_0008.hif"])
def test_a_heic_named_for_heif_gets_no_suffix_note(tmp_path, name):
    source = iphone_heic(tmp_path / "made.heic")
    shutil.copy(source, tmp_path / name)
    assert load_image(tmp_path / name).source_format == "HEIF"
    assert _suffix_notes(tmp_path / name) == []


def test_a_jpeg_named_heic_is_said_to_be_a_jpeg(tmp_path):
    path = tmp_path / "IMG_0009.heic"
    Image.new("RGB", (32, 24), (120, 90, 60)).save(path, "JPEG")
    said = ("a JPEG file named .heic: read as JPEG by its contents (rename it IMG_0009.jpg "
            "for tools that go by the suffix)")
    assert _suffix_notes(path) == [said]
