"""What a request may say, checked alike on /v1/colorize and /v1/jobs (format, limits, unknown
fields, unreferenced uploads, UTF-8 headers), and what finished items are called (canvas
labels, download names, the manifest of a job that has no result)."""

from __future__ import annotations

import asyncio
import io
import json

import httpx
import pytest
from PIL import Image
from service_helpers import gray_png

from colorizer.apps.service.item_names import clean_name, content_disposition

PNG = {"Content-Type": "image/png"}
GRANNY = "бабушка, Großmutter"


def _colorize(service, data=None, params=None, name="p.png"):
    return service.client.post("/v1/colorize", headers=service.headers(), params=params or {},
                               files=[("file", (name, gray_png(48, 32), "image/png"))],
                               data=data or {})


def _jobs(service, data=None, names=("p.png",)):
    files = [("file", (n, gray_png(48, 32, seed=i), "image/png")) for i, n in enumerate(names)]
    return service.client.post("/v1/jobs", headers=service.headers(), files=files,
                               data=data or {})


def _problem(response, reason="invalid_request") -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["reason"] == reason
    return response.json()["detail"]


@pytest.mark.parametrize("fmt", ["bogus", "gif"])
def test_an_unknown_format_is_422_on_colorize_as_on_jobs(service, fmt):
    colorize = _problem(_colorize(service, {"format": fmt}))
    jobs = _problem(service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"url": "http://archive.test/p.png"}], "format": fmt}))
    assert f"unknown output format '{fmt}'" in colorize and colorize == jobs
    assert service.store.queue_depth() == 0


def test_an_unknown_response_kind_is_422_naming_the_kinds(service):
    detail = _problem(_colorize(service, params={"response": "bogus"}))
    assert "response" in detail and "'image' or 'json'" in detail
    image = _colorize(service, params={"response": "image"})
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"


