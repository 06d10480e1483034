"""A 48-bit color scan through the command line (real subprocesses), as an archivist runs it:
`chronochrome colorize` writes a 16-bit PNG or TIFF whose L* is the scan's own to about 0.001
(it was 8-bit, its L* up to 0.5 off), the same pixels as for the scan saved as 16-bit gray;
`chronochrome check --original` reads that 16-bit colorization and the scan at 16 bits (their
lightness was compared at 8 bits: 0.09 L* apart on average, for identical tones)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import FLAGS

cv2 = pytest.importorskip("cv2")  # a declared dependency: writes and reads 16-bit files

REPO = Path(__file__).resolve().parents[1]
HEIGHT, WIDTH = 48, 64


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB pixels in [0, 1] (H, W, 3), with sRGB's own luminance row."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126729, 0.7151522, 0.0721750])
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


def _chronochrome(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *map(str, args)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def _read_rgb(path: Path) -> np.ndarray:
    """(H, W, 3) as stored (uint8 or uint16), RGB order."""
    values = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    return values[..., 2::-1] if values.ndim == 3 else np.repeat(values[..., None], 3, -1)


def _unit(values: np.ndarray) -> np.ndarray:
    return values.astype(np.float64) / (65535.0 if values.dtype == np.uint16 else 255.0)


@pytest.fixture
def scans(tmp_path) -> Path:
    """A gray print scanned in color mode (48-bit TIFF and PNG, R = G = B), and its twin
    saved as 16-bit gray."""
    t = np.linspace(0.08, 0.92, WIDTH)[None, :] + np.linspace(0.0, 0.05, HEIGHT)[:, None]
    tones = np.round(np.clip(t, 0, 1) ** 1.2 * 65535).astype(np.uint16)
    folder = tmp_path / "scans"
    folder.mkdir()
    rgb = np.repeat(tones[..., None], 3, axis=-1)
    assert cv2.imwrite(str(folder / "print.tif"), rgb)  # LZW, as scanners write
    assert cv2.imwrite(str(folder / "print48.png"), rgb)
    assert cv2.imwrite(str(folder / "twin.png"), tones)
    return folder


@pytest.mark.slow  # two colorize runs: 24 s on a busy 2-core machine
def test_a_48bit_scan_colorized_keeps_its_16_bits_like_its_gray_twin(tiny_weights, scans,
                                                                     tmp_path):
    out = tmp_path / "out"
    run = _chronochrome("colorize", "--weights", tiny_weights, *FLAGS, scans, "-o", out)
    assert run.returncode == 0, run.stderr
    assert "read at 8 bits" not in run.stderr  # was shown for both 48-bit files
    given = _lightness(_unit(_read_rgb(scans / "print.tif")))
    twin = _read_rgb(out / "twin.png")
    for name in ("print.png", "print48.png"):
        colorized = _read_rgb(out / name)
        # Was uint8: the scan's L* 0.52 off at most, 256 gray levels kept.
        assert colorized.dtype == np.uint16, name
        assert np.abs(_lightness(_unit(colorized)) - given).max() < 0.002, name
        assert np.array_equal(colorized, twin), name  # as if it had been scanned in gray
    tiff = _chronochrome("colorize", "--weights", tiny_weights, *FLAGS, scans / "print.tif",
                         "-o", tmp_path / "tif", "--format", "tif")
    assert tiff.returncode == 0, tiff.stderr
    written = _read_rgb(tmp_path / "tif" / "print.tif")
    assert written.dtype == np.uint16
    assert np.abs(_lightness(_unit(written)) - given).max() < 0.002


@pytest.mark.slow  # a colorize and a check run: 42 s on a busy 2-core machine
def test_check_reads_a_48bit_colorization_and_its_scan_at_16_bits(tiny_weights, scans,
                                                                  tmp_path):
    out = tmp_path / "out"
    run = _chronochrome("colorize", "--weights", tiny_weights, *FLAGS, scans / "print.tif",
                        "-o", out)
    assert run.returncode == 0, run.stderr
    report = tmp_path / "check.json"
    check = _chronochrome("check", out / "print.png", "--original", scans / "print.tif",
                          "--device", "cpu", "--weights", tiny_weights, "--json", report)
    assert check.returncode in (0, 1), check.stderr  # 1: findings on the tiny model's colors
    assert "read at 8 bits" not in check.stderr
    luminance = json.loads(report.read_text())["luminance"]
    # Both were read at 8 bits: 0.09 L* apart on average, 0.32 at the 99th percentile.
    assert luminance["matches"] is True
    assert luminance["mean_abs_delta_l"] <= 0.001 and luminance["p99_abs_delta_l"] <= 0.002
