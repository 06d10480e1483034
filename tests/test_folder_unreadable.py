"""What an archive's folder holds besides the photos chronochrome reads: camera raws, a PDF of
scans, an image without a suffix, a .jfif, among sidecars and hidden files.

Before: a folder of DNGs and TIFFs was "2 colorized" without a word about the DNGs, and a
folder of DNGs alone "no image files found; give image files (.jpg, .png, .tif, ...)". Now
each kind of photo it cannot read is named once, with a count and the fix; sidecars and
hidden files stay unsaid; which files are colorized does not change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import FLAGS
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
# A camera raw's first bytes: a TIFF header (the walk goes by the suffix, never reads them).
RAW_BYTES = b"II*\x00\x08\x00\x00\x00" + bytes(64)


def _photo(path: Path, fmt: str | None = None, seed: int = 0) -> Path:
    pixels = (np.random.default_rng(seed).random((40, 56)) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, format=fmt)
    return path


def _chronochrome(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *map(str, args)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def _archive_folder(scans: Path) -> None:
    """Two photos the walk takes (one of an upper-case suffix) among what else a
    digitisation project's folder holds."""
    scans.mkdir()
    _photo(scans / "a.tif")
    _photo(scans / "c.JPG", seed=1)
    for n in range(3):
        (scans / f"IMG_{n:04d}.dng").write_bytes(RAW_BYTES)
    (scans / "DSC_0001.NEF").write_bytes(RAW_BYTES)
    (scans / "box3.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    _photo(scans / "scan0042", fmt="PNG", seed=2)  # a scanner's file, its suffix lost
    _photo(scans / "web.jfif", fmt="JPEG", seed=3)  # as Windows saves a JPEG from the web
    (scans / "a.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    (scans / "a.json").write_text("{}")
    (scans / "notes.txt").write_text("box 3, folder 2")
    (scans / "README").write_text("scanned 2026")  # no suffix, not an image: unsaid
    _photo(scans / ".hidden.png", seed=4)


@pytest.mark.slow  # one colorize run: ~5 s on a busy 2-core machine
def test_a_folder_names_the_photos_it_cannot_read_once_a_kind(tiny_weights, tmp_path):
    scans, out = tmp_path / "scans", tmp_path / "out"
    _archive_folder(scans)
    run = _chronochrome("colorize", "--weights", tiny_weights, *FLAGS, "-q", scans, "-o", out)
    assert run.returncode == 0, run.stderr
    # Was "2 colorized" and not a word on stderr about the seven files left out.
    assert run.stdout.strip().startswith("2 colorized, 0 skipped (already done), 0 failed")
    notes = [line for line in run.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 4, run.stderr  # one line a kind, never one a file
    raw, pdf, no_suffix, jfif = (next(n for n in notes if word in n) for word in
                                 ("camera raw", "PDF", "without a suffix", "under a suffix"))
    assert raw.startswith("note: 4 camera raw files (.dng, .nef) not colorized (")
    assert "and 2 more; -v names each): develop raw files into 16-bit TIFFs first" in raw
    assert f"1 PDF (.pdf) not colorized ({scans / 'box3.pdf'}): a PDF is not a photo" in pdf
    assert "export its scanned pages as TIFFs (`pdfimages -tiff" in pdf
    assert f"1 image file without a suffix not colorized ({scans / 'scan0042'})" in no_suffix
    assert "(.jfif) not colorized" in jfif and ".jfif and .jpe to .jpg" in jfif
    for unsaid in ("a.xmp", "a.json", "notes.txt", "README", ".hidden"):
        assert unsaid not in run.stderr, unsaid
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "a.png", "c.png"]  # the same files colorized as before


@pytest.mark.slow  # one command run, stopped before the model loads: ~2 s
def test_a_folder_of_raws_and_a_pdf_alone_says_what_it_holds(tmp_path):
    scans = tmp_path / "onlyraw"
    scans.mkdir()
    for n in range(3):
        (scans / f"R{n}.dng").write_bytes(RAW_BYTES)
    (scans / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    (scans / "R0.xmp").write_text("<x:xmpmeta/>")
    run = _chronochrome("colorize", scans, "-o", tmp_path / "out", "--device", "cpu")
    assert run.returncode == 2, run.stderr
    # Was "error: no image files found in ...; give image files (.jpg, .png, .tif, ...)".
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: no photo chronochrome reads in {scans}: 3 camera raw files (.dng) not "
        "colorized ("), run.stderr
    assert "develop raw files into 16-bit TIFFs" in lines[0]
    assert f"; 1 PDF (.pdf) not colorized ({scans / 'scan.pdf'}): a PDF is not" in lines[0]
