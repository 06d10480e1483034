"""POST /v1/check over real HTTP with a before/after composite: the JSON's `composite` key
names the colorization half that was checked, the HTML report outlines and names it, and the
OpenAPI document lists the answer's keys, `composite` among them.

Before: the JSON had the key but nothing documented it (the 200 answer had no schema), and
`?report=html` captioned the whole composite "The colorization that was checked."."""

from __future__ import annotations

import io

import httpx
import pytest

from tests.test_check_composite import GUTTER, before_after, scene
from tests.web.web_helpers import ThreadServer


@pytest.fixture(scope="module")
def served(tmp_path_factory, shared_tiny_weights):
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    context=False, exemplars=False,
                                                    render_size=64)
    app = create_app(pipeline, ServiceConfig(data_dir=tmp_path_factory.mktemp("svc"),
                                             worker_threads=0))
    _, key = app.state.service.store.create_key("historian")
    server = ThreadServer(app)
    yield server.url, {"Authorization": f"Bearer {key}"}
    server.close()


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def upload():
    color = scene()
    gray = color.convert("L")
    files = {"file": ("posted.png", _png(before_after(gray, color)), "image/png"),
             "original": ("archive.png", _png(gray), "image/png")}
    return files, color.size


def test_check_json_names_the_checked_half(served, upload):
    url, auth = served
    files, (w, h) = upload
    answer = httpx.post(f"{url}/v1/check", headers=auth, files=files, timeout=300)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["size"] == [2 * w + GUTTER, h]
    assert body["composite"]["colorization_side"] == "right"
    assert body["composite"]["colorization_box"] == [w + GUTTER, 0, 2 * w + GUTTER, h]
    assert body["composite"]["gray_box"] == [0, 0, w, h]
    assert any("is a before/after composite" in note for note in body["notes"])


def test_check_report_names_the_checked_half(served, upload):
    url, auth = served
    files, (w, _) = upload
    answer = httpx.post(f"{url}/v1/check?report=html", headers=auth, files=files, timeout=300)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert (f"the colorization half of a before/after composite (right half: x {w + GUTTER}-"
            f"{2 * w + GUTTER}), outlined in blue") in answer.text
    assert "The colorization that was checked." not in answer.text


def test_openapi_lists_the_composite_key(served):
    url, _ = served
    document = httpx.get(f"{url}/openapi.json", timeout=60).json()
    ok = document["paths"]["/v1/check"]["post"]["responses"]["200"]["content"]
    keys = ok["application/json"].get("schema", {}).get("properties", {})
    assert {"passed", "findings", "luminance", "notes", "composite"} <= set(keys)
    assert "colorization_box" in keys["composite"]["description"]
    assert "only part checked" in keys["composite"]["description"]
