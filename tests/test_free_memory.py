"""A batch hands a big photo's freed memory back to the system before the next photo.

glibc keeps the blocks a photo freed in the process's heap for reuse. Over a 60-photo batch
with three 8000x6000 scans (measured 2026-12-07, `--no-context`, CPU) `chronochrome colorize`
sat at about 520 MB after the small photos before the first scan, 800 MB after it and 950 MB
after the second, for the rest of the batch; with the freed heap handed back after each photo
(`context.heap.release_freed_memory`, called by `BatchColorizer.publish_one`) it fell back to
445 MB after the first scan.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main())"  # `chronochrome`


def _rss_mb(pid: int) -> float:
    """The resident memory of process `pid` now, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def _noise_png(path: Path, width: int, height: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8)).save(
        path, compress_level=1)
    return path


def _rss_after_each_photo(command: list[str], photos: int) -> list[float]:
    """Run the CLI, reading its resident memory as each "done k/N" line arrives (the line is
    printed once the photo's files are written, before the next photo is read)."""
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, text=True)
    seen, lines = [], []
    assert process.stderr is not None
    for line in process.stderr:
        lines.append(line)
        if line.lstrip().startswith("done") and len(seen) < photos:
            seen.append(_rss_mb(process.pid))
    assert process.wait(timeout=300) == 0, "".join(lines)
    assert len(seen) == photos, "".join(lines)
    return seen


@pytest.mark.slow  # a CLI in a subprocess and a 12 MP photo: 15-40 s
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_batch_falls_back_to_its_small_photo_memory_after_a_big_photo(tmp_path,
                                                                         tiny_weights):
    # A small photo, a 12 MP one, two small ones: the full-size steps of the 12 MP photo
    # (luminance, upsampled chroma, the encoded PNG) free over 100 MB. Before, the process
    # kept them: 320 MB after the first small photo, 444 MB after the big one and after the
    # small one that followed; now 318, 329, 329.
    photos = tmp_path / "photos"
    photos.mkdir()
    _noise_png(photos / "a_small.png", 64, 48, seed=0)
    _noise_png(photos / "b_big.png", 4000, 3000, seed=1)
    _noise_png(photos / "c_small.png", 64, 48, seed=2)
    _noise_png(photos / "d_small.png", 64, 48, seed=3)
    command = [sys.executable, "-c", CLI, "colorize", str(photos), "-o", str(tmp_path / "out"),
               "--weights", str(tiny_weights), "--device", "cpu", "--no-context",
               "--render-size", "64"]
    first_small, after_big, after_small = _rss_after_each_photo(command, 4)[:3]
    assert after_big - first_small < 60, (first_small, after_big, after_small)
    assert after_small - first_small < 60, (first_small, after_big, after_small)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == [
        "a_small.png", "b_big.png", "c_small.png", "d_small.png"]

