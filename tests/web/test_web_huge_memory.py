"""The workbench shows a photo without making its full-size uncertainty map.

A result keeps its uncertainty small (`UpsampledMap`) and makes the full-size float32 map only
when `result.uncertainty` is read; the page's rendering read it to shrink it to 1600 px: on a
108 MP scan 432 MB, copied again by PIL, the server's peak RSS 2.6 GB where the pipeline's
own is 1.6 GB. The display map is now made a band of rows at a time (display_map.py), the same
floats (to one float32 step on a photo over twice as tall as wide). Driven over real HTTP with
the tiny real pipeline; the pipeline's result is kept (its `__call__` is the real one's) so
the test can see which of its maps were made.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from web_helpers import (
    BIG_PHOTO_SERVER,
    ThreadServer,
    free_port,
    http_get,
    http_post,
    process_megabytes,
    tiny_pipeline,
    upload_photo,
)

from colorizer.apps.web.rendering import display_size, uncertainty_png
from colorizer.pipeline.upsampled_map import UpsampledMap

SIZE = (900, 600)  # the photo; shown at DISPLAY_SIDE
DISPLAY_SIDE = 256
HINTS = [{"point": [200, 150], "color": "#b22222", "source": "the family's memory"}]


class KeepingPipeline:
    """The real pipeline, its last result kept for the test to look at."""

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline
        self.config = pipeline.config
        self.last = None

    def __call__(self, *args, **kwargs):
        self.last = self.pipeline(*args, **kwargs)
        return self.last


def _photo(width: int, height: int) -> np.ndarray:
    """A gray photo with texture and edges, so the uncertainty varies across it."""
    y, x = np.mgrid[0:height, 0:width]
    pixels = 60 + 120 * (x / width) + 40 * np.sin(y / 17.0) * np.cos(x / 23.0)
    pixels[: height // 3] = 215
    pixels[height // 2: height // 2 + height // 5, width // 4: width // 2] = 35
    return np.clip(pixels, 0, 255).astype(np.uint8)


def _png_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def served(shared_tiny_weights):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    keeping = KeepingPipeline(tiny_pipeline(shared_tiny_weights))
    server = ThreadServer(create_app(keeping, WebConfig(max_photos=2,
                                                        display_side=DISPLAY_SIDE)))
    yield server, keeping
    server.close()


def test_page_shows_the_uncertainty_without_making_the_full_map(served):
    server, keeping = served
    photo = upload_photo(server.url, "scan.png", _png_bytes(_photo(*SIZE)), "image/png")
    done = http_post(f"{server.url}/api/photos/{photo['id']}/colorize",
                 json.dumps({"color_hints": HINTS}).encode(), "application/json")
    base = f"{server.url}/api/photos/{photo['id']}"
    shown = http_get(f"{base}/uncertainty.png?v={done['version']}")
    regions = Image.open(io.BytesIO(http_get(f"{base}/regions.png?v={done['version']}")))
    download = Image.open(io.BytesIO(http_get(f"{base}/download")))

    result = keeping.last
    held = result.uncertainty_source
    # Nothing read the result's full-size maps: neither the page's images nor the download.
    assert isinstance(held, UpsampledMap), type(held)
    assert not isinstance(result.context_region_source, np.ndarray)
    # What the page shows is what shrinking the whole map gave before, to the byte.
    size = display_size(SIZE, DISPLAY_SIDE)
    whole = held.array()
    before = np.asarray(Image.fromarray(whole, "F").resize(size, Image.BILINEAR),
                        dtype=np.float32)
    expected = Image.open(io.BytesIO(uncertainty_png(np.clip(before, 0, 1))))
    shown_pixels = Image.open(io.BytesIO(shown))
    assert shown_pixels.size == size == regions.size
    # Identical where PIL shrinks across first (here); a level at most where it goes down first
    # (Pillow 13, a photo over twice as tall as wide: display_map.py).
    difference = np.abs(np.asarray(shown_pixels, dtype=int) - np.asarray(expected, dtype=int))
    assert difference.max() <= 1
    assert float(whole.std()) > 0.01  # a map that varies: a resize that differs would show
    # The download is still the full-size colorization.
    assert download.size == SIZE
    assert np.array_equal(np.asarray(download.convert("RGB")),
                          np.asarray(result.image.convert("RGB")))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_server_peak_while_colorizing_a_big_photo(shared_tiny_weights, tmp_path):
    """A 48 MP photo (its full-size float map 192 MB) in a real server process: the peak RSS
    while it is colorized and shown grows by less than one full-size float map."""
    width, height = 8000, 6000
    photo = tmp_path / "big.jpg"
    Image.fromarray(_photo(width, height)).save(photo, quality=85)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", BIG_PHOTO_SERVER, str(shared_tiny_weights), str(port),
                               str(Path(__file__).parent)])
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                http_get(f"{url}/api/info")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.2)
        opened = upload_photo(url, photo.name, photo.read_bytes(), "image/png")
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # the peak from here on
        before = process_megabytes(server.pid, "VmRSS")
        done = http_post(f"{url}/api/photos/{opened['id']}/colorize", b"{}", "application/json")
        http_get(f"{url}/api/photos/{opened['id']}/uncertainty.png?v={done['version']}")
        grown = process_megabytes(server.pid, "VmHWM") - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    full_map = width * height * 4 / 2**20  # MB of the full-size float32 map: 183
    # Measured: 668 MB (3.7 maps: the pipeline's own work); 1010 MB (5.5) when the rendering
    # made the whole map and PIL copied it.
    assert grown < 4.5 * full_map, f"the peak grew by {grown:.0f} MB ({grown / full_map:.1f} maps)"
