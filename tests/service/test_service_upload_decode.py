"""POST /v1/jobs checks an upload without decoding it; the worker decodes it once.

An archive POSTing 108 MP 16-bit PNG scans saw the serving process reach 1.46 GB for each
(295 MB before the POST; measured 2026-12-07) and answer after 17 s: intake decoded the photo
to float pixels only to refuse a bad one, and the worker decoded it again. Now intake runs
the loader's checks on the header and reads the pixel data through without keeping it
(`upload_inspection`), and the form's file goes to disk as it is parsed (`bodies`): the
serving process now reaches 456 MB for that photo (the upload's 157 MB above its 295). A bad
upload is refused at the POST as before, with the same status and reason. Served by uvicorn over real
HTTP, the worker run in the test's thread.
"""

from __future__ import annotations

import io
import json
import tracemalloc
import zlib

import httpx
import numpy as np
import pytest
from PIL import Image
from threaded_serve import served

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.worker import Worker
from colorizer.pipeline.imageio import load_image


def _gradient_png(width: int, height: int, exif: Image.Exif | None = None) -> bytes:
    """A 16-bit gray PNG of smooth tones: its pixels are many (4 bytes a pixel as the
    loader's floats) and its file small, so what decodes it shows in memory, not its bytes."""
    ramp = np.linspace(0, 65535, width, dtype=np.float64)[None, :]
    rows = np.linspace(0.25, 1.0, height, dtype=np.float64)[:, None]
    image = Image.fromarray((ramp * rows).astype(np.uint16))
    out = io.BytesIO()
    image.save(out, "PNG", **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


def _png_of_rows(width: int, height: int, rows: bytes) -> bytes:
    """An 8-bit gray PNG whose rows (each a filter byte and `width` bytes) are `rows`, its
    checksums right: only its rows can be wrong."""
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def _app(tmp_path, tiny_pipeline):
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0, max_pixels=20_000_000)
    app = create_app(tiny_pipeline, config)
    _, key = app.state.service.store.create_key("archive")
    return app, {"Authorization": f"Bearer {key}"}


def _post(url: str, auth: dict[str, str], name: str, photo: bytes, **extra) -> httpx.Response:
    return httpx.post(f"{url}/v1/jobs", headers=auth, timeout=120,
                      files={"file": (name, photo, "image/png")}, **extra)

def _traced_post(url: str, auth: dict, photo: bytes):
    """(answer, traced peak MB) of POSTing `photo` as scan.png, after a warm-up request (the
    first request's set-up is not the upload's)."""
    _post(url, auth, "warm-up.png", _gradient_png(64, 48))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        answer = _post(url, auth, "scan.png", photo)
        return answer, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()



@pytest.mark.slow  # a 12 MP photo POSTed under tracemalloc, then colorized: ~15 s
def test_a_queued_upload_is_not_decoded_until_the_worker_takes_it(tmp_path, tiny_pipeline):
    photo = _gradient_png(4000, 3000)  # 12 MP: 46 MB as the loader's float pixels
    app, auth = _app(tmp_path, tiny_pipeline)
    state = app.state.service
    with served(app) as url:
        answer, post_peak_mb = _traced_post(url, auth, photo)
        assert answer.status_code == 202, answer.text
        assert answer.json()["items"][0]["source"] == {"kind": "upload", "name": "scan.png"}
        assert state.store.upload(f"{answer.json()['id']}-0") == photo
        worker = Worker(state.pipeline, state.store, state.config, state.fetcher,
                        state.signer, webhooks=state.webhooks)
        assert worker.run_once() and worker.run_once()
        job = httpx.get(answer.headers["location"], headers=auth, timeout=30).json()
        result = httpx.get(job["items"][0]["result_url"], headers=auth, timeout=60)
    assert job["state"] == "succeeded", job
    assert Image.open(io.BytesIO(result.content)).size == (4000, 3000)
    # Was 80 MB: the photo decoded to float pixels, thrown away (now 7 MB). The request's
    # bytes remain (the client's body, the server's pieces of it, the form's file read back).
    assert post_peak_mb < 16 + 6 * len(photo) / 2**20, (post_peak_mb, len(photo))