def test_colorize_has_the_limits_of_a_job(service):
    long_hint = "Paris " * 3700  # 22,200 characters; a job's hint is capped at 500
    detail = _problem(_colorize(service, {"hint": long_hint}))
    assert "hint" in detail and "500 characters" in detail
    assert "hint" in _problem(_jobs(service, {"hint": long_hint}))
    for send in (_colorize, _jobs):
        detail = _problem(send(service, {"hnt": "Paris"}))
        assert "unknown form field(s) hnt" in detail and "hint" in detail
    request = json.dumps({"items": [{"upload": 0}]})
    detail = _problem(_jobs(service, {"request": request, "hint": "Paris"}))
    assert "hint go inside the `request` JSON" in detail
    ok = _colorize(service, {"hint": "Paris 1920", "caption": "a street"},
                   params={"response": "json"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["provenance"]["prompt"]["hint"] == "Paris 1920"
    assert service.store.queue_depth() == 0


def test_uploads_no_item_refers_to_are_refused(service):
    request = json.dumps({"items": [{"upload": 0}]})
    detail = _problem(_jobs(service, {"request": request}, names=("a.png", "b.png", "c.png")))
    assert "1 (b.png), 2 (c.png)" in detail and '{"upload": N}' in detail
    assert service.store.queue_depth() == 0
    beyond = json.dumps({"items": [{"upload": 0}, {"upload": 5}]})
    detail = _problem(_jobs(service, {"request": beyond}, names=("a.png", "b.png")))
    assert "items[1].upload = 5 but only 2 files were uploaded" in detail
    both = json.dumps({"items": [{"upload": 0}, {"upload": 1}]})
    assert _jobs(service, {"request": both}, names=("a.png", "b.png")).status_code == 202


def test_the_color_hints_header_is_read_as_utf8(service):
    hints = json.dumps([{"point": [10, 20], "color": "#c01818", "source": GRANNY}],
                       ensure_ascii=False)
    headers = {**service.headers(), **PNG, "Color-Hints": hints.encode("utf-8")}
    response = service.client.post("/v1/colorize?response=json", content=gray_png(48, 32),
                                    headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["provenance"]["color_regions"][1]["source"] == GRANNY
    result = service.client.get(response.json()["result_url"], headers=service.headers())
    assert GRANNY in Image.open(io.BytesIO(result.content)).info["xmp"].decode("utf-8")
    # Latin-1 bytes: TestClient re-encodes headers as UTF-8, so httpx's ASGI transport sends
    # them as they are.
    latin1 = {**headers, "Color-Hints": hints.encode("utf-8").replace(b"\xc3\x9f", b"\xdf")}

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app),
                                     base_url="http://127.0.0.1") as client:
            return await client.post("/v1/colorize", content=gray_png(48, 32), headers=latin1)

    detail = _problem(asyncio.run(post()))
    assert "not UTF-8" in detail and "color_hints query parameter" in detail


@pytest.mark.slow
def test_canvases_and_downloads_are_named_after_the_original(service):
    response = _jobs(service, {"caption": ["", "Grandmother at Kazan station"], "format": "jpg"},
                     names=("scans/Großmutter 1931.png", "oma.png"))
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert service.drain() == 2
    manifest = service.client.get(f"{location}/manifest", headers=service.headers()).json()
    assert [c["label"] for c in manifest["items"]] == [
        {"none": ["Großmutter 1931.png"]}, {"none": ["Grandmother at Kazan station"]}]
    items = service.client.get(location, headers=service.headers()).json()["items"]
    first = service.client.get(items[0]["result_url"], headers=service.headers())
    assert first.headers["content-disposition"] == (
        "attachment; filename=\"Gro_mutter 1931.jpg\"; "
        "filename*=UTF-8''Gro%C3%9Fmutter%201931.jpg")
    second = service.client.get(items[1]["result_url"], headers=service.headers())
    assert second.headers["content-disposition"] == 'attachment; filename="oma.jpg"'
    # A raw body has no name: "item 0" and the job's id.
    raw = service.client.post("/v1/colorize?response=json", content=gray_png(48, 32),
                              headers={**service.headers(), **PNG}).json()
    job_id = raw["job_id"]
    unnamed = service.client.get(f"/v1/jobs/{job_id}/manifest", headers=service.headers())
    assert unnamed.json()["items"][0]["label"] == {"none": ["item 0"]}
    download = service.client.get(raw["result_url"], headers=service.headers())
    assert download.headers["content-disposition"] == f'attachment; filename="{job_id}-0.png"'


def test_names_from_clients_are_cleaned():
    assert clean_name("C:\\scans\\..\\oma.png") == "oma.png"
    assert clean_name("../../etc/.pass\x00wd\r\n") == "passwd"
    assert clean_name("dir/") == "dir" and clean_name("..") is None
    assert clean_name("x" * 500) == "x" * 120
    assert content_disposition('a"b\\c.png') == (
        "attachment; filename=\"a_b_c.png\"; filename*=UTF-8''a%22b%5Cc.png")


def test_the_manifest_of_a_job_without_any_result_is_410(service, http_server):
    location = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"url": http_server.url("/gone.png")},
                  {"url": http_server.url("/gone-too.png")}]}).headers["location"]
    job_id = location.rsplit("/", 1)[-1]
    waiting = service.client.get(f"{location}/manifest", headers=service.headers())
    assert waiting.status_code == 409 and waiting.json()["reason"] == "not_done"
    assert service.drain() == 2
    failed = service.client.get(f"{location}/manifest", headers=service.headers())
    assert failed.status_code == 410 and failed.json()["reason"] == "job_failed"
    assert "every item failed" in failed.json()["detail"]
    assert f"GET /v1/jobs/{job_id}" in failed.json()["detail"]
    canceled = _jobs(service).headers["location"]
    service.client.delete(canceled, headers=service.headers())
    gone = service.client.get(f"{canceled}/manifest", headers=service.headers())
    assert gone.status_code == 410 and gone.json()["reason"] == "job_canceled"
