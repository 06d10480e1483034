"""`python -m context` on a huge JPEG holds its gray pixels, not its RGB ones (user audit: a
12000 x 9000 scan took 1552 MB at peak, 760 MB with --no-ocr --no-embedding where a small photo
takes 339 MB: the whole RGB photo was decoded, where context reads luminance only). A photo
under colorize's --max-pixels is read exactly as before; a huge PNG or TIFF whole, then gray."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
# The peak memory of a child process, as the kernel counts it (KiB on Linux).
PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], "
        "capture_output=True, text=True); print(json.dumps([done.returncode, done.stdout, "
        "done.stderr, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")


def _scan(path: Path, size: tuple[int, int], fmt: str = "JPEG") -> Path:
    """A sepia-ish scan with some structure, upscaled as a flatbed scan of a print is."""
    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, (size[1] // 200 + 1, size[0] // 200 + 1, 1), dtype=np.uint8)
    tone = np.concatenate([small, (small * 0.9).astype(np.uint8),
                           (small * 0.7).astype(np.uint8)], axis=2)
    Image.fromarray(tone).resize(size, Image.BILINEAR).save(path, fmt, quality=90)
    return path


def _context_peak(photo: Path) -> tuple[int, str, str, int]:
    """(exit code, stdout, stderr, peak MB) of `python -m context PHOTO` without OCR or MiniLM
    (what is left is the photo's own memory over the start-up's)."""
    cmd = [sys.executable, "-m", "context", str(photo), "--no-ocr", "--no-embedding"]
    out = subprocess.run([sys.executable, "-c", "import json; " + PEAK, *cmd], check=True,
                         capture_output=True, text=True, timeout=600, cwd=REPO)
    code, stdout, stderr, peak_kib = json.loads(out.stdout)
    return code, stdout, stderr, peak_kib // 1024


@pytest.mark.slow  # a 108 MP JPEG written and read, and a small photo read: about 40 s
def test_a_huge_jpeg_is_read_in_gray(tmp_path):
    code, _, _, small = _context_peak(_scan(tmp_path / "small.jpg", (640, 480)))
    assert code == 0
    code, stdout, stderr, huge = _context_peak(_scan(tmp_path / "scan.jpg", (12000, 9000)))
    assert code == 0, stderr
    # RGB pixels were 324 MB, with their copies 421 MB over a small photo; gray: 108 MB.
    assert huge - small < 200, (huge, small)
    assert ("note: scan.jpg is 12000x9000 (108 MP): read in gray to bound memory (context "
            "reads luminance only); boxes are in the photo's own pixels") in stderr
    assert json.loads(stdout)["captions"] == [{"text": "scan.jpg", "source": "filename"}]


def test_an_ordinary_photo_is_read_as_before(tmp_path):
    from context.photo_reading import read_photo

    for name, fmt in (("a.jpg", "JPEG"), ("a.png", "PNG")):
        photo = _scan(tmp_path / name, (640, 480), fmt)
        read = read_photo(photo)
        plain = Image.open(photo)
        plain.load()
        assert (read.scale, read.note, read.image.mode) == (1, None, "RGB")
        assert np.array_equal(np.asarray(read.image), np.asarray(plain))
    # Over the bound, a file that is not a JPEG cannot be decoded smaller: read whole, then
    # gray at once (its RGB let go before context inference copies it; test_bomb_warning.py).
    read = read_photo(tmp_path / "a.png", max_pixels=100_000)
    assert (read.scale, read.image.mode) == (1, "L")
    assert read.note.startswith("a.png is 640x480 (0 MP): read in gray to bound memory")


def test_over_the_bound_a_jpeg_is_gray_then_reduced(tmp_path):
    from context.photo_reading import read_photo

    photo = _scan(tmp_path / "scan.jpg", (800, 600))
    gray = read_photo(photo, max_pixels=100_000)
    assert (gray.image.mode, gray.image.size, gray.scale) == ("L", (800, 600), 1)
    luma = np.asarray(Image.open(photo).convert("L"), dtype=np.int16)
    assert np.abs(np.asarray(gray.image, dtype=np.int16) - luma).max() <= 2  # the same L
    assert gray.note == ("scan.jpg is 800x600 (0 MP): read in gray to bound memory (context "
                         "reads luminance only); boxes are in the photo's own pixels")
    reduced = read_photo(photo, max_pixels=100_000, gray_max_pixels=130_000)
    assert (reduced.image.mode, reduced.image.size, reduced.scale) == ("L", (400, 300), 2)
    assert "read in gray at 400x300 (1/2 scale)" in reduced.note
    smallest = read_photo(photo, max_pixels=1_000, gray_max_pixels=1_000)
    assert (smallest.image.size, smallest.scale) == ((100, 75), 8)


def test_boxes_are_given_in_the_photos_own_pixels():
    from context.photo_reading import photo_pixels

    report = {"text": [{"text": "KAZAN 1950", "box": [345, 3480, 4002, 4086]}],
              "script": {"evidence": [{"box": [1, 2, 3, 4], "span": [0, 5]}]}, "era": None}
    assert photo_pixels(report, 2) == {
        "text": [{"text": "KAZAN 1950", "box": [690, 6960, 8004, 8172]}],
        "script": {"evidence": [{"box": [2, 4, 6, 8], "span": [0, 5]}]}, "era": None}
    assert photo_pixels(report, 1) is report
