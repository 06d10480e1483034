"""The workbench refuses a request body above its cap (body_cap.py), over real HTTP: a JSON
colorize request may carry one upload's worth of reference photos as base64, a multipart one
two uploads; declared larger or sent larger in chunks, it is a 413 that names the limit, and
the workbench goes on answering."""

from __future__ import annotations

import base64
import http.client
import json

import pytest
from web_helpers import ThreadServer, gray_photo, tiny_pipeline, upload_photo

MAX_UPLOAD = 20_000  # bytes: a small limit, so the bodies stay small


@pytest.fixture(scope="module")
def server(shared_tiny_weights):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    app = create_app(tiny_pipeline(shared_tiny_weights),
                     WebConfig(max_photos=2, max_upload_bytes=MAX_UPLOAD))
    running = ThreadServer(app)
    yield running
    running.close()


def _post(server, path: str, chunks: list[bytes], content_type: str,
          declared: int | None) -> tuple[int, dict]:
    """POST `chunks`, with Content-Length `declared`, or chunked when it is None. The
    workbench may answer and close before the body is all sent: the answer is read then."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", content_type)
        if declared is None:
            connection.putheader("Transfer-Encoding", "chunked")
        else:
            connection.putheader("Content-Length", str(declared))
        connection.endheaders()
        try:
            for chunk in chunks:
                connection.send(chunk if declared is not None else
                                f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            if declared is None:
                connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the last byte: the answer is waiting
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def _colorize_body(reference_bytes: int) -> bytes:
    data = base64.b64encode(b"\0" * reference_bytes).decode()
    return json.dumps({"references": [{"name": "big.png",
                                       "data": f"data:image/png;base64,{data}"}]}).encode()


def test_a_declared_json_body_above_the_cap_is_refused_at_once(server):
    photo = upload_photo(server.url, "street.png", gray_photo(), "image/png")
    body = _colorize_body(2 << 20)  # past the cap: 20 KB as base64 + 1 MiB
    # Declared, not sent: the refusal comes before the body (none is left unread to reset)
    status, answer = _post(server, f"/api/photos/{photo['id']}/colorize", [],
                           "application/json", len(body))
    assert status == 413
    assert answer["error"]["reason"] == "request_too_large"
    assert "--max-upload-mb" in answer["error"]["message"]
    assert "reference photos" in answer["error"]["message"]


def test_a_chunked_json_body_is_cut_off_when_it_passes_the_cap(server):
    photo = upload_photo(server.url, "street.png", gray_photo(), "image/png")
    # Just past the cap (20 KB as base64 + 1 MiB), so little is left unread at the refusal
    body = _colorize_body(1 << 20)[:(1 << 20) + 64 * 1024]
    pieces = [body[i:i + 8192] for i in range(0, len(body), 8192)]
    status, answer = _post(server, f"/api/photos/{photo['id']}/colorize", pieces,
                           "application/json", None)
    assert status == 413 and answer["error"]["reason"] == "request_too_large"


def test_a_multipart_upload_above_two_uploads_is_refused(server):
    boundary = "capboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            "filename=\"huge.png\"\r\nContent-Type: image/png\r\n\r\n").encode()
    body += b"\0" * (2 * MAX_UPLOAD + (1 << 20)) + f"\r\n--{boundary}--\r\n".encode()
    status, answer = _post(server, "/api/photos", [body],
                           f"multipart/form-data; boundary={boundary}", len(body))
    assert status == 413 and "an upload" in answer["error"]["message"]


def test_a_body_within_the_cap_still_reaches_its_route(server):
    """A reference within the cap gets the route's own answer (not a photo: 422 in words),
    and the workbench answers after the refusals."""
    photo = upload_photo(server.url, "street.png", gray_photo(), "image/png")
    body = _colorize_body(MAX_UPLOAD // 2)
    status, answer = _post(server, f"/api/photos/{photo['id']}/colorize", [body],
                           "application/json", len(body))
    assert status in (413, 422) and answer["error"]["reason"] != "request_too_large"
