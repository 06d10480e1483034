"""The workbench with an archive's big scans: the open photos are bounded by memory, not only by
count, and a 16-bit master's display original is made without full-size float copies.

Before: eight open 108 MP scans held 3.5 GB (`--max-photos` counted photos only, and the
full-size output was counted as 3 bytes a pixel where PIL holds 4); opening a 108 MP 16-bit
PNG peaked 1.3 GB above its decoded pixels making three float32 copies of them for its
display original. Served over real HTTP with the tiny real model; a small budget stands in
for a big scan's 650 MB.
"""

from __future__ import annotations

import io
import json
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image
from web_helpers import ThreadServer, gray_photo, tiny_pipeline

PHOTO = gray_photo(128, 96)
# Its bytes plus its output as held (4 bytes a pixel): two such photos fit, three do not.
ONE_PHOTO = len(PHOTO) + 128 * 96 * 4
BUDGET = 2 * ONE_PHOTO + ONE_PHOTO // 2


def _upload(url: str, name: str, data: bytes) -> tuple[int, dict]:
    boundary = "bigscans"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return _call(urllib.request.Request(f"{url}/api/photos", data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"}))


def _post(url: str, path: str, body: dict) -> tuple[int, dict]:
    return _call(urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(),
                                        headers={"Content-Type": "application/json"}))


def _call(request: urllib.request.Request) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def budget_server(shared_tiny_weights) -> Iterator[ThreadServer]:
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    config = WebConfig(max_photos=8, max_memory_bytes=BUDGET)
    server = ThreadServer(create_app(tiny_pipeline(shared_tiny_weights), config))
    yield server
    server.close()


def test_the_oldest_photo_is_closed_when_the_memory_budget_is_passed(budget_server):
    url = budget_server.url
    ids = []
    for name in ("first.png", "second.png"):
        status, view = _upload(url, name, PHOTO)
        assert status == 200 and view["closed"] == "", view
        assert _post(url, f"/api/photos/{view['id']}/colorize", {})[0] == 200
        ids.append(view["id"])
    status, third = _upload(url, "third.png", PHOTO)
    assert status == 200
    # Eight photos were allowed, but three do not fit the memory: the oldest went, and the
    # answer says so for the page's status line.
    assert third["closed"] == (
        f"closed first.png to make room (limit: {BUDGET / 1e6:.0f} MB of open photos, "
        "--max-memory-mb)")
    status, done = _post(url, f"/api/photos/{third['id']}/colorize", {})
    assert status == 200 and done["closed"] == ""
    status, gone = _post(url, f"/api/photos/{ids[0]}/colorize", {})
    assert status == 404
    assert gone["error"]["reason"] == "photo_not_found"
    assert "closed to make room for newer ones" in gone["error"]["message"]
    assert gone["error"]["message"] == (
        f"no open photo {ids[0]!r}: it was closed to make room for newer ones (limit: "
        f"{BUDGET / 1e6:.0f} MB of open photos, --max-memory-mb); open it again")
    assert _post(url, f"/api/photos/{ids[1]}/colorize", {})[0] == 200  # the newer one stays


def test_a_photo_counts_its_output_as_held(budget_server):
    """PIL holds an RGB image as 4 bytes a pixel: the count of 3 let a budget hold a third
    more than it said."""
    _, view = _upload(budget_server.url, "counted.png", PHOTO)
    assert _post(budget_server.url, f"/api/photos/{view['id']}/colorize", {})[0] == 200
    photo = budget_server.server.config.app.state.workbench.photos.get(view["id"])
    assert photo.rendering.full.nbytes == 128 * 96 * 4
    assert photo.held_bytes == ONE_PHOTO


def test_a_photo_alone_over_the_budget_still_opens(shared_tiny_weights):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    config = WebConfig(max_memory_bytes=1000)  # less than the one photo holds
    server = ThreadServer(create_app(tiny_pipeline(shared_tiny_weights), config))
    try:
        status, view = _upload(server.url, "alone.png", PHOTO)
        assert status == 200 and view["closed"] == ""
        status, done = _post(server.url, f"/api/photos/{view['id']}/colorize", {})
        assert status == 200 and done["closed"] == ""
    finally:
        server.close()


def _gray16_png(width: int, height: int) -> bytes:
    ramp = np.linspace(0, 65535, width * height, dtype=np.float64).reshape(height, width)
    rng = np.random.default_rng(0)
    pixels = np.clip(ramp + rng.normal(0, 900, ramp.shape), 0, 65535).astype(np.uint16)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_16_bit_display_original_is_made_without_full_size_float_copies():
    from colorizer.apps.web.rendering import display_size
    from colorizer.apps.web.workbench import _display_original
    from colorizer.pipeline.image_pixels import unit_pixels
    from colorizer.pipeline.imageio import load_image

    loaded = load_image(_gray16_png(1000, 3000), name="master16.png")
    assert loaded.pixels.dtype == np.uint16  # a 16-bit master: its values (image_pixels.py)
    # What it showed before, the same pixels (the floats in [0, 1] the loader made before)
    # rounded the same way.
    whole = np.round(np.clip(unit_pixels(loaded.pixels), 0, 1) * 255).astype(np.uint8)
    expected = Image.fromarray(whole).resize(display_size(loaded.size, 1600), Image.LANCZOS)
    tracemalloc.start()
    try:
        shown = _display_original(loaded, 1600)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.array_equal(np.asarray(shown), np.asarray(expected))
    # Its 8-bit copy (a quarter of the floats) and a band of rows at a time (0.6 of the
    # floats here); the whole float32 copies it made took twice the floats.
    floats = loaded.pixels.size * 4  # what one whole float32 copy would take
    assert peak < floats, (peak, floats)
