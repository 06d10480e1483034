"""The workbench's JSON API without a browser: opening, colorizing, errors, memory bounds."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from web_helpers import JOB_HINTS, FakeService, gray_photo, tiny_pipeline


@pytest.fixture(scope="module")
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


def _open(client, data: bytes = b"", name: str = "p.png") -> dict:
    r = client.post("/api/photos", files={"file": (name, data or gray_photo(), "image/png")})
    assert r.status_code == 200, r.text
    return r.json()


def _png(client, url: str) -> np.ndarray:
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png", r.text
    return np.asarray(Image.open(io.BytesIO(r.content)))


def test_open_colorize_and_images(client):
    photo = _open(client)
    assert (photo["width"], photo["height"]) == (128, 96)
    view = client.post(f"/api/photos/{photo['id']}/colorize", json={}).json()
    assert view["version"] == 1
    assert [f["field"] for f in view["context"]["fields"]] == ["era", "region", "script",
                                                                "language"]
    assert view["regions"][0]["kind"] == "model" and view["regions"][0]["color"] == "#808080"
    base = f"/api/photos/{photo['id']}"
    assert _png(client, f"{base}/colorized.png").shape == (96, 128, 3)
    overlay = _png(client, f"{base}/uncertainty.png")
    assert overlay.shape == (96, 128, 4) and overlay[..., 3].min() >= 63  # 25% opacity floor
    assert _png(client, f"{base}/original.png").shape == (96, 128)


def test_era_and_region_join_the_hint(client):
    photo = _open(client)
    view = client.post(f"/api/photos/{photo['id']}/colorize",
                       json={"era": "1950s", "region": "Kazan"}).json()
    fields = {f["field"]: f for f in view["context"]["fields"]}
    assert fields["era"]["value"] == "1950-1959" and fields["era"]["source"] == "hint"
    assert fields["region"]["value"].startswith("Kazan")
    assert fields["region"]["evidence"] and 0 < fields["region"]["confidence"] <= 1
    assert view["said"] == "Kazan 1950s"


def test_color_hint_changes_pixels_and_is_reported(client):
    photo = _open(client)
    url = f"/api/photos/{photo['id']}"
    client.post(f"{url}/colorize", json={})
    before = _png(client, f"{url}/colorized.png").astype(int)
    hint = {"point": [64, 80], "color": "#00c000", "source": "a museum's uniform record"}
    view = client.post(f"{url}/colorize", json={"color_hints": [hint]}).json()
    after = _png(client, f"{url}/colorized.png").astype(int)
    assert after[80, 64, 1] - after[80, 64, 0] > before[80, 64, 1] - before[80, 64, 0] + 20
    record = view["regions"][1]
    assert record["kind"] == "hint" and record["source"] == "a museum's uniform record"
    mask = _png(client, f"{url}/region/1.png")
    assert mask[80, 64, 3] > 0 and mask[5, 5, 3] == 0  # the field, not the sky


def test_a_region_or_image_that_does_not_exist_is_a_404(client):
    photo = _open(client)
    url = f"/api/photos/{photo['id']}"
    view = client.post(f"{url}/colorize", json={}).json()
    assert [r["id"] for r in view["regions"]] == [0]  # the model's region only
    assert _png(client, f"{url}/region/0.png").shape == (96, 128, 4)
    for path, says in (("region/999.png", "region 999"), ("region/1.png", "region 1"),
                       ("regions/3.png", "regions 3"), ("colorized/0.png", "colorized 0"),
                       ("exemplar/0.png", "exemplar 0")):
        r = client.get(f"{url}/{path}")
        assert r.status_code == 404, (path, r.headers["content-type"])
        error = r.json()["error"]
        assert error["reason"] == "no_such_image" and says in error["message"], error


@pytest.mark.parametrize("body, says", [
    ({"color_hints": [{"point": [500, 10], "color": "red"}]}, "outside"),
    ({"color_hints": [{"point": [5, 5], "color": "not-a-color"}]}, "color"),
    ({"color_hints": "x"}, "color_hints"),
    ({"hint": "x" * 600}, "under 500"),
])
def test_bad_input_is_a_json_error(client, body, says):
    photo = _open(client)
    r = client.post(f"/api/photos/{photo['id']}/colorize", json=body)
    assert r.status_code == 422
    assert says in r.json()["error"]["message"]


@pytest.mark.parametrize("body, says", [
    ('{"hint": }', "the request body is not valid JSON (at character 10): Expecting value"),
    ('{"path": "a",}', ("the request body is not valid JSON (at character 14): Expecting "
                        "property name enclosed in double quotes")),
])
def test_malformed_json_is_said_in_words(client, body, says):
    photo = _open(client)
    for url in (f"/api/photos/{photo['id']}/colorize", "/api/photos/open-path"):
        r = client.post(url, content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 422
        assert r.json()["error"] == {"reason": "invalid_request", "message": says}


def test_bad_uploads_and_unknown_photos(client):
    r = client.post("/api/photos", files={"file": ("notes.txt", b"hello", "text/plain")})
    assert r.status_code == 415 and "notes.txt" in r.json()["error"]["message"]
    r = client.post("/api/photos/nope/colorize", json={})
    assert r.status_code == 404 and "open it again" in r.json()["error"]["message"]
    r = client.get("/api/photos/nope/colorized.png")
    assert r.status_code == 404 and r.json()["error"]["reason"] == "photo_not_found"


def test_only_the_last_photos_are_kept(client, web_app):
    ids = [_open(client)["id"] for _ in range(4)]  # the app keeps 3
    assert len(web_app.state.workbench.photos) == 3
    assert client.post(f"/api/photos/{ids[0]}/colorize", json={}).status_code == 404
    assert client.get(f"/api/photos/{ids[-1]}/original.png").status_code == 200


def test_paths_inside_the_allowed_folder_only(client, photo_file, tmp_path):
    r = client.post("/api/photos/open-path", json={"path": str(photo_file)})
    assert r.status_code == 200 and r.json()["name"] == "street.png"
    r = client.post("/api/photos/open-path", json={"path": "street.png"})  # relative to it
    assert r.status_code == 200
    outside = tmp_path / "secret.png"
    outside.write_bytes(gray_photo())
    for path in (str(outside), "../" * 8 + str(outside).lstrip("/"), "/etc/passwd"):
        r = client.post("/api/photos/open-path", json={"path": path})
        assert r.status_code == 403 and "outside the folders" in r.json()["error"]["message"]
    r = client.post("/api/photos/open-path", json={"path": "missing.png"})
    assert r.status_code == 404


def test_a_non_local_workbench_opens_no_paths(shared_tiny_weights, photo_file):
    from fastapi.testclient import TestClient

    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    app = create_app(tiny_pipeline(shared_tiny_weights),
                     WebConfig(local=False, path_roots=(photo_file.parent,)))
    with TestClient(app) as c:
        assert c.get("/api/info").json()["paths"] is False
        r = c.post("/api/photos/open-path", json={"path": str(photo_file)})
        assert r.status_code == 403 and "upload the photo instead" in r.json()["error"]["message"]
        r = c.post("/api/photos/open-job", json={"service": "http://127.0.0.1:1", "job": "j",
                                                 "key": "k"})
        assert r.status_code == 403


def test_open_a_job_of_the_service(client):
    service = FakeService()
    try:
        r = client.post("/api/photos/open-job",
                        json={"service": service.url, "job": "j1", "key": "good"})
        assert r.status_code == 200, r.text
        assert r.json()["hint"] == "Paris 1920" and r.json()["width"] == 64
        assert r.json()["color_hints"] == JOB_HINTS  # with their sources, as submitted
        r = client.post("/api/photos/open-job",  # a service that sent them in the job's view
                        json={"service": service.url, "job": "j0", "key": "good"})
        assert r.status_code == 200 and r.json()["color_hints"] == JOB_HINTS
        r = client.post("/api/photos/open-job",
                        json={"service": service.url, "job": "j1", "key": "bad"})
        assert r.status_code == 502 and "refused the API key" in r.json()["error"]["message"]
        r = client.post("/api/photos/open-job",
                        json={"service": service.url, "job": "j1", "key": "good", "item": 1})
        assert r.status_code == 422 and "archive.example" in r.json()["error"]["message"]
        # Past a view's first page (500 items): item 550 was "no such item" before.
        r = client.post("/api/photos/open-job",
                        json={"service": service.url, "job": "big", "key": "good", "item": 550})
        assert r.status_code == 200 and r.json()["name"] == "plate-550.png", r.text
        r = client.post("/api/photos/open-job",
                        json={"service": service.url, "job": "big", "key": "good", "item": 600})
        assert r.status_code == 404 and "has 600 items" in r.json()["error"]["message"]
    finally:
        service.close()


def test_an_exemplar_is_shown_with_its_thumbnail_and_its_region(shared_tiny_weights):
    """A used exemplar's record points at its thumbnail and at the region it decided."""
    from colorizer.apps.web.region_map import regions_png
    from colorizer.apps.web.rendering import render

    pipe = tiny_pipeline(shared_tiny_weights)
    reference = Image.fromarray(np.dstack([np.full((40, 40), c, np.uint8)
                                           for c in (200, 40, 40)]), "RGB")
    result = pipe(gray_photo(), exemplars=[reference])
    shown = render(result, side=64)
    [record] = shown.view["exemplars"]
    assert record["used"] and record["thumbnail"] == 0 and "image_path" not in record
    assert shown.thumbnails[0].size == (40, 40)
    regions = {r["id"]: r for r in shown.view["regions"]}
    # The user's reference is attended everywhere in this flat photo: it decided region 1.
    assert record["region"] == 1 and regions[1]["kind"] == "exemplar"
    mask = np.asarray(Image.open(io.BytesIO(regions_png(shown.regions, (64, 48), only=1))))
    assert (mask[..., 3] > 0).mean() == pytest.approx(regions[1]["share"], abs=0.05)
    assert shown.colorized.size == (64, 48) and shown.uncertainty.shape == (48, 64)
