"""A Live Photo copied off an iPhone is two files, IMG_0008.HEIC and IMG_0008.MOV, and
`chronochrome colorize IMG_0008.*` names both. Through the command line (a real subprocess):
the photo is colorized under its own name, the video is named in the summary as the Live
Photo's, and the run succeeds. Before: "failed 2/2 IMG_0008.MOV ... is a video or audio
file", exit code 1, and the photo written as IMG_0008_heic.png."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.heic_files import iphone_heic

pytest.importorskip("pillow_heif")

REPO = Path(__file__).resolve().parents[1]
FAST = ("--no-context", "--no-exemplars", "--render-size", "64", "--device", "cpu")
# The first bytes of a QuickTime movie as an iPhone writes it (an `ftyp` box, brand "qt  ").
QUICKTIME_START = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + bytes(64)


def colorize(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    argv = [str(arg) for arg in args]
    code = f"import sys\nfrom colorizer.apps.cli import main\nsys.exit(main({argv!r}))"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def live_photo(folder: Path) -> tuple[Path, Path]:
    still = iphone_heic(folder / "IMG_0008.HEIC")
    video = folder / "IMG_0008.MOV"
    video.write_bytes(QUICKTIME_START)
    return still, video


def test_a_live_photo_pair_given_by_name_colorizes_the_photo(tmp_path, shared_tiny_weights):
    still, video = live_photo(tmp_path / "phone")
    done = colorize("colorize", still, video, "-o", tmp_path / "out", "--weights",
                    shared_tiny_weights, *FAST, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 colorized, 0 skipped (already done), 0 failed" in done.stdout
    with Image.open(tmp_path / "out" / "IMG_0008.png") as upright:
        assert upright.size == (32, 48)  # the photo's own name, upright
    assert not (tmp_path / "out" / "IMG_0008_heic.png").exists()
    assert (f"note: 1 Live Photo video (.mov) not colorized ({video}): the moving part of a "
            "Live Photo, given with its photo") in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_video_given_alone_still_says_it_is_not_a_photo(tmp_path, shared_tiny_weights):
    _still, video = live_photo(tmp_path / "phone")
    done = colorize("colorize", video, "-o", tmp_path / "out", "--weights",
                    shared_tiny_weights, *FAST, cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "IMG_0008.MOV: is a video or audio file (MP4/QuickTime), not a photo" in done.stderr
