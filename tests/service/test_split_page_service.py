"""Album-page splitting switched per item over HTTP: a job item's `"split_page": true|false`
and /v1/colorize's `split_page` form field reach the pipeline (a page split into its prints,
or colorized whole), are shown and recorded (another fingerprint), follow the server's setting
when left out, and are refused with a clear 422 when they are not a boolean."""

from __future__ import annotations

import json

import pytest
from service_helpers import gray_png, make_service

from tests.album_page_images import album_page_png

PAGE = album_page_png()


def _job(service, items, headers=None, image=PAGE):
    files = [("file", ("page.png", image, "image/png"))]
    return service.client.post("/v1/jobs", headers=service.headers(**(headers or {})),
                               files=files, data={"request": json.dumps({"items": items})})


def _done_items(service, responses):
    views = [service.client.get(r.headers["location"], headers=service.headers()).json()
             for r in responses]
    return [view["items"][0] for view in views]


def _record(service, item):
    return service.client.get(item["provenance_url"], headers=service.headers()).json()


@pytest.mark.slow
def test_a_job_splits_or_keeps_whole_each_item_as_it_says(service):
    given = {"split": {"upload": 0, "split_page": True},
             "whole": {"upload": 0, "split_page": False}, "server": {"upload": 0}}
    responses = {name: _job(service, [item]) for name, item in given.items()}
    assert all(r.status_code == 202 for r in responses.values()), responses
    assert service.drain() == 3
    split, whole, server = _done_items(service, responses.values())
    assert split["split_page"] is True and whole["split_page"] is False
    assert "split_page" not in server  # left out: the server's setting (split)
    assert any(note.startswith("album page: 2 prints found") for note in split["notes"])
    assert not any("album page" in note for note in whole.get("notes", []))
    records = {name: _record(service, item)
               for name, item in zip(given, (split, whole, server))}
    boxes = [p["box"] for p in records["split"]["settings"]["album_page"]]
    assert len(boxes) == 2 and boxes[0][0] < 30 and boxes[1][0] > 170
    assert "album_page" not in records["whole"]["settings"]
    assert records["server"]["settings"]["album_page"] == records["split"]["settings"][
        "album_page"]
    # A split page's result is never the whole page's: other pixels, another fingerprint.
    fingerprints = {name: r["settings"]["fingerprint"] for name, r in records.items()}
    assert fingerprints["split"] != fingerprints["whole"]
    assert fingerprints["split"] == fingerprints["server"]
    assert split["result_sha256"] != whole["result_sha256"]


@pytest.mark.slow
def test_a_server_run_with_no_split_page_splits_only_what_asks(tmp_path, tiny_pipeline):
    unsplit = tiny_pipeline.with_config(split_page=False)  # `serve --no-split-page`
    for service in make_service(tmp_path, unsplit):
        responses = [_job(service, [{"upload": 0}]),
                     _job(service, [{"upload": 0, "split_page": True}])]
        assert service.drain() == 2
        server, split = _done_items(service, responses)
        assert "album_page" not in _record(service, server)["settings"]
        assert len(_record(service, split)["settings"]["album_page"]) == 2
        assert any("2 prints found" in note for note in split["notes"])


def test_colorize_now_takes_the_split_page_form_field(service):
    files = [("file", ("page.png", PAGE, "image/png"))]
    answers = {value: service.client.post("/v1/colorize?response=json",
                                          headers=service.headers(), files=files,
                                          data={"split_page": value})
               for value in ("true", "false")}
    assert answers["true"].status_code == answers["false"].status_code == 200
    split, whole = (answers[v].json()["provenance"]["settings"] for v in ("true", "false"))
    assert len(split["album_page"]) == 2 and "album_page" not in whole
    assert split["fingerprint"] != whole["fingerprint"]
    job = service.client.get(f"/v1/jobs/{answers['false'].json()['job_id']}",
                             headers=service.headers()).json()
    assert job["items"][0]["split_page"] is False
    job = service.client.get(f"/v1/jobs/{answers['true'].json()['job_id']}",
                             headers=service.headers()).json()
    assert any("2 prints found" in note for note in job["items"][0]["notes"])


def test_a_raw_image_body_takes_split_page_as_a_query_parameter(service):
    raw = {"Content-Type": "image/png"}
    whole = service.client.post("/v1/colorize?response=json&split_page=false", content=PAGE,
                                headers=service.headers(**raw))
    assert whole.status_code == 200, whole.text
    assert "album_page" not in whole.json()["provenance"]["settings"]
    bad = service.client.post("/v1/colorize?split_page=no", content=PAGE,
                              headers=service.headers(**raw))
    assert bad.status_code == 422 and "the split_page query parameter is 'no'" in bad.text
    files = [("file", ("page.png", PAGE, "image/png"))]
    beside = service.client.post("/v1/colorize?split_page=false", files=files,
                                 headers=service.headers())  # dropped, it would split
    assert beside.status_code == 422 and "`split_page` form field" in beside.json()["detail"]


def test_a_split_page_that_is_not_a_boolean_is_refused_naming_the_field(service):
    for value in ("yes", "1", 1, "true", 0):
        response = _job(service, [{"upload": 0, "split_page": value}], image=gray_png())
        assert response.status_code == 422, (value, response.text)
        problem = response.json()
        assert problem["reason"] == "invalid_request"
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "items.0.split_page" in problem["detail"]
        assert "true" in problem["detail"] and "false" in problem["detail"]
    files = [("file", ("scan.png", gray_png(), "image/png"))]
    bad = service.client.post("/v1/colorize", headers=service.headers(), files=files,
                              data={"split_page": "yes"})
    assert bad.status_code == 422
    assert "split_page" in bad.json()["detail"] and "'yes'" in bad.json()["detail"]
    assert "true" in bad.json()["detail"] and "leave it out" in bad.json()["detail"]
    assert service.store.queue_depth() == 0


def test_a_split_choice_is_another_request_for_an_idempotency_key(service):
    image = gray_png()
    first = _job(service, [{"upload": 0}], headers={"Idempotency-Key": "page-1"}, image=image)
    assert first.status_code == 202
    again = _job(service, [{"upload": 0, "split_page": None}],
                 headers={"Idempotency-Key": "page-1"}, image=image)  # null: left out
    assert again.status_code == 202 and again.headers["idempotent-replayed"] == "true"
    other = _job(service, [{"upload": 0, "split_page": False}],
                 headers={"Idempotency-Key": "page-1"}, image=image)
    assert other.status_code == 422 and other.json()["reason"] == "idempotency_key_reused"


def test_the_split_page_option_is_documented(service):
    schema = service.client.get("/openapi.json").json()
    item = schema["components"]["schemas"]["ItemIn"]["properties"]["split_page"]
    assert "album page" in item["description"] and "--no-split-page" in item["description"]
    assert {"type": "boolean"} in item.get("anyOf", [item])
    for path in ("/v1/jobs", "/v1/colorize"):
        form = schema["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]
        field = form["schema"]["properties"]["split_page"]
        assert "album page" in field["description"]
