"""A phone's HEIC sent to a real `chronochrome serve` (a subprocess, over HTTP): as a raw body
with the type browsers and phones give it (`image/heic`) and as a form's file, it is colorized
upright. Before: 415 `unsupported`, "convert it to JPEG or PNG first"."""

from __future__ import annotations

import io
import socket

import httpx
import pytest
from PIL import Image
from serve_process import start_serve

from colorizer.apps.service.store import JobStore
from tests.heic_files import iphone_heic

pytest.importorskip("pillow_heif")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_the_service_colorizes_a_heic_body_and_a_heic_file(tmp_path, tiny_weights):
    data, port, log = tmp_path / "svc", _free_port(), tmp_path / "serve.log"
    _, key = JobStore(data / "jobs.sqlite3").create_key("phones")
    heic = iphone_heic(tmp_path / "IMG_0001.HEIC").read_bytes()
    server = start_serve(data, tiny_weights, port, log, "--torch-threads", "1")
    url, auth = f"http://127.0.0.1:{port}/v1/colorize", {"Authorization": f"Bearer {key}"}
    try:
        raw = httpx.post(url, content=heic, timeout=60,
                         headers={**auth, "Content-Type": "image/heic"})
        form = httpx.post(f"{url}?response=json", headers=auth, timeout=60,
                          files={"file": ("IMG_0001.HEIC", heic, "image/heif")})
    finally:
        server.kill()
        server.wait(timeout=30)
    assert raw.status_code == 200, raw.text
    with Image.open(io.BytesIO(raw.content)) as colorized:
        assert colorized.size == (32, 48)  # stored 48 x 32, turned by EXIF orientation 6
    assert form.status_code == 200, form.text
    assert form.json()["provenance"]["source"]["format"] == "HEIF"
