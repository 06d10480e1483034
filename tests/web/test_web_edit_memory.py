"""The workbench's memory while a person places color points on a big scan.

A colorization of a big photo frees hundreds of MB of full-size bands and temporaries in the
server's worker threads; glibc keeps freed blocks under its mmap threshold (which grows to
32 MB as large blocks are freed) resident for reuse, so the server's RSS after an edit
stood far above what it holds: on a 108 MP scan (`chronochrome web`, the default weights)
1.7 GB after the second point, where the open photo (its bytes and full-size output, what
--max-memory-mb counts) and the pipeline's edit cache (66 MB: descriptors and colors at the
working sizes, colorizer/pipeline/edits.py) hold 0.5 GB over the idle server; the page's
uncertainty overlay alone left 150 MB of float64 temporaries. The workbench now hands freed
pages back after each open, colorization and download (workbench.py) and makes the overlay a
band of rows at a time (rendering.py): 1.16 GB after the second point.

Driven as the page drives it, over real HTTP, against a real server process running the tiny
real pipeline.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from web_helpers import (
    BIG_PHOTO_SERVER,
    free_port,
    http_get,
    http_post,
    process_megabytes,
    upload_photo,
)

from colorizer.apps.web.rendering import UNCERTAINTY_STOPS, png, uncertainty_png

WIDTH, HEIGHT = 6000, 4000  # 24 MP: its full-size output 96 MB as the workbench holds it
POINTS = [{"point": [1500, 1000], "color": "#b22222", "source": "the family's memory"},
          {"point": [4500, 3200], "color": "#2050c0", "source": "the family's memory"}]

def _scan(width: int, height: int) -> bytes:
    """A gray JPEG with texture and edges: a sky, a dark field, a square."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    pixels = 60 + 120 * (x / width) + 40 * np.sin(y / 17.0) * np.cos(x / 23.0)
    pixels[: height // 3] = 215
    pixels[height // 2: height // 2 + height // 5, width // 4: width // 2] = 35
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, format="JPEG",
                                                                    quality=85)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server(shared_tiny_weights):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", BIG_PHOTO_SERVER, str(shared_tiny_weights),
                                str(port), str(Path(__file__).parent)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                http_get(f"{url}/api/info")
                break
            except OSError:
                assert process.poll() is None, "the server exited before it answered"
                assert time.monotonic() < deadline, "the server did not answer in 120 s"
                time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_placing_points_on_a_big_scan_keeps_the_server_near_what_it_holds(server):
    """Open, colorize, a first point, a second point, each shown and downloaded as the page
    does: the server's RSS stays within a few outputs of the opened photo's, and the points
    add no more than one output to what the first colorization left; the downloads differ
    from step to step (the points colored the photo)."""
    url, pid = server
    opened = upload_photo(url, "scan.jpg", _scan(WIDTH, HEIGHT), "image/jpeg")
    base = f"{url}/api/photos/{opened['id']}"
    idle = process_megabytes(pid)
    output = WIDTH * HEIGHT * 4 / 2**20  # MB of the full-size output the photo holds: 92
    grown, pixels = {}, {}
    for step, hints in (("colorize", []), ("point 1", POINTS[:1]), ("point 2", POINTS)):
        done = http_post(f"{base}/colorize", json.dumps({"color_hints": hints}).encode())
        for kind in ("colorized", "uncertainty"):  # what the page shows next
            http_get(f"{base}/{kind}.png?v={done['version']}")
        shown = process_megabytes(pid) - idle
        with Image.open(io.BytesIO(http_get(f"{base}/download"))) as image:
            assert image.size == (WIDTH, HEIGHT)
            pixels[step] = hashlib.sha256(image.tobytes()).hexdigest()
        grown[step] = round(max(shown, process_megabytes(pid) - idle))
    assert len(set(pixels.values())) == 3, pixels
    # Measured (MB over the opened photo), two runs: before, 314-391 / 766-867 / 766-835
    # (freed bands and temporaries kept resident, more after an edit); now 252 / 296 / 300.
    assert max(grown.values()) < 4 * output, (
        f"the server's RSS grew by {grown} MB over the opened photo, more than 4 times its "
        f"{output:.0f} MB full-size output")
    assert grown["point 2"] - grown["colorize"] < output, (
        f"two color points grew the server by {grown['point 2'] - grown['colorize']} MB "
        f"after the first colorization ({grown} MB), more than the {output:.0f} MB output")


def _uncertainty_png_whole(uncertainty: np.ndarray) -> bytes:
    """The overlay as it was made before, from the whole map at once."""
    xs = [s for s, _ in UNCERTAINTY_STOPS]
    rgb = np.stack([np.interp(uncertainty, xs, [c[i] for _, c in UNCERTAINTY_STOPS])
                    for i in range(3)], axis=-1)
    alpha = (0.25 + 0.6 * uncertainty) * 255
    pixels = np.concatenate([rgb, alpha[..., None]], axis=-1)
    return png(Image.fromarray(np.round(pixels).astype(np.uint8), "RGBA"))


def test_uncertainty_overlay_is_made_in_bands_with_the_same_bytes():
    """The page's uncertainty overlay of a 1600 x 1067 map: the same PNG as the whole map's
    formula made, with a small peak of temporaries (numpy's allocations, traced)."""
    rows, cols = 1067, 1600
    y, x = np.mgrid[0:rows, 0:cols]
    uncertainty = ((np.sin(x / 37.0) * np.cos(y / 53.0) + 1) / 2).astype(np.float32)
    uncertainty[:5] = 0.0
    uncertainty[-5:] = 1.0  # the stops themselves, and a last band shorter than the others
    tracemalloc.start()
    try:
        made = uncertainty_png(uncertainty)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert made == _uncertainty_png_whole(uncertainty)
    # Measured: 150 MB from the whole map (three float64 planes, their stack, the alpha and
    # the RGBA floats), 25 MB in bands (the uint8 RGBA and the PNG among it).
    assert peak < 40, f"making the overlay took {peak:.0f} MB of temporaries"
