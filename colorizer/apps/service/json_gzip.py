"""gzip for the API's JSON answers (ASGI middleware), for clients that send
`Accept-Encoding: gzip`.

A 500-item job view is 72-171 KB of JSON and a big job's IIIF manifest more; they went out
uncompressed whatever the client accepted (a queued one: 72 KB, 3 KB gzipped). Now a JSON
answer of at least `MIN_BYTES` is gzipped when asked for. Images and file downloads are left
alone: images are compressed already, and a file's ETag and byte ranges name its bytes as
stored (RFC 9110 8.8.3: another content coding would need another ETag), so an answer with an
ETag or a Content-Range is never touched (a provenance record is such a download). Every JSON
answer says `Vary: Accept-Encoding`, so a cache never hands the gzipped one to a client that
did not ask. A JSON answer streamed without a Content-Length (a big job's IIIF manifest:
`manifest_stream`) is gzipped piece by piece as it goes, never gathered whole.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Any

MIN_BYTES = 1024  # below this the gzip header and checksum eat the gain
_GZIP_WBITS = 31  # zlib's gzip container (16 + a 32 KiB window)
_JSON = (b"application/json", b"application/problem+json", b"application/ld+json")


def accepts_gzip(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether Accept-Encoding allows gzip (`gzip;q=0` refuses it; `*` allows it)."""
    weights: dict[str, float] = {}
    for key, value in headers:
        if key != b"accept-encoding":
            continue
        for coding in value.decode("latin-1").lower().split(","):
            name, _, params = coding.strip().partition(";")
            q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
            try:
                weights[name.strip()] = float(q)
            except ValueError:
                weights[name.strip()] = 0.0
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


class JsonGzip:
    """ASGI middleware: gzip a JSON answer's single body when the client accepts gzip."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = accepts_gzip(scope["headers"]) and scope["method"] != "HEAD"
        held: dict[str, Any] = {}

        async def send_gzipped(message: Any) -> None:
            if message["type"] == "http.response.start":
                if not _is_json(message["headers"]):
                    held["pass"] = True
                    await send(message)
                    return
                message["headers"] = _with_vary(message["headers"])
                if not wanted or _names_bytes(message["headers"]):
                    held["pass"] = True
                    await send(message)
                    return
                if not _has_length(message["headers"]):  # streamed: compressed as it comes
                    held["stream"] = zlib.compressobj(6, zlib.DEFLATED, _GZIP_WBITS)
                    message["headers"] = [*message["headers"], (b"content-encoding", b"gzip")]
                    await send(message)
                    return
                held["start"] = message  # until the whole body is here
                return
            if held.get("pass") or message["type"] != "http.response.body":
                await send(message)
                return
            if "stream" in held:
                await _send_piece(send, held["stream"], message)
                return
            # The app's JSON is whole in memory already; the error middleware hands it on in
            # parts, so it is gathered again here.
            held.setdefault("body", []).append(message.get("body", b""))
            if message.get("more_body"):
                return
            await _send_whole(send, held.pop("start"), b"".join(held.pop("body")))

        await self.app(scope, receive, send_gzipped)


async def _send_whole(send: Any, start: dict[str, Any], body: bytes) -> None:
    """Send a JSON answer gzipped when that makes it smaller, else as it was."""
    if len(body) >= MIN_BYTES:
        body = gzip.compress(body, compresslevel=6)
        start["headers"] = [(k, v) for k, v in start["headers"] if k != b"content-length"] + [
            (b"content-encoding", b"gzip"), (b"content-length", str(len(body)).encode())]
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_piece(send: Any, stream: Any, message: dict[str, Any]) -> None:
    """One piece of a streamed JSON answer, gzipped; the stream's end finishes the gzip."""
    more = message.get("more_body", False)
    piece = stream.compress(message.get("body", b""))
    piece += stream.flush(zlib.Z_SYNC_FLUSH) if more else stream.flush()
    await send({"type": "http.response.body", "body": piece, "more_body": more})


def _has_length(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k == b"content-length" for k, _ in headers)


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    ctype = next((v for k, v in headers if k == b"content-type"), b"")
    return ctype.split(b";")[0].strip().lower() in _JSON


def _names_bytes(headers: list[tuple[bytes, bytes]]) -> bool:
    """A file download (ETag, Content-Range) or an answer encoded already: left as it is."""
    return any(k in (b"etag", b"content-range", b"content-encoding") for k, _ in headers)


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    vary = [v for k, v in headers if k == b"vary"]
    if any(b"accept-encoding" in v.lower() for v in vary):
        return headers
    rest = [(k, v) for k, v in headers if k != b"vary"]
    return rest + [(b"vary", b", ".join([*vary, b"Accept-Encoding"]))]
