"""`max_pixels` given only in serve's --config caps the pipeline too, not only the uploads.

`_pipeline(args)` saw only the flags: with `{"max_pixels": 4000}` in --config an upload over
4,000 pixels was refused (413), but a job's reference photo of 10,000 pixels was colorized
with, under the pipeline's default cap of 50,000,000 pixels.
"""

from __future__ import annotations

import base64
import io
import json
import time

import httpx
import numpy as np
from PIL import Image
from serve_process import free_port, new_key, start_serve
from service_helpers import gray_png


def _color_png(width: int, height: int) -> bytes:
    """A color photo (a reference lends color: a gray one is refused for that)."""
    pixels = np.random.default_rng(1).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def _reference_job(base: str, key: str, reference: bytes) -> dict:
    """A job of a 48x32 photo whose one color hint is `reference`, waited for until it ends."""
    hint = {"box": [0, 0, 24, 16], "reference": "data:image/png;base64,"
            + base64.b64encode(reference).decode("ascii")}
    headers = {"Authorization": f"Bearer {key}"}
    posted = httpx.post(f"{base}/v1/jobs", headers=headers, timeout=30,
                        files=[("file", ("p.png", gray_png(48, 32), "image/png"))],
                        data={"request": json.dumps({"items": [{"upload": 0,
                                                                "color_hints": [hint]}]})})
    assert posted.status_code == 202, posted.text
    deadline = time.time() + 120
    while time.time() < deadline:
        job = httpx.get(posted.headers["location"], headers=headers, timeout=30).json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"the job did not end: {job}")


def test_max_pixels_of_the_config_caps_reference_photos(tmp_path, tiny_weights):
    config = tmp_path / "service.json"
    config.write_text(json.dumps({"max_pixels": 4000}))
    data, port = tmp_path / "data", free_port()
    key = new_key(data, "archive")
    server = start_serve(data, tiny_weights, port, tmp_path / "serve.log", "--config",
                         str(config))
    base = f"http://127.0.0.1:{port}"
    try:
        too_large = httpx.post(f"{base}/v1/jobs", headers={"Authorization": f"Bearer {key}"},
                               files=[("file", ("p.png", gray_png(100, 100), "image/png"))],
                               timeout=30)
        assert too_large.status_code == 413  # the uploads' cap: as before
        small = _reference_job(base, key, _color_png(40, 40))  # 1,600 pixels
        assert small["state"] == "succeeded", small["items"][0]["error"]
        large = _reference_job(base, key, _color_png(100, 100))  # 10,000 pixels
    finally:
        server.terminate()
        server.wait(60)
    assert large["state"] == "failed", large
    error = large["items"][0]["error"]
    assert "4,000" in error["detail"], error  # the configured cap, named
