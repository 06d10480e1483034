"""An item's file as an HTTP answer: 200, 206, 304, 412 or 416, and HEAD's headers alone.

Every answer names its validators (ETag, Last-Modified: `conditional`) and `Accept-Ranges:
bytes`; a file is streamed from its open handle 64 KiB at a time (a 144 MB TIFF never sits in
memory), from the first byte of the asked span (`byte_ranges`). The route checks the API key
or signed link before any of this runs: neither a Range nor a conditional header reaches a file
without them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import BinaryIO

from fastapi.responses import Response, StreamingResponse

from colorizer.apps.service.byte_ranges import requested_span
from colorizer.apps.service.conditional import (
    FILE_CACHE_CONTROL,
    Validators,
    precondition,
    range_allowed,
)
from colorizer.apps.service.item_names import content_disposition

_CHUNK = 64 * 1024


def download(headers: Mapping[str, str], method: str, handle: BinaryIO | bytes, size: int,
             media_type: str, validators: Validators, filename: str | None = None) -> Response:
    """The answer to a GET or HEAD of a file of `size` bytes (an open handle, closed here, or
    bytes); `filename`: offered as the download's name (Content-Disposition)."""
    if isinstance(handle, bytes):
        handle = io.BytesIO(handle)
    try:
        answer = {**validators.headers(), "Accept-Ranges": "bytes"}
        if precondition(headers, method, validators) == 304:
            handle.close()
            return Response(status_code=304, headers=validators.headers())
        span = None
        if method == "GET" and range_allowed(headers, validators):  # Range: GET only
            span = requested_span(headers.get("range"), size)
    except BaseException:
        handle.close()
        raise
    if filename:
        answer["Content-Disposition"] = content_disposition(filename)
    start, length, status = 0, size, 200
    if span is not None:
        start, length, status = span.start, span.length, 206
        answer["Content-Range"] = span.content_range()
    answer["Content-Length"] = str(length)
    if method == "HEAD":
        handle.close()
        return Response(status_code=status, media_type=media_type, headers=answer)
    return StreamingResponse(_chunks(handle, start, length), status_code=status,
                             media_type=media_type, headers=answer)


def _chunks(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0 and (chunk := handle.read(min(_CHUNK, length))):
            length -= len(chunk)
            yield chunk


def _header(name: str, description: str) -> dict:
    return {"name": name, "in": "header", "required": False, "schema": {"type": "string"},
            "description": description}


# What a download reads besides the key (FastAPI cannot see them: `download` reads headers).
DOWNLOAD_HEADERS = {"parameters": [
    _header("Range", "one byte range, e.g. `bytes=1000-` to resume (206); several ranges or "
            "another unit: the whole file (200); outside the file: 416"),
    _header("If-Range", "an ETag or Last-Modified date: the Range is honored only while the "
            "file is still that version, else the whole file comes (200)"),
    _header("If-None-Match", "the ETag of your copy: 304 Not Modified while it is current"),
    _header("If-Modified-Since", "the Last-Modified of your copy (used without If-None-Match): "
            "304 while it is current"),
    _header("If-Match", "412 unless the file's ETag is one of these"),
    _header("If-Unmodified-Since", "412 if the file changed after this date (without "
            "If-Match)")]}


def _described(text: str) -> dict:
    return {"description": text, "schema": {"type": "string"}}


_VALIDATOR_HEADERS = {
    "ETag": _described("strong; a result's is its SHA-256 (`result_sha256`)"),
    "Last-Modified": _described("when the file was written"),
    "Cache-Control": _described(FILE_CACHE_CONTROL)}
_FILE_HEADERS = {
    **_VALIDATOR_HEADERS, "Accept-Ranges": _described("bytes"),
    "Content-Length": _described("the bytes of this answer"),
    "Content-Disposition": _described("attachment; filename=\"<ASCII>\"; "
                                      "filename*=UTF-8''<the original's name> (RFC 6266)")}


def download_answers(content: dict) -> dict[int, dict]:
    """The OpenAPI `responses` a download adds to its problems: 200, 206 and 304."""
    return {
        200: {**content, "headers": _FILE_HEADERS},
        206: {"description": "the asked byte range (Content-Range: bytes FIRST-LAST/SIZE)",
              **content, "headers": {**_FILE_HEADERS, "Content-Range": _described(
                  "bytes FIRST-LAST/SIZE")}},
        304: {"description": "your copy (If-None-Match / If-Modified-Since) is current: no "
              "body", "headers": _VALIDATOR_HEADERS}}
