"""`chronochrome check --report` decodes each file once (colorizer/check/report_inputs.py).

The check decoded the colorization and its original, then the report opened both again to
show them. Run as a person runs it, through a subprocess; the decodes of the two files are
counted around Pillow's own decoder (`ImageFile.load` on an image of their size with data
still to decode). The report is the file the old route writes: the check on the paths, the
images opened again for the report (`cli._write` given the paths).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 212, 148  # a size nothing else the check decodes has
# The CLI with each decode of a WIDTH x HEIGHT image written to argv[1], one line each.
COUNTED_CLI = f"""
import sys
from PIL import ImageFile
real = ImageFile.ImageFile.load
def counted(image):
    if image.tile and image.size == ({WIDTH}, {HEIGHT}):
        with open(sys.argv[1], "a") as log:
            log.write(image.format + "\\n")
    return real(image)
ImageFile.ImageFile.load = counted
from colorizer.apps.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _untimed(page: str) -> str:
    """The report without its one moment ("checked at"), which differs from run to run."""
    return re.sub(r"checked at</th><td><code>[^<]*", "checked at</th><td><code>", page)


def _pair(folder: Path) -> tuple[Path, Path]:
    """A colorization (RGB PNG: a red and a blue half over texture) and its gray JPEG."""
    rng = np.random.default_rng(5)
    gray = np.clip(np.linspace(60, 200, WIDTH)[None, :] + rng.normal(0, 6, (HEIGHT, WIDTH)),
                   0, 255).astype(np.uint8)
    tint = np.where(np.arange(WIDTH)[None, :, None] < WIDTH // 2, [1.2, 0.8, 0.8],
                    [0.8, 0.9, 1.2])
    color = np.clip(gray[..., None] * tint, 0, 255).astype(np.uint8)
    colorized, original = folder / "colorized.png", folder / "original.jpg"
    Image.fromarray(color, "RGB").save(colorized)
    Image.fromarray(gray, "L").save(original, quality=92)
    return colorized, original


def _check(args: list[str], log: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", COUNTED_CLI, str(log), "check", *args,
                           "--device", "cpu"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.mark.slow
def test_check_report_decodes_each_file_once_and_writes_the_same_report(tmp_path):
    colorized, original = _pair(tmp_path)
    report, findings, log = tmp_path / "report.html", tmp_path / "check.json", tmp_path / "log"
    run = _check([str(colorized), "--original", str(original), "--report", str(report),
                  "--json", str(findings)], log)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
    assert sorted(log.read_text().split()) == ["JPEG", "PNG"]  # once each (was twice each)

    # The old route: the check given the paths, the report opening them again.
    from colorizer.check.checker import ColorizationChecker
    from colorizer.check.cli import _write

    checker = ColorizationChecker.from_pretrained(device="cpu")
    checked = checker(colorized, original=original)
    old = tmp_path / "old.html"
    _write(old, checked, colorized, original, None, colorized.name)
    assert _untimed(report.read_text()) == _untimed(old.read_text())
    assert json.loads(findings.read_text())["findings"] == checked.to_dict()["findings"]


@pytest.mark.slow
def test_a_file_that_is_not_plain_is_decoded_once_too_and_check_alone_once(tmp_path):
    colorized, original = _pair(tmp_path)
    log = tmp_path / "log"
    run = _check([str(colorized), "--original", str(original)], log)  # no --report
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
    assert sorted(log.read_text().split()) == ["JPEG", "PNG"]
    deep = tmp_path / "original16.png"  # a 16-bit scan: the loader's pixels are not Pillow's
    with Image.open(original) as gray:
        Image.fromarray(np.asarray(gray).astype(np.uint16) * 257).save(deep)
    log.unlink()
    report = tmp_path / "report.html"
    run = _check([str(colorized), "--original", str(deep), "--report", str(report)], log)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
    # The 16-bit original too is decoded once: the report shows the loader's decode
    # (colorizer/check/report_inputs.py; it was opened again with Pillow).
    assert log.read_text().split() == ["PNG"] * 2
    assert report.read_text().count("data:image/png;base64,") >= 3
