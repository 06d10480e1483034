"""Resuming a download (`curl -C -`, `wget -c`): byte ranges of an item's files, RFC 9110
section 14, through the real app; a Range never opens a file without the key or a signed link."""

from __future__ import annotations

import pytest
from service_helpers import gray_png

from colorizer.apps.service.byte_ranges import Span, requested_span
from colorizer.apps.service.problems import Problem


def _done_job(service, name: str = "scan.png") -> str:
    files = [("file", (name, gray_png(96, 64), "image/png"))]
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   files=files).headers["location"]
    assert service.drain() == 1
    return location


def _whole(service, url: str) -> bytes:
    got = service.client.get(url, headers=service.headers())
    assert got.status_code == 200
    return got.content


@pytest.mark.parametrize("tail", ["result", "provenance", "original"])
def test_a_resumed_download_gets_the_rest_with_206_and_content_range(service, tail):
    url = f"{_done_job(service)}/items/0/{tail}"
    whole = _whole(service, url)
    size = len(whole)
    rest = service.client.get(url, headers=service.headers(Range="bytes=100-"))
    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes 100-{size - 1}/{size}"
    assert rest.headers["content-length"] == str(size - 100)
    assert rest.headers["accept-ranges"] == "bytes"
    assert whole[:100] + rest.content == whole  # what `curl -C -` puts together
    tail_bytes = service.client.get(url, headers=service.headers(Range="bytes=-10"))
    assert tail_bytes.status_code == 206 and tail_bytes.content == whole[-10:]
    middle = service.client.get(url, headers=service.headers(Range="bytes=5-9"))
    assert middle.content == whole[5:10] and middle.headers["content-length"] == "5"
    past_end = service.client.get(url, headers=service.headers(Range=f"bytes=10-{size * 2}"))
    assert past_end.status_code == 206 and past_end.content == whole[10:]


def test_a_range_outside_the_file_is_416_with_the_files_size(service):
    url = f"{_done_job(service)}/items/0/result"
    size = len(_whole(service, url))
    for asked in (f"bytes={size}-", f"bytes={size + 5}-{size + 9}", "bytes=-0"):
        refused = service.client.get(url, headers=service.headers(Range=asked))
        assert refused.status_code == 416, asked
        assert refused.headers["content-range"] == f"bytes */{size}"
        problem = refused.json()
        assert problem["reason"] == "range_not_satisfiable" and problem["size"] == size
        assert problem["title"] == "Range not satisfiable"
        assert f"0-{size - 1}" in problem["detail"]


@pytest.mark.slow
def test_ranges_it_does_not_serve_answer_the_whole_file(service):
    """RFC 9110: a Range that is invalid or in another unit is ignored; several ranges may be
    answered with the whole file (not multipart)."""
    url = f"{_done_job(service)}/items/0/result"
    whole = _whole(service, url)
    for asked in ("items=0-5", "bytes=9-3", "bytes=abc", "bytes=", "bytes=0-1,5-9"):
        got = service.client.get(url, headers=service.headers(Range=asked))
        assert got.status_code == 200 and got.content == whole, asked
        assert "content-range" not in got.headers


def test_head_tells_size_type_and_range_support_without_a_body(service):
    url = f"{_done_job(service, 'Groß.png')}/items/0/result"
    whole = _whole(service, url)
    head = service.client.head(url, headers=service.headers())
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(whole))
    assert head.headers["content-type"] == "image/png"
    assert head.headers["accept-ranges"] == "bytes"
    assert head.headers["etag"].startswith('"')
    # Range is defined for GET only: a HEAD with one describes the whole file.
    ranged = service.client.head(url, headers=service.headers(Range="bytes=0-9"))
    assert ranged.status_code == 200 and ranged.headers["content-length"] == str(len(whole))


def test_a_range_needs_the_key_or_a_signed_link_like_any_download(service):
    location = _done_job(service)
    url = f"{location}/items/0/result"
    size = len(_whole(service, url))
    for headers in ({"Range": "bytes=0-9"}, {"Range": f"bytes={size}-"},
                    {"Range": "bytes=0-9", "Authorization": "Bearer wrong"}):
        refused = service.client.get(url, headers=headers)
        assert refused.status_code == 401 and "content-range" not in refused.headers
    other_key = service.client.get(url, headers=service.headers(service.key_b,
                                                                Range="bytes=0-9"))
    assert other_key.status_code == 404 and "content-range" not in other_key.headers
    state = service.app.state.service
    key_id = state.store.key_for(service.key_a)
    path = url.removeprefix("http://127.0.0.1")
    signed = service.client.get(state.links.sign(path, key_id), headers={"Range": "bytes=0-9"})
    assert signed.status_code == 206 and len(signed.content) == 10
    forged = service.client.get(f"{path}?kid={key_id}&exp=9999999999&sig=00",
                                headers={"Range": "bytes=0-9"})
    assert forged.status_code == 401 and forged.json()["reason"] == "invalid_link"


def test_range_headers_are_read_as_the_rfc_says():
    assert requested_span(None, 10) is None
    assert requested_span("bytes=0-0", 10) == Span(0, 0, 10)
    assert requested_span("Bytes = 2-", 10) == Span(2, 9, 10)
    assert requested_span("bytes=-20", 10) == Span(0, 9, 10)  # longer than the file: all
    assert requested_span("bytes= 3-4 ", 10).content_range() == "bytes 3-4/10"
    assert requested_span("bytes=20-,3-4", 10) == Span(3, 4, 10)  # one satisfiable of two
    assert requested_span("bytes=--1", 10) is None and requested_span("bytes=-", 10) is None
    assert requested_span("bytes=\u0663-\u0664", 10) is None  # digits are ASCII (RFC 5234)
    with pytest.raises(Problem) as refused:
        requested_span("bytes=0-", 0)  # an empty file has no byte to give
    assert refused.value.status == 416 and refused.value.headers["Content-Range"] == "bytes */0"


def test_the_openapi_document_lists_ranges_validators_and_their_answers(service):
    paths = service.client.get("/openapi.json").json()["paths"]
    for tail in ("result", "provenance", "original"):
        op = paths[f"/v1/jobs/{{job_id}}/items/{{index}}/{tail}"]["get"]
        headers = {p["name"] for p in op["parameters"] if p["in"] == "header"}
        assert {"Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match",
                "If-Unmodified-Since"} <= headers, tail
        assert {"206", "304", "412", "416"} <= set(op["responses"]), tail
        assert {"ETag", "Last-Modified", "Accept-Ranges", "Content-Disposition"} <= set(
            op["responses"]["200"]["headers"]), tail
        assert "Content-Range" in op["responses"]["206"]["headers"]
    page = service.client.get("/docs").text
    assert "bytes=1000-" in page and "If-None-Match" in page


def test_a_big_file_is_streamed_in_small_parts_from_the_asked_byte(tmp_path):
    """A 6000x4000 16-bit TIFF is 144 MB: its download must never be read whole (a guard; it
    streamed before ranges too)."""
    import asyncio

    from colorizer.apps.service.conditional import Validators
    from colorizer.apps.service.downloads import download

    path = tmp_path / "big.tif"
    path.write_bytes(bytes(range(256)) * 40_000)  # 10 MB
    size = path.stat().st_size
    answer = download({"range": "bytes=1000-"}, "GET", path.open("rb"), size, "image/tiff",
                      Validators.of("d", 0))
    assert answer.status_code == 206

    async def sizes() -> list[int]:
        return [len(chunk) async for chunk in answer.body_iterator]

    parts = asyncio.run(sizes())
    assert sum(parts) == size - 1000 and max(parts) <= 64 * 1024
