"""A browser app on another origin calling the API with its key: the CORS preflight is
answered, the answers can be read, and the key is still needed for every /v1/ route."""

from __future__ import annotations

import pytest
from service_helpers import gray_png

ORIGIN = "https://viewer.example.org"


def _preflight(service, path: str, method: str = "GET",
               headers: str = "authorization, range, if-none-match"):
    return service.client.options(path, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers})


@pytest.mark.slow
def test_a_preflight_with_the_key_header_is_answered(service):
    location = service.client.post("/v1/jobs", headers=service.headers(), files=[
        ("file", ("scan.png", gray_png(), "image/png"))]).headers["location"]
    assert service.drain() == 1
    url = f"{location}/items/0/result"
    for path, method, asked in ((url, "GET", "authorization, range, if-none-match"),
                                (url, "GET", "x-api-key"),
                                ("/v1/jobs", "POST", "authorization, idempotency-key")):
        answer = _preflight(service, path, method, asked)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["access-control-allow-origin"] == "*"
        allowed = answer.headers["access-control-allow-headers"].lower()
        for header in asked.split(", "):
            assert header in allowed
        assert method in answer.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in answer.headers
    got = service.client.get(url, headers=service.headers(Origin=ORIGIN, Range="bytes=0-9"))
    assert got.status_code == 206 and got.headers["access-control-allow-origin"] == "*"
    exposed = got.headers["access-control-expose-headers"].lower()
    for header in ("etag", "content-range", "content-disposition", "last-modified",
                   "x-request-id"):
        assert header in exposed


def test_the_key_is_still_needed_and_its_401_is_readable(service):
    refused = service.client.get("/v1/jobs/nope", headers={"Origin": ORIGIN})
    assert refused.status_code == 401 and refused.json()["reason"] == "missing_key"
    assert refused.headers["access-control-allow-origin"] == "*"  # the app can show why


def test_operational_routes_stay_same_origin(service):
    for path in ("/metrics", "/livez"):
        answer = _preflight(service, path)
        assert "access-control-allow-origin" not in answer.headers, path
        got = service.client.get(path, headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in got.headers, path
