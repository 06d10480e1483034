"""Color hints over HTTP: job items and /v1/colorize take them, bad ones are refused with the
reason, and the provenance record, XMP and IIIF manifest say where each color came from."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from service_helpers import gray_png

from colorizer.apps.service.iiif import presentation3_errors

HINTS = [{"point": [10, 20], "color": "#c01818", "source": "regimental history, p. 12"},
         {"box": [30, 0, 48, 12], "color": "navy"}]


def _job(service, hints, width=48, height=32):
    request = {"items": [{"upload": 0, "color_hints": hints}]}
    files = [("file", ("p.png", gray_png(width, height), "image/png"))]
    return service.client.post("/v1/jobs", headers=service.headers(), files=files,
                               data={"request": json.dumps(request)})


@pytest.mark.slow
def test_job_item_hints_reach_provenance_xmp_and_manifest(service):
    response = _job(service, HINTS)
    assert response.status_code == 202, response.text
    assert service.drain() == 1
    job = service.client.get(response.headers["location"], headers=service.headers()).json()
    item = job["items"][0]
    record = service.client.get(item["provenance_url"], headers=service.headers()).json()
    hints = [r for r in record["color_regions"] if r["kind"] == "hint"]
    assert hints[0]["source"] == "regimental history, p. 12" and hints[0]["share"] > 0
    assert hints[1]["detail"]["color"] == "#000080"
    image = Image.open(io.BytesIO(service.client.get(item["result_url"],
                                                     headers=service.headers()).content))
    assert "regimental history, p. 12" in image.info["xmp"].decode()
    manifest = service.client.get(f"{response.headers['location']}/manifest",
                                  headers=service.headers()).json()
    assert presentation3_errors(manifest) == []
    pages = manifest["items"][0]["annotations"]
    described = [a for p in pages for a in p["items"] if a["motivation"] == "describing"]
    hint_notes = [a for a in described if "user hint" in a["body"]["value"]]
    assert hint_notes and "#xywh=" in hint_notes[0]["target"]
    assert "source: regimental history, p. 12" in hint_notes[0]["body"]["value"]


def test_a_jobs_items_show_their_color_hints_as_submitted(service):
    """A client that opens the item again (the workbench) colorizes it with the same hints:
    the item's own resource has them (the job's view, their count and address)."""
    response = _job(service, HINTS)
    job = service.client.get(response.headers["location"], headers=service.headers()).json()
    item = job["items"][0]
    assert item["color_hints_count"] == 2
    assert service.client.get(item["color_hints_url"], headers=service.headers()).json() == HINTS
    plain = service.client.post("/v1/jobs", headers=service.headers(),
                                files=[("file", ("p.png", gray_png(), "image/png"))])
    assert "color_hints_count" not in plain.json()["items"][0]  # none given: none shown


def test_bad_hints_are_refused_when_submitted(service):
    outside = _job(service, [{"point": [100, 5], "color": "red"}])
    assert outside.status_code == 422 and outside.json()["reason"] == "invalid_hint"
    assert "items[0].color_hints: color hint 1 (point 100,5) is outside the image" in \
        outside.json()["detail"]
    color = _job(service, [{"point": [1, 5], "color": "reddish"}])
    assert color.status_code == 422 and "'reddish' is not a color" in color.json()["detail"]
    conflict = _job(service, [{"point": [5, 5], "color": "red"},
                              {"point": [6, 5], "color": "blue"}])
    assert conflict.status_code == 422 and "conflict" in conflict.json()["detail"]
    path = _job(service, [{"mask": "/etc/passwd", "color": "red"}])
    assert path.status_code == 422 and "must be a data: URI" in path.json()["detail"]
    assert service.store.queue_depth() == 0


def test_url_item_hints_are_checked_against_the_fetched_image(service, http_server):
    http_server.routes["/p.png"] = (200, {"Content-Type": "image/png"}, gray_png(48, 32))
    request = {"items": [{"url": http_server.url("/p.png"),
                          "color_hints": [{"point": [60, 5], "color": "red"}]}]}
    response = service.client.post("/v1/jobs", headers=service.headers(), json=request)
    assert response.status_code == 202
    service.drain()
    item = service.client.get(response.headers["location"],
                              headers=service.headers()).json()["items"][0]
    assert item["status"] == "failed"
    assert item["error"]["reason"] == "invalid_hint" and "outside the image" in \
        item["error"]["detail"]


def test_colorize_now_takes_hints_as_a_form_field(service):
    files = [("file", ("p.png", gray_png(48, 32), "image/png"))]
    response = service.client.post("/v1/colorize?response=json", headers=service.headers(),
                                   files=files, data={"color_hints": json.dumps(HINTS)})
    assert response.status_code == 200, response.text
    regions = response.json()["provenance"]["color_regions"]
    assert [r["kind"] for r in regions] == ["model", "hint", "hint"]
    bad = service.client.post("/v1/colorize", headers=service.headers(), files=files,
                              data={"color_hints": "[{"})
    assert bad.status_code == 422 and bad.json()["reason"] == "invalid_json"
    outside = service.client.post("/v1/colorize", headers=service.headers(), files=files,
                                  data={"color_hints": json.dumps([{"point": [48, 0],
                                                                    "color": "red"}])})
    assert outside.status_code == 422 and "outside the image" in outside.json()["detail"]


def test_colorize_now_takes_a_raw_image_bodys_hints_beside_it(service):
    body, png = gray_png(48, 32), {"Content-Type": "image/png"}
    text = json.dumps(HINTS)
    for how in ({"params": {"color_hints": text}},
                {"headers": {**service.headers(), **png, "Color-Hints": text}}):
        headers = how.get("headers", {**service.headers(), **png})
        response = service.client.post("/v1/colorize", content=body, headers=headers,
                                       params={"response": "json", **how.get("params", {})})
        assert response.status_code == 200, response.text
        regions = response.json()["provenance"]["color_regions"]
        assert [r["kind"] for r in regions] == ["model", "hint", "hint"]
        assert regions[1]["source"] == "regimental history, p. 12"
    headers = {**service.headers(), **png}
    plain = service.client.post("/v1/colorize?response=json", content=body, headers=headers)
    assert [r["kind"] for r in plain.json()["provenance"]["color_regions"]] == ["model"]


def test_bad_hints_beside_a_raw_body_are_refused(service):
    body, headers = gray_png(48, 32), {**service.headers(), "Content-Type": "image/png"}

    def post(params=None, extra=None, content=body, ctype=None):
        sent = {**headers, **(extra or {}), **({"Content-Type": ctype} if ctype else {})}
        return service.client.post("/v1/colorize", content=content, headers=sent,
                                   params=params or {})

    broken = post({"color_hints": "[{"})
    assert broken.status_code == 422 and broken.json()["reason"] == "invalid_json"
    assert "the color_hints query parameter is not valid JSON" in broken.json()["detail"]
    header = post(extra={"Color-Hints": "nope"})
    assert header.status_code == 422 and "the Color-Hints header is not valid JSON" in \
        header.json()["detail"]
    outside = post({"color_hints": json.dumps([{"point": [48, 0], "color": "red"}])})
    assert outside.status_code == 422 and outside.json()["reason"] == "invalid_hint"
    assert "color hint 1 (point 48,0) is outside the image" in outside.json()["detail"]
    both = post({"color_hints": "[]"}, {"Color-Hints": "[]"})
    assert both.status_code == 422 and "give them once" in both.json()["detail"]
    in_json = post({"color_hints": "[]"}, content=json.dumps({"items": []}),
                   ctype="application/json")
    assert in_json.status_code == 422 and "go with a raw image body only" in \
        in_json.json()["detail"]
    library = post({"color_hints": json.dumps([{"box": [0, 0, 9, 9], "exemplar": "x"}])})
    assert library.status_code == 422 and library.json()["reason"] == "invalid_hint"
    assert "has no exemplar library" in library.json()["detail"]
