"""The workbench opens an item of a job of the real HTTP service (not a stand-in): the
service's polls no longer carry the items' color hints, and the workbench still restores them,
masks and sources included, from the item's own resource."""

from __future__ import annotations

import base64
import io
import json

import httpx
import numpy as np
import pytest
from PIL import Image
from web_helpers import ThreadServer, gray_photo, tiny_pipeline


@pytest.fixture(scope="module")
def service(shared_tiny_weights, tmp_path_factory):
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig

    config = ServiceConfig(data_dir=tmp_path_factory.mktemp("svc"), worker_threads=0)
    app = create_app(tiny_pipeline(shared_tiny_weights), config)
    _, key = app.state.service.store.create_key("archive")
    server = ThreadServer(app)
    yield server, key
    server.close()


def _mask_uri(width: int, height: int) -> str:
    inside = np.zeros((height, width), dtype=np.uint8)
    inside[60:, :] = 255  # the dark field of the test photo
    buffer = io.BytesIO()
    Image.fromarray(inside, "L").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_real_services_job_item_opens_with_its_hints(service, web_app):
    from fastapi.testclient import TestClient

    server, key = service
    hints = [{"point": [20, 10], "color": "#1e50c8", "source": "a letter, 1931"},
             {"mask": _mask_uri(128, 96), "color": "#00c000", "source": "inventory card"}]
    request = {"items": [{"upload": 0, "hint": "Paris 1920", "color_hints": hints}]}
    auth = {"Authorization": f"Bearer {key}"}
    submitted = httpx.post(f"{server.url}/v1/jobs", headers=auth,
                           files=[("file", ("scan.png", gray_photo(), "image/png"))],
                           data={"request": json.dumps(request)}, timeout=30)
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["id"]
    poll = httpx.get(f"{server.url}/v1/jobs/{job_id}", headers=auth, timeout=30)
    assert "data:image" not in poll.text and poll.json()["items"][0]["color_hints_count"] == 2
    with TestClient(web_app) as client:
        opened = client.post("/api/photos/open-job",
                             json={"service": server.url, "job": job_id, "key": key})
    assert opened.status_code == 200, opened.text
    assert opened.json()["hint"] == "Paris 1920"
    assert opened.json()["color_hints"] == hints  # the mask and the sources, as submitted
