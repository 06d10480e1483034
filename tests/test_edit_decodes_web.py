"""The workbench decodes a photo once for its opening, its colorization and the color points
placed on it (colorizer/apps/web/workbench.py), over real HTTP against a real server.

Each color point used to decode the photo's bytes again (0.1-0.3 s of a 12 MP JPEG). The
decode of the photo being edited is now kept where --max-memory-mb leaves room for it, and the
colors are those of a fresh workbench's. Decodes are counted around the real loader.
"""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.request
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.web import workbench
from colorizer.apps.web.app import create_app
from colorizer.apps.web.config import WebConfig
from colorizer.pipeline import photo_input
from colorizer.pipeline.colorization import ColorizationPipeline

WIDTH, HEIGHT = 160, 120
POINTS = [{"point": [30, 40], "color": "#b22222"}, {"point": [120, 90], "color": "#2050c0"}]


def _photo() -> bytes:
    rng = np.random.default_rng(3)
    pixels = np.where(np.arange(WIDTH)[None, :] < 80, 70.0, 190.0)
    pixels = pixels + rng.normal(0, 8, (HEIGHT, WIDTH))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L").save(buffer, "JPEG")
    return buffer.getvalue()


class Server:
    """The workbench app on 127.0.0.1 in a thread, spoken to over HTTP."""

    def __init__(self, weights, config: WebConfig) -> None:
        import socket

        import uvicorn

        pipe = ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                    exemplars=False, render_size=64)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(create_app(pipe, config), host="127.0.0.1",
                                                    port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "no server"
            time.sleep(0.05)

    def post(self, path: str, body: bytes, kind: str = "application/json") -> dict:
        request = urllib.request.Request(self.url + path, data=body,
                                         headers={"Content-Type": kind})
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.loads(answer.read())

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=120) as answer:
            return answer.read()

    def open(self, name: str, data: bytes) -> dict:
        boundary = "decodesboundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        return self.post("/api/photos", body, f"multipart/form-data; boundary={boundary}")

    def colorize(self, photo_id: str, points: list[dict]) -> dict:
        return self.post(f"/api/photos/{photo_id}/colorize",
                         json.dumps({"color_hints": points}).encode())

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """The name of each photo the workbench or the pipeline decoded, by the real loader."""
    seen: list[str] = []

    def counted(source, **kwargs):
        seen.append(kwargs.get("name") or str(source)[:20])
        return real(source, **kwargs)

    real = workbench.load_image
    monkeypatch.setattr(workbench, "load_image", counted)
    monkeypatch.setattr(photo_input, "load_image", counted)
    return seen


def _session(server: Server, decodes: list[str]) -> tuple[list[int], dict, bytes]:
    """Open, colorize, place a point, place a second: the decodes each step made, the
    photo's view, its colorized PNG."""
    counts = []
    photo = server.open("street.jpg", _photo())
    counts.append(len(decodes))
    for end in (0, 1, 2):
        server.colorize(photo["id"], POINTS[:end])
        counts.append(len(decodes) - sum(counts))
    return counts, photo, server.get(f"/api/photos/{photo['id']}/colorized.png")


@pytest.fixture
def server(shared_tiny_weights) -> Iterator[Server]:
    running = Server(shared_tiny_weights, WebConfig())
    yield running
    running.close()


def test_points_placed_on_a_photo_do_not_decode_it_again(server, decodes,
                                                         shared_tiny_weights):
    counts, _, edited = _session(server, decodes)
    assert counts == [1, 0, 0, 0]  # open; colorize, one point, two points: none
    fresh = Server(shared_tiny_weights, WebConfig())
    try:  # a fresh workbench colorizing with both points at once: the same picture
        photo = fresh.open("street.jpg", _photo())
        fresh.colorize(photo["id"], POINTS)
        assert fresh.get(f"/api/photos/{photo['id']}/colorized.png") == edited
    finally:
        fresh.close()


def test_one_decode_is_kept_the_last_photos(server, decodes):
    _, first, _ = _session(server, decodes)
    steps = []
    for step in (lambda: server.open("second.jpg", _photo()),  # its decode replaces the first's
                 lambda: server.colorize(first["id"], POINTS[:1]),  # decoded again
                 lambda: server.colorize(first["id"], POINTS[:2])):  # kept again
        before = len(decodes)
        step()
        steps.append(len(decodes) - before)
    assert steps == [1, 1, 0]


def test_no_decode_is_kept_past_the_memory_budget(shared_tiny_weights, decodes):
    # Room for the photo's bytes and its full-size output (4 bytes a pixel), not its decode.
    budget = len(_photo()) + WIDTH * HEIGHT * 4 + 100
    tight = Server(shared_tiny_weights, WebConfig(max_memory_bytes=budget))
    try:
        counts, photo, _ = _session(tight, decodes)
        assert counts == [1, 1, 1, 1]  # decoded each time, as before: nothing held over
        assert tight.post(f"/api/photos/{photo['id']}/colorize", b"{}")["closed"] == ""
    finally:
        tight.close()
