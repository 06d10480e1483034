"""The workbench's download writes the full-size PNG to a private temporary file as it is
encoded and sends it from there (download.py): a 16-bit master's PNG was built as bytes and
answered from them, its size in memory (twice while it was joined). Over real HTTP: the bytes
are the ones the in-memory encoder gives (the clock and the XMP's random ids fixed), the
answer names its length, and no temporary file stays behind."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import tempfile
import tracemalloc
import types
import uuid

import httpx
import numpy as np
import pytest
from PIL import Image
from web_helpers import ThreadServer, tiny_pipeline

from colorizer.pipeline import provenance, xmp_history
from colorizer.pipeline.provenance import encode_image
from tests.service.service_helpers import tmpfs

cv2 = pytest.importorskip("cv2")  # reads 16-bit RGB PNG (Pillow reads it at 8 bits)

HEIGHT, WIDTH = 4000, 6000  # a 24 MP 16-bit master: its PNG out is ~130 MB


def _fix_dates_and_ids(monkeypatch) -> None:
    """The XMP's dates and ids as they come out of a fresh start: two encodings of one
    result give the same bytes."""
    monkeypatch.setattr(provenance, "_now", lambda: "2026-01-02T03:04:05+00:00")
    ids = itertools.count(1)
    monkeypatch.setattr(xmp_history, "uuid",
                        types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(ids))))


def _grainy_master(height: int = HEIGHT, width: int = WIDTH) -> bytes:
    rng = np.random.default_rng(1)
    tone = np.linspace(8000, 56000, width, dtype=np.float32)[None, :]
    pixels = np.clip(tone + rng.normal(0, 700, (height, width)), 0, 65535).astype(np.uint16)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


@pytest.mark.slow
def test_the_full_size_download_is_sent_from_its_file(shared_tiny_weights, tmp_path,
                                                      monkeypatch):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    temporary = tmp_path / "tmp"  # the system's temporary folder, here watched
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    app = create_app(tiny_pipeline(shared_tiny_weights),
                     WebConfig(max_photos=1, display_side=64, max_upload_bytes=200_000_000))
    server = ThreadServer(app)
    try:
        with httpx.Client(base_url=server.url, timeout=600) as client:
            photo = client.post("/api/photos", files={
                "file": ("plate 1931.png", _grainy_master(), "image/png")}).json()
            ran = client.post(f"/api/photos/{photo['id']}/colorize", json={})
            assert ran.status_code == 200, ran.text
            _fix_dates_and_ids(monkeypatch)
            tracemalloc.start()
            digest, got = hashlib.sha256(), bytearray()
            with client.stream("GET", f"/api/photos/{photo['id']}/download") as answer:
                assert answer.status_code == 200
                length = int(answer.headers["content-length"])
                for piece in answer.iter_bytes(1 << 20):
                    digest.update(piece)
                    if len(got) < 64:
                        got += piece[:64]
                peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    finally:
        server.close()
    assert length > 100_000_000
    # What the encoder holds at once (a few of its 8 MB bands), and 1 MB sent at a time.
    assert peak < length / 2, f"held {peak / 1e6:.0f} MB sending a {length / 1e6:.0f} MB PNG"
    assert answer.headers["content-type"] == "image/png"
    assert 'filename="plate 1931.colorized.png"' in answer.headers["content-disposition"]
    assert got[24] == 16  # 16 bits a channel
    assert list(temporary.iterdir()) == []  # its file went as soon as it was open
    # The bytes the in-memory encoder gives for the same colorization.
    done = app.state.workbench.photos.get(photo["id"]).rendering
    _fix_dates_and_ids(monkeypatch)
    assert digest.hexdigest() == hashlib.sha256(
        encode_image(done.full.result(done.result), "png")).hexdigest()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_full_temporary_folder_is_told_and_leaves_nothing(shared_tiny_weights, tmp_path,
                                                            monkeypatch):
    from fastapi.testclient import TestClient

    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    app = create_app(tiny_pipeline(shared_tiny_weights), WebConfig(max_photos=1,
                                                                   display_side=64))
    client = TestClient(app)
    photo = client.post("/api/photos", files={
        "file": ("plate.png", _grainy_master(600, 800), "image/png")}).json()
    assert client.post(f"/api/photos/{photo['id']}/colorize", json={}).status_code == 200
    with tmpfs(tmp_path / "disk", "1M") as disk:  # the PNG is ~2.5 MB
        monkeypatch.setattr(tempfile, "tempdir", str(disk))
        answer = client.get(f"/api/photos/{photo['id']}/download")
        assert answer.status_code == 507
        assert "could not be written to the temporary folder" in answer.text
        assert "point TMPDIR at a folder with room" in answer.text
        assert list(disk.iterdir()) == []
