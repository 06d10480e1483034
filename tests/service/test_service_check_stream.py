"""POST /v1/check of big scans: the body spooled to a temporary file as it arrives and the
multipart form parsed a megabyte at a time, as a job's is (`bodies.spooled_body`,
`bodies.read_form`), and the uploads decoded off the event loop.

Measured 2026-12-07 (`chronochrome serve`'s peak VmHWM, embedded weights, a 108 MP
colorization and its original): the body was joined whole and handed to the parser in one
go, so a 22 MB part rose the process 70 MB before any decode (now 21: the one copy read back).
Served by uvicorn over real HTTP.
"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from threaded_serve import served

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig


def _app(tmp_path: Path, tiny_pipeline):
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0)
    app = create_app(tiny_pipeline, config)
    _, key = app.state.service.store.create_key("archive")
    return app, {"Authorization": f"Bearer {key}"}


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG", compress_level=1)
    return out.getvalue()


def _noise(height: int, width: int, channels: int = 3) -> np.ndarray:
    shape = (height, width, channels) if channels > 1 else (height, width)
    return np.random.default_rng(0).integers(0, 256, shape, np.uint8)


def _check(url: str, auth: dict, files: dict, **options) -> httpx.Response:
    return httpx.post(f"{url}/v1/check", headers=auth, files=files, timeout=120, **options)


def test_a_check_body_is_held_once_while_its_form_is_read(tmp_path, tiny_pipeline):
    """A form whose colorization was sent under another name (`original` alone) is refused
    once its form is read, before any decode: what it held is the body's reading alone. It
    was the body joined whole, the parser's copy of it and the part read back: 3x the part
    (a 5.3 MB part rose Python's heap 16 MB); now the part read back, once."""
    part = _png(_noise(2300, 2400, 1))  # 5.3 MB of noise
    app, auth = _app(tmp_path, tiny_pipeline)
    with served(app) as url:
        _check(url, auth, {"original": ("warm-up.png", _png(_noise(48, 64, 1)), "image/png")})
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            answer = _check(url, auth, {"original": ("scan.png", part, "image/png")})
            peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
    assert answer.status_code == 422, answer.text
    assert answer.json()["reason"] == "invalid_request"
    assert "send the colorization as the `file` part" in answer.json()["detail"]
    part_mb = len(part) / 2**20
    assert peak_mb < 1.5 * part_mb + 1, (peak_mb, part_mb)


def test_a_spooled_check_answers_as_before(tmp_path, tiny_pipeline):
    """The findings of a check whose parts come spooled: a colorization with its original,
    a hint and a caption; its own lightness matches."""
    gray = _noise(300, 400, 1)
    colorized = np.stack([gray, (gray * 0.9).astype(np.uint8), (gray * 0.8).astype(np.uint8)],
                         -1)
    original = np.asarray(Image.open(io.BytesIO(_png(colorized))).convert("L"))
    app, auth = _app(tmp_path, tiny_pipeline)
    with served(app) as url:
        answer = _check(url, auth, {"file": ("c.png", _png(colorized), "image/png"),
                                    "original": ("o.png", _png(original), "image/png")},
                        data={"hint": "Paris 1880", "caption": "A street"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["size"] == [400, 300] and body["hint"] == "Paris 1880"
    assert body["luminance"]["matches"] is True


def test_a_malformed_check_form_is_named_422(tmp_path, tiny_pipeline):
    """A multipart body without its boundary (a client that set the Content-Type header by
    hand, `-H 'Content-Type: multipart/form-data'`) was Starlette's 400 "Missing boundary in
    multipart."; it is now the jobs' 422 invalid_multipart, which says the form could not be
    read, and why."""
    app, auth = _app(tmp_path, tiny_pipeline)
    with served(app) as url:
        answer = httpx.post(f"{url}/v1/check", content=_png(_noise(32, 48)), timeout=60,
                            headers={**auth, "Content-Type": "multipart/form-data"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["reason"] == "invalid_multipart"
    assert answer.json()["detail"] == ("the multipart body could not be read: Missing boundary "
                                       "in multipart.")


def test_a_check_is_held_to_the_services_pixel_cap_not_the_pipelines(tmp_path, tiny_pipeline):
    """`serve --max-pixels` (ServiceConfig.max_pixels) sets what a job may hold, and a check
    of that job's colorization must be taken too: the check route capped uploads by the
    pipeline's own default instead, so a server set for 108 MP scans answered 413 to their
    check. Here the pipeline's cap is lowered below a 96 x 64 photo, the service's is not."""
    ramp = np.repeat(np.linspace(40, 220, 96)[None, :], 64, axis=0)
    photo = _png(np.stack([ramp, ramp * 0.8 + 20, 255 - ramp], axis=-1).astype(np.uint8))

    def checked(pipeline, service_cap: int, folder: str) -> httpx.Response:
        config = ServiceConfig(data_dir=tmp_path / folder, worker_threads=0,
                               max_pixels=service_cap)
        app = create_app(pipeline, config)
        _, key = app.state.service.store.create_key("archive")
        with served(app) as url:
            return _check(url, {"Authorization": f"Bearer {key}"},
                          {"file": ("colorized.png", photo, "image/png")})

    answer = checked(tiny_pipeline.with_config(max_pixels=96 * 64 - 1), 96 * 64, "svc")
    assert answer.status_code == 200, answer.text
    assert "findings" in answer.json()
    refused = checked(tiny_pipeline, 96 * 64 - 1, "svc2")
    assert refused.status_code == 413, refused.text
