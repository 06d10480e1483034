"""POST /v1/jobs of BMP, PNM, WebP and HEIF uploads: checked by their length against what
their header declares (`upload_lengths`), not decoded whole in the serving process.

Measured 2026-12-07 (`chronochrome serve`'s peak VmHWM above its RSS during the POST of a
40 MP photo; 24 MP for HEIF): WebP 612 -> 1 MB, BMP 266 -> 120, PPM 267 -> 115, 16-bit PGM
229 -> 76 (the body itself), HEIF 180 -> 0 (GIF, RLE BMP and plain PNM: walked, not decoded,
since: tests/service/test_header_checks_service.py). A file cut short is refused as before,
in the same words (108 cut and whole files
of these formats compared); damage inside a WebP's or HEIF's coded data, which only a
decode finds, fails the item in the worker. Served by uvicorn over real HTTP.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from serve_process import free_port, new_key, start_serve
from threaded_serve import served
from upload_helpers import failed_in_the_worker, post_upload, upload_app

from colorizer.apps.service.store import JobStore
from colorizer.errors import ImageLoadError
from colorizer.pipeline.imageio import load_image


def _photo(width: int, height: int) -> Image.Image:
    """A toned photo-like RGB image: smooth, so a compressed file of it is small and what a
    decode holds shows in memory, not the file's bytes."""
    rows = np.linspace(20, 230, height)[:, None] + 20 * np.sin(np.arange(width) / 37)[None, :]
    gray = np.clip(rows, 0, 255)
    return Image.fromarray(np.stack([gray, gray * 0.9, gray * 0.75], -1).astype(np.uint8))


def _encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":  # written by pillow-heif itself: its Pillow plugin is the loader's
        pytest.importorskip("pillow_heif").from_pillow(image).save(out, quality=90)
    else:
        image.save(out, fmt)
    return out.getvalue()


def _upload(kind: str, width: int, height: int) -> tuple[str, bytes]:
    """(file name, bytes) of a `width` x `height` photo as `kind`."""
    photo = _photo(width, height)
    if kind == "pgm16":  # a 16-bit gray scan as SANE's scanimage writes it
        gray = np.asarray(photo.convert("L")).astype(np.uint16) * 257
        return "scan.pgm", _encoded(Image.fromarray(gray), "PPM")
    fmt, name = {"webp": ("WEBP", "photo.webp"), "bmp": ("BMP", "photo.bmp"),
                 "ppm": ("PPM", "photo.ppm"), "heif": ("HEIF", "photo.heic")}[kind]
    return name, _encoded(photo, fmt)


@pytest.fixture(scope="module")
def serving(shared_tiny_weights, tmp_path_factory) -> Iterator[tuple[str, dict, int, Path]]:
    """A real `chronochrome serve` (no workers): (its URL, auth header, pid, data folder).
    Its own process, so what the client holds is not counted with what the server holds."""
    data = tmp_path_factory.mktemp("serve") / "svc"
    data.mkdir()
    key, port = new_key(data, "archive"), free_port()
    server = start_serve(data, shared_tiny_weights, port, data.parent / "serve.log",
                         "--workers", "0")
    try:
        yield f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}, server.pid, data
    finally:
        server.terminate()
        server.wait(timeout=60)


def _server_megabytes(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {key} in /proc/{pid}/status")


@pytest.mark.parametrize(("kind", "width", "height"), [
    ("webp", 4000, 3000), ("bmp", 4000, 3000), ("ppm", 4000, 3000), ("pgm16", 4000, 3000),
    ("heif", 2400, 1600)])
def test_a_big_upload_is_not_decoded_at_the_post(serving, kind, width, height):
    """The POST held the decoded pixels only to throw them away (12 MP: WebP +180 MB, BMP
    and PPM about twice the file); now the upload's one copy, nothing more. The serving
    process's peak is reset (/proc/PID/clear_refs) after a warm-up POST."""
    url, auth, pid, data_dir = serving
    name, data = _upload(kind, width, height)
    post_upload(url, auth, "warm-up.png", _encoded(_photo(64, 48), "PNG"), "image/png")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _server_megabytes(pid, "VmRSS")
    answer = post_upload(url, auth, name, data, "application/octet-stream")
    rise_mb = _server_megabytes(pid, "VmHWM") - before
    assert answer.status_code == 202, answer.text
    assert answer.json()["items"][0]["source"] == {"kind": "upload", "name": name}
    store = JobStore(data_dir / "jobs.sqlite3")
    assert store.upload(f"{answer.json()['id']}-0") == data  # nothing lost
    assert rise_mb < 1.5 * len(data) / 2**20 + 8, (rise_mb, len(data) / 2**20)


@pytest.mark.parametrize("kind", ["webp", "bmp", "ppm", "pgm16", "heif"])
def test_a_cut_upload_is_still_refused_at_the_post(tmp_path, tiny_pipeline, kind):
    name, whole = _upload(kind, 211, 157)
    app, auth = upload_app(tmp_path, tiny_pipeline)
    with served(app) as url:
        for share in (0.3, 0.9, 0.999):
            answer = post_upload(url, auth, name, whole[:int(len(whole) * share)], "image/x-test")
            body = answer.json()
            assert answer.status_code == 422 and body["reason"] == "truncated", (share, body)
            assert body["detail"].startswith(f"{name}: ") and "re-download" in body["detail"]
        taken = post_upload(url, auth, name, whole, "image/x-test")
    assert taken.status_code == 202, taken.text
    assert app.state.service.store.upload(f"{taken.json()['id']}-0") == whole
    assert app.state.service.store.queue_depth() == 1


def test_damage_inside_webp_data_fails_its_item_in_the_worker(tmp_path, tiny_pipeline):
    """Only a decode finds damage inside a WebP's coded data: the POST takes the file, the
    worker fails the item with the loader's reason, as for a URL item. (A HEIF's HEVC
    decoder took such damage without a word before too: nothing to fail.)"""
    name, whole = _upload("webp", 640, 480)
    data = bytearray(whole)
    data[len(data) // 2:len(data) // 2 + 256] = b"\xff" * 256  # inside the coded image
    with pytest.raises(ImageLoadError) as refused:
        load_image(bytes(data), name=name)
    error = failed_in_the_worker(tmp_path, tiny_pipeline, name, bytes(data),
                                 "application/octet-stream")
    assert error["reason"] == refused.value.reason, (error, refused.value.reason)
    assert error["status"] == 422 and name in error["detail"], error
