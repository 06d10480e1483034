"""Bad inputs over HTTP get the right status and a problem+json body; the service keeps serving."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from service_helpers import gray_png


def _truncated() -> bytes:
    data = gray_png(64, 64, fmt="JPEG")
    return data[: len(data) // 2]


def _too_many_pixels() -> bytes:  # 1200 x 1000 = 1.2 MP, above the test cap of 1 MP
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((1000, 1200), np.uint8), "L").save(buffer, "PNG")
    return buffer.getvalue()


BAD_INPUTS = [
    ("zero-byte", lambda: b"", "image/png", 422, "empty"),
    ("truncated", _truncated, "image/jpeg", 422, "truncated"),
    ("garbage", lambda: bytes(range(256)) * 8, "application/octet-stream", 415, "unsupported"),
    ("pdf", lambda: b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "application/octet-stream", 415,
     "unsupported"),
    ("over the pixel cap", _too_many_pixels, "image/png", 413, "too_large"),
]


def _assert_problem(response, status: int, reason: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["reason"] == reason
    assert body["type"].endswith(reason) and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(("name", "make", "ctype", "status", "reason"), BAD_INPUTS)
def test_bad_input_on_jobs_and_colorize(service, name, make, ctype, status, reason):
    data = make()
    for path in ("/v1/jobs", "/v1/colorize"):
        response = service.client.post(path, headers=service.headers(),
                                        files={"file": (f"{name}.img", data, ctype)})
        body = _assert_problem(response, status, reason)
        assert f"{name}.img" in body["detail"]
    # Nothing was queued, and the service keeps serving good requests.
    assert service.store.queue_depth() == 0
    ok = service.client.post("/v1/colorize", headers=service.headers(),
                             files={"file": ("good.png", gray_png(), "image/png")})
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"


def test_bad_file_in_a_batch_names_the_item(service):
    files = [("file", ("ok.png", gray_png(), "image/png")), ("file", ("bad.png", b"", "image/png"))]
    body = _assert_problem(service.client.post("/v1/jobs", headers=service.headers(),
                                               files=files), 422, "empty")
    assert body["item"] == 1


def test_wrong_content_types_are_415(service):
    text = service.client.post("/v1/jobs",
                               headers={**service.headers(), "Content-Type": "text/plain"},
                               content=b"hello")
    _assert_problem(text, 415, "unsupported_media_type")
    part = service.client.post("/v1/jobs", headers=service.headers(),
                               files={"file": ("a.txt", gray_png(), "text/plain")})
    _assert_problem(part, 415, "unsupported")


def test_invalid_json_and_invalid_jobs_are_422(service):
    broken = service.client.post("/v1/jobs", headers=service.headers(),
                                 content=b"{not json", )
    assert broken.status_code == 415  # no content type: refused before parsing
    broken = service.client.post("/v1/jobs", headers={
        **service.headers(), "Content-Type": "application/json"}, content=b"{not json")
    _assert_problem(broken, 422, "invalid_json")
    two_sources = {"items": [{"url": "https://example.org/a.jpg", "upload": 0}]}
    body = _assert_problem(service.client.post("/v1/jobs", headers=service.headers(),
                                               json=two_sources), 422, "invalid_request")
    assert "exactly one of" in body["detail"]
    bad_scheme = {"items": [{"url": "file:///etc/passwd"}]}
    _assert_problem(service.client.post("/v1/jobs", headers=service.headers(), json=bad_scheme),
                    422, "scheme_not_allowed")


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deeply_nested_json_is_422_not_500(service, depth):
    """json.loads recurses: 100,000 brackets raised RecursionError and a 500; in the body and
    in a multipart `request` field alike the answer is a 422 that says why."""
    nested = b"[" * depth + b"]" * depth
    response = service.client.post("/v1/jobs", headers={
        **service.headers(), "Content-Type": "application/json"}, content=nested)
    body = _assert_problem(response, 422, "invalid_json")
    assert "nested" in body["detail"] or "not valid JSON" in body["detail"]
    response = service.client.post("/v1/jobs", headers=service.headers(),
                                   files={"request": (None, nested.decode())})
    _assert_problem(response, 422, "invalid_json")


def test_json_nesting_is_bounded_outside_strings_only():
    from colorizer.apps.service.json_documents import MAX_DEPTH, JSONDocumentError, load_json

    brackets = "[" * (MAX_DEPTH + 10)  # inside a string: text, not nesting
    assert load_json(json.dumps({"a": brackets})) == {"a": brackets}
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(JSONDocumentError, match="nested more than"):
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_request_over_the_byte_cap_is_413(tmp_path, tiny_pipeline):
    from service_helpers import make_service

    for svc in make_service(tmp_path, tiny_pipeline, max_upload_bytes=2000):
        response = svc.client.post("/v1/jobs", headers=svc.headers(),
                                   files={"file": ("big.png", gray_png(64, 64), "image/png")})
        _assert_problem(response, 413, "request_too_large")


def test_sync_colorize_refuses_large_images_and_points_to_jobs(service):
    big = gray_png(600, 400)  # 240,000 pixels > sync cap of 200,000, < job cap
    body = _assert_problem(service.client.post("/v1/colorize", headers=service.headers(),
                                               files={"file": ("big.png", big, "image/png")}),
                           413, "too_large")
    assert "/v1/jobs" in body["detail"]
    accepted = service.client.post("/v1/jobs", headers=service.headers(),
                                   files={"file": ("big.png", big, "image/png")})
    assert accepted.status_code == 202


@pytest.mark.slow
def test_queue_cap_gives_429_with_retry_after(tmp_path, tiny_pipeline):
    from service_helpers import make_service

    # One key fills the whole queue only with a share equal to the cap (key_share).
    for svc in make_service(tmp_path, tiny_pipeline, queue_cap=2, per_key_queue_cap=2):
        files = [("file", (f"{i}.png", gray_png(seed=i), "image/png")) for i in range(2)]
        assert svc.client.post("/v1/jobs", headers=svc.headers(), files=files).status_code == 202
        full = svc.client.post("/v1/jobs", headers=svc.headers(),
                               files={"file": ("c.png", gray_png(), "image/png")})
        body = _assert_problem(full, 429, "queue_full")
        assert full.headers["retry-after"] == str(svc.config.retry_after_seconds)
        assert body["queue_depth"] == 2
        assert svc.drain() == 2  # capacity comes back once the queue drains
        again = svc.client.post("/v1/jobs", headers=svc.headers(),
                                files={"file": ("c.png", gray_png(), "image/png")})
        assert again.status_code == 202
        metrics = svc.client.get("/metrics", headers=svc.headers()).text
        assert 'chronochrome_rejects_total{reason="queue_full"} 1' in metrics


@pytest.mark.slow
def test_a_full_queue_refuses_uploads_before_decoding_them(tmp_path, tiny_pipeline):
    from service_helpers import make_service

    # One key fills the whole queue only with a share equal to the cap (key_share).
    for svc in make_service(tmp_path, tiny_pipeline, queue_cap=2, per_key_queue_cap=2):
        files = [("file", (f"{i}.png", gray_png(seed=i), "image/png")) for i in range(2)]
        assert svc.client.post("/v1/jobs", headers=svc.headers(), files=files).status_code == 202
        # Bytes that are no image would be a 415 once decoded: the 429 shows they were not.
        for body in ({"file": ("x.png", b"not an image at all", "image/png")},
                     {"file": ("bomb.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000,
                               "image/png")}):
            _assert_problem(svc.client.post("/v1/jobs", headers=svc.headers(), files=body),
                            429, "queue_full")
        # With room for one, two uploads are still refused before either is decoded.
        assert svc.drain() == 2
        svc.client.post("/v1/jobs", headers=svc.headers(),
                        files={"file": ("a.png", gray_png(), "image/png")})
        two = [("file", (f"{i}.txt", b"text", "image/png")) for i in range(2)]
        _assert_problem(svc.client.post("/v1/jobs", headers=svc.headers(svc.key_b),
                                        files=two), 429, "queue_full")
        # A full queue is said before the key's share, before decoding as well.
        _assert_problem(svc.client.post("/v1/jobs", headers=svc.headers(), files=two), 429,
                        "queue_full")


def test_unknown_route_is_problem_json(service):
    _assert_problem(service.client.get("/v1/nothing", headers=service.headers()), 404,
                    "not_found")
