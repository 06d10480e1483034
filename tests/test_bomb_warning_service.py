"""The service, over real HTTP, prints no "DecompressionBombWarning" for a photo within its own
cap that is over Pillow's limit (a 100 MP upload by default): the upload is read by the
loader, and the original's download sniffs its type under the same settings.

Pillow's limit is lowered to 3000 pixels in the server process (a `sitecustomize` module), so
a 64 x 64 upload stands in for a 100 MP scan.
"""

from __future__ import annotations

import os
import time

import httpx
import pytest

from colorizer.apps.service.store import JobStore
from tests.service.serve_process import REPO, free_port, start_serve
from tests.service.service_helpers import gray_png


@pytest.mark.slow
def test_an_upload_over_pils_limit_draws_no_warning_in_the_service_log(tmp_path, tiny_weights):
    lowered = tmp_path / "lowered"
    lowered.mkdir()
    (lowered / "sitecustomize.py").write_text(
        "from PIL import Image\nImage.MAX_IMAGE_PIXELS = 3000\n")
    data, port, log = tmp_path / "svc", free_port(), tmp_path / "serve.log"
    _, key = JobStore(data / "jobs.sqlite3").create_key("archive")
    env = {"PYTHONPATH": os.pathsep.join([str(lowered), str(REPO)]),
           "PYTHONWARNINGS": "always"}
    server = start_serve(data, tiny_weights, port, log, "--torch-threads", "1", env=env)
    url, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}
    try:
        photo = gray_png(64, 64)
        job = httpx.post(f"{url}/v1/jobs", headers=auth, timeout=30,
                         files={"file": ("scan.png", photo, "image/png")}).json()
        deadline = time.time() + 90
        while httpx.get(f"{url}/v1/jobs/{job['id']}?limit=0", headers=auth,
                        timeout=10).json()["state"] != "succeeded":
            assert time.time() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)
        original = httpx.get(f"{url}/v1/jobs/{job['id']}/items/0/original", headers=auth,
                             timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert original.status_code == 200
    assert original.content == photo
    assert original.headers["content-type"] == "image/png"
    assert "DecompressionBombWarning" not in log.read_text()
