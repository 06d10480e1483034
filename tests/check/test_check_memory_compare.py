"""Comparing the lightness of a same-size colorization and original holds one full-size
float array, not five.

`chronochrome check COLORIZED --original ORIGINAL` on a 108 MP 8-bit pair peaked at 2.4 GB
(3.5 GB for 16-bit), the peak inside `lineup.compare`: the difference, its magnitude, the
"large change" mask as floats, its negation and the gathered unchanged pixels, each 108-432 MB
at once. The growth of peak RSS while lining up is measured in a fresh subprocess (the
kernel's peak is reset just before), so the figure is the process's own, torch included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Lines up a 12 MP pair (a gray ramp, its colorization 20 levels redder, a white caption box
# drawn on it: a local change) after a small warm-up run, and prints the figures with the
# growth of peak RSS over the RSS before, in bytes per pixel.
PROBE = r"""
import json, sys
import numpy as np
from PIL import Image
from colorizer.check import lineup
from colorizer.check.config import CheckConfig
from colorizer.pipeline.imageio import load_image

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024

w, h = 4000, 3000
gray = (np.add.outer(np.arange(h), np.arange(w)) % 251).astype(np.uint8)
color = np.repeat(gray[..., None], 3, axis=2)
color[..., 0] = np.clip(gray.astype(int) + 20, 0, 255)
color[100:160, 200:400] = 255
small = (load_image(Image.fromarray(color[:300, :450].copy())),
         load_image(Image.fromarray(gray[:300, :450].copy())))
lineup.line_up(*small, CheckConfig())  # imports and first-call allocations
pair = load_image(Image.fromarray(color)), load_image(Image.fromarray(gray))
del color, gray
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # peak RSS (VmHWM) := RSS now
before = status("VmRSS")
match = lineup.line_up(*pair, CheckConfig()).match
print(json.dumps({"growth": (status("VmHWM") - before) / (w * h), **match.to_dict()}))
"""


@pytest.mark.slow  # about 30 s: a 12 MP pair, so that the full-size arrays dominate
def test_same_size_lineup_grows_peak_rss_by_under_24_bytes_a_pixel(tmp_path):
    """Before: 33 bytes a pixel (the five full-size copies above, 4 bytes a pixel each or 1
    for the masks, and the sample's permutation, 8); after: 17."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # The figures are those the check gave before: the caption box found, tones kept.
    assert found["matches"] is True and found["resized"] is False
    assert found["mean_abs_delta_l"] == 1.873 and found["p99_abs_delta_l"] == 2.724
    assert found["large_change_share"] == 0.0007
    assert found["local_box"] == [201, 100, 399, 160]
    assert found["growth"] < 24, f"peak RSS grew by {found['growth']:.1f} bytes a pixel"
