"""A nightly sync (`requests` with If-None-Match / If-Modified-Since): an item's files carry a
strong ETag and Last-Modified and answer 304 while the client's copy is current (RFC 9110
section 13), never without the key."""

from __future__ import annotations

import hashlib

import pytest
from service_helpers import gray_png

from colorizer.apps.service.conditional import (
    Validators,
    http_date,
    parse_http_date,
    precondition,
    range_allowed,
)
from colorizer.apps.service.problems import Problem


def _done_item(service) -> str:
    files = [("file", ("scan.png", gray_png(96, 64), "image/png"))]
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   files=files).headers["location"]
    assert service.drain() == 1
    return f"{location}/items/0"


def test_a_results_etag_is_its_stored_sha256_and_a_current_copy_gets_304(service):
    item = _done_item(service)
    job = service.client.get(item.rsplit("/items", 1)[0], headers=service.headers()).json()
    first = service.client.get(f"{item}/result", headers=service.headers())
    digest = job["items"][0]["result_sha256"]
    assert hashlib.sha256(first.content).hexdigest() == digest
    assert first.headers["etag"] == f'"{digest}"'  # strong: equal tags, equal bytes
    assert parse_http_date(first.headers["last-modified"]) is not None
    assert first.headers["cache-control"] == "private, no-cache"  # kept, but asked again
    for asked in ({"If-None-Match": first.headers["etag"]},
                  {"If-None-Match": f'"other", W/{first.headers["etag"]}'},  # weak comparison
                  {"If-None-Match": "*"},
                  {"If-Modified-Since": first.headers["last-modified"]}):
        again = service.client.get(f"{item}/result", headers=service.headers(**asked))
        assert again.status_code == 304, asked
        assert again.content == b"" and "content-length" not in again.headers
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["cache-control"] == "private, no-cache"
    head = service.client.head(f"{item}/result",
                               headers=service.headers(**{"If-None-Match": first.headers["etag"]}))
    assert head.status_code == 304


def test_a_changed_or_older_copy_gets_the_whole_file(service):
    item = _done_item(service)
    first = service.client.get(f"{item}/result", headers=service.headers())
    modified = parse_http_date(first.headers["last-modified"])
    for asked in ({"If-None-Match": '"an-older-version"'},
                  {"If-Modified-Since": http_date(modified - 3600)},
                  # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
                  {"If-None-Match": '"other"', "If-Modified-Since": first.headers["last-modified"]},
                  {"If-Modified-Since": "yesterday"}):  # not a date: ignored
        again = service.client.get(f"{item}/result", headers=service.headers(**asked))
        assert again.status_code == 200 and again.content == first.content, asked


@pytest.mark.slow
@pytest.mark.parametrize("tail", ["provenance", "original"])
def test_provenance_and_original_have_validators_too(service, tail):
    item = _done_item(service)
    first = service.client.get(f"{item}/{tail}", headers=service.headers())
    assert first.headers["etag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'
    again = service.client.get(f"{item}/{tail}",
                               headers=service.headers(**{"If-None-Match": first.headers["etag"]}))
    assert again.status_code == 304 and again.content == b""


@pytest.mark.slow
def test_if_range_resumes_only_the_same_version(service):
    item = _done_item(service)
    first = service.client.get(f"{item}/result", headers=service.headers())
    same = service.client.get(f"{item}/result", headers=service.headers(
        Range="bytes=10-", **{"If-Range": first.headers["etag"]}))
    assert same.status_code == 206 and same.content == first.content[10:]
    by_date = service.client.get(f"{item}/result", headers=service.headers(
        Range="bytes=10-", **{"If-Range": first.headers["last-modified"]}))
    assert by_date.status_code == 206
    old_date = "Mon, 01 Jan 2024 00:00:00 GMT"
    for stale in ('"an-older-version"', f"W/{first.headers['etag']}", old_date):
        whole = service.client.get(f"{item}/result", headers=service.headers(
            Range="bytes=10-", **{"If-Range": stale}))
        assert whole.status_code == 200 and whole.content == first.content, stale


@pytest.mark.slow
def test_if_match_that_fails_is_412_problem(service):
    item = _done_item(service)
    first = service.client.get(f"{item}/result", headers=service.headers())
    failed = service.client.get(f"{item}/result",
                                headers=service.headers(**{"If-Match": '"other"'}))
    assert failed.status_code == 412 and failed.json()["reason"] == "precondition_failed"
    assert "If-Match" in failed.json()["detail"]
    old = service.client.get(f"{item}/result", headers=service.headers(
        **{"If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}))
    assert old.status_code == 412
    passed = service.client.get(f"{item}/result",
                                headers=service.headers(**{"If-Match": first.headers["etag"]}))
    assert passed.status_code == 200 and passed.content == first.content


def test_a_conditional_request_needs_the_key(service):
    item = _done_item(service)
    etag = service.client.get(f"{item}/result", headers=service.headers()).headers["etag"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": "*"},
                    {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}):
        refused = service.client.get(f"{item}/result", headers=headers)
        assert refused.status_code == 401 and "etag" not in refused.headers
        other = service.client.get(f"{item}/result", headers=service.headers(service.key_b,
                                                                             **headers))
        assert other.status_code == 404 and "etag" not in other.headers


def test_preconditions_in_the_rfcs_order():
    v = Validators.of("abc", 1_000_000.7)
    assert v.etag == '"abc"' and v.modified == 1_000_000.0
    assert precondition({}, "GET", v) is None
    assert precondition({"if-none-match": '"abc"'}, "POST", v) is None  # GET and HEAD only
    assert precondition({"if-modified-since": http_date(1_000_000)}, "GET", v) == 304
    assert precondition({"if-modified-since": http_date(999_999)}, "GET", v) is None
    with pytest.raises(Problem):  # If-Match is judged before If-None-Match
        precondition({"if-match": '"x"', "if-none-match": '"abc"'}, "GET", v)
    with pytest.raises(Problem):  # a weak tag never passes If-Match (strong comparison)
        precondition({"if-match": 'W/"abc"'}, "GET", v)
    assert precondition({"if-match": "*", "if-none-match": '"abc"'}, "GET", v) == 304
    assert range_allowed({}, v) and range_allowed({"if-range": '"abc"'}, v)
    assert not range_allowed({"if-range": 'W/"abc"'}, v)
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777.0
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777.0  # RFC 850
    assert parse_http_date("not a date") is None and parse_http_date("") is None
