"""Scanned negatives over HTTP: a job item's `"negative": true` and /v1/colorize's `negative`
form field reach the pipeline (tones inverted), are shown and recorded, and are refused with a
clear 422 when they are not a boolean."""

from __future__ import annotations

import json
import re
from html import unescape

from service_helpers import gray_png


def _job(service, items, headers=None):
    files = [("file", ("scan.png", gray_png(48, 32), "image/png"))]
    return service.client.post("/v1/jobs", headers=service.headers(**(headers or {})),
                               files=files, data={"request": json.dumps({"items": items})})


def test_a_negative_item_is_colorized_inverted_shown_and_recorded(service):
    response = _job(service, [{"upload": 0, "negative": True}])
    assert response.status_code == 202, response.text
    plain = _job(service, [{"upload": 0}])  # the same bytes, read as a print
    assert service.drain() == 2
    views = [service.client.get(r.headers["location"], headers=service.headers()).json()
             for r in (response, plain)]
    negative, positive = (view["items"][0] for view in views)
    assert negative["negative"] is True and "negative" not in positive
    records = [service.client.get(item["provenance_url"], headers=service.headers()).json()
               for item in (negative, positive)]
    assert records[0]["settings"]["negative"] is True
    assert "negative" not in records[1]["settings"]
    assert records[0]["source"]["notes"] == ["read as a negative: tones inverted before colorizing"]
    # Not the print's result handed back again: other pixels, another fingerprint.
    assert negative["result_sha256"] != positive["result_sha256"]
    assert records[0]["settings"]["fingerprint"] != records[1]["settings"]["fingerprint"]


def test_a_negative_that_is_not_a_boolean_is_refused_naming_the_field(service):
    for value in ("yes", "1", 1, "true", None):
        response = _job(service, [{"upload": 0, "negative": value}])
        assert response.status_code == 422, (value, response.text)
        problem = response.json()
        assert problem["reason"] == "invalid_request"
        assert "items.0.negative" in problem["detail"] and "boolean" in problem["detail"]
    assert service.store.queue_depth() == 0


def test_a_negative_is_another_request_for_an_idempotency_key(service):
    first = _job(service, [{"upload": 0}], headers={"Idempotency-Key": "scan-1"})
    assert first.status_code == 202
    again = _job(service, [{"upload": 0, "negative": False}],
                 headers={"Idempotency-Key": "scan-1"})  # false is what leaving it out says
    assert again.status_code == 202 and again.headers["idempotent-replayed"] == "true"
    other = _job(service, [{"upload": 0, "negative": True}],
                 headers={"Idempotency-Key": "scan-1"})
    assert other.status_code == 422 and other.json()["reason"] == "idempotency_key_reused"


def test_colorize_now_takes_the_negative_form_field(service):
    files = [("file", ("scan.png", gray_png(48, 32), "image/png"))]
    answers = {value: service.client.post("/v1/colorize?response=json",
                                          headers=service.headers(), files=files,
                                          data={"negative": value})
               for value in ("true", "false")}
    assert answers["true"].status_code == answers["false"].status_code == 200
    record = answers["true"].json()["provenance"]
    assert record["settings"]["negative"] is True
    assert "negative" not in answers["false"].json()["provenance"]["settings"]
    job = service.client.get(f"/v1/jobs/{answers['true'].json()['job_id']}",
                             headers=service.headers()).json()
    assert job["items"][0]["negative"] is True
    bad = service.client.post("/v1/colorize", headers=service.headers(), files=files,
                              data={"negative": "yes"})
    assert bad.status_code == 422
    assert "'yes'" in bad.json()["detail"] and "true" in bad.json()["detail"]


def test_the_negative_option_is_documented(service):
    schema = service.client.get("/openapi.json").json()
    paths = schema["paths"]
    body = paths["/v1/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/JobIn"}
    item = schema["components"]["schemas"]["ItemIn"]["properties"]["negative"]
    assert item["type"] == "boolean" and "scanned negative" in item["description"]
    for path in ("/v1/jobs", "/v1/colorize"):
        form = paths[path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert "scanned negative" in form["properties"]["negative"]["description"]
    page = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ",
                                               service.client.get("/docs").text)))
    assert "negative boolean" in page and "scanned negative" in page