def test_a_multipart_upload_is_held_about_once_while_it_is_read(tmp_path, tiny_pipeline):
    """The form's parser was given the whole body at once: its file part was copied whole
    (the parser's slice, the spooled file's buffer, its copy when it rolled over to disk),
    about 600 MB for a 157 MB scan's POST with the decode gone (16 MB traced for this 5 MB
    photo, with it). Given a megabyte at a time, the file goes to disk as it is parsed."""
    pixels = np.random.default_rng(0).integers(0, 256, (2300, 2400), np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG", compress_level=1)
    photo = out.getvalue()  # noise: as many bytes as pixels (5 MB)
    app, auth = _app(tmp_path, tiny_pipeline)
    with served(app) as url:
        answer, peak_mb = _traced_post(url, auth, photo)
    assert answer.status_code == 202, answer.text
    assert app.state.service.store.upload(f"{answer.json()['id']}-0") == photo
    photo_mb = len(photo) / 2**20
    assert peak_mb < 2 * photo_mb + 2, (peak_mb, photo_mb)  # now 6.1 MB


def test_a_bad_upload_is_still_refused_at_the_post(tmp_path, tiny_pipeline):
    width, height = 300, 200
    pixels = np.random.default_rng(0).integers(0, 256, (height, width), np.uint8)
    rows = b"".join(b"\x00" + row.tobytes() for row in pixels)
    good = _png_of_rows(width, height, rows)
    cut = good[:len(good) // 2]
    bad_filter = _png_of_rows(width, height, rows[:7 * (width + 1)] + b"\x09"
                              + rows[7 * (width + 1) + 1:])
    jpeg = io.BytesIO()
    Image.fromarray(pixels).save(jpeg, "JPEG")
    app, auth = _app(tmp_path, tiny_pipeline)
    with served(app) as url:
        assert _post(url, auth, "good.png", good).status_code == 202
        for name, data, reason in [("cut.png", cut, "truncated"),
                                   ("filter.png", bad_filter, "truncated"),
                                   ("cut.jpg", jpeg.getvalue()[:-400], "truncated"),
                                   ("empty.png", b"", "empty"),
                                   ("notes.png", b"not an image at all", "unsupported")]:
            answer = _post(url, auth, name, data)
            body = answer.json()
            assert answer.status_code in (415, 422) and body["reason"] == reason, (name, body)
            assert body["detail"].startswith(f"{name}: "), body
        cut_detail = _post(url, auth, "cut.png", cut).json()["detail"]
        huge = _post(url, auth, "huge.png", _gradient_png(6000, 4000))  # 24 MP > 20 MP
    assert "ends early or is corrupt (image file is truncated" in cut_detail, cut_detail
    assert "re-download" in cut_detail
    assert huge.status_code == 413 and huge.json()["reason"] == "too_large"
    assert "6000x4000 = 24,000,000 pixels, above the limit of 20,000,000" in huge.json()["detail"]
    assert app.state.service.store.queue_depth() == 1  # the good one only


def test_color_hints_of_an_upload_meet_its_turned_size(tmp_path, tiny_pipeline):
    """A PNG whose EXIF says 'turned a quarter' is 48 wide as loaded, 64 as stored: hints
    are checked against the size the worker will colorize, read without decoding it (Pillow
    finds a PNG's EXIF after its pixel data only by decoding them)."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    stored = _gradient_png(64, 48, exif)
    # The EXIF chunk after the pixel data, where some writers put it.
    at = stored.index(b"eXIf") - 4
    length = int.from_bytes(stored[at:at + 4], "big")
    exif_chunk, rest = stored[at:at + 12 + length], stored[:at] + stored[at + 12 + length:]
    late = rest[:-12] + exif_chunk + rest[-12:]
    assert load_image(late).size == (48, 64)

    def hinted(x: int, y: int) -> dict[str, str]:
        hint = {"point": [x, y], "color": "#b22222"}
        return {"request": json.dumps({"items": [{"upload": 0, "color_hints": [hint]}]})}

    app, auth = _app(tmp_path, tiny_pipeline)
    with served(app) as url:
        inside = _post(url, auth, "turned.png", late, data=hinted(40, 60))
        outside = _post(url, auth, "turned.png", late, data=hinted(60, 40))
    assert inside.status_code == 202, inside.text
    assert outside.status_code == 422, outside.text
    assert "48" in outside.json()["detail"] and "64" in outside.json()["detail"]
