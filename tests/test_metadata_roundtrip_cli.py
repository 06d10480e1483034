"""`chronochrome colorize` as an archivist runs it, in a real process: a folder of scans in
three formats, carrying EXIF, IPTC IIM and XMP, colorized to JPEG; each output keeps what the
scan said about the photo, says it is a colorization, and keeps the scan's DPI."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.metadata_scans import (
    ARCH,
    ARCHIVE_XMP,
    CAPTION,
    COLORIZED,
    IIM_CREDIT,
    X_RESOLUTION,
    jpeg_with_iim,
    output_xmp,
    png_scan,
    scan_exif,
    tiff_with_iim,
    xmp_items,
)

REPO = Path(__file__).resolve().parents[1]


def test_colorize_keeps_an_archives_metadata_in_every_output(shared_tiny_weights, tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "a.jpg").write_bytes(jpeg_with_iim(scan_exif(dpi=600), ARCHIVE_XMP))
    (scans / "b.tif").write_bytes(tiff_with_iim(scan_exif(dpi=600), ARCHIVE_XMP))
    (scans / "c.png").write_bytes(png_scan(scan_exif(dpi=600), ARCHIVE_XMP))
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code
    done = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", str(scans), "-o",
         str(tmp_path / "out"), "--weights", str(shared_tiny_weights), "--device", "cpu",
         "--no-context", "--no-exemplars", "--render-size", "64", "--format", "jpg", "-q"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for name, iim in (("a", True), ("b", True), ("c", False)):
        data = (tmp_path / "out" / f"{name}.jpg").read_bytes()
        root = output_xmp(data)
        assert xmp_items(root, "arch", "AccessionNumber") == ["KZN-1915-042"], name
        assert f'xmlns:arch="{ARCH}"'.encode() in data, name
        assert COLORIZED + CAPTION in xmp_items(root, "dc", "description"), name
        assert xmp_items(root, "photoshop", "Credit") == ([IIM_CREDIT] if iim else []), name
        with Image.open(io.BytesIO(data)) as out:
            assert round(out.info["dpi"][0]) == 600, name  # the PNG's only in its EXIF
            assert float(out.getexif()[X_RESOLUTION]) == 600.0, name
