"""CORS for the archive-facing API (`/v1/...`), so a browser app on another origin (a
collection viewer, a cataloguing tool) can call it with its API key.

Its preflight (`OPTIONS` with `Access-Control-Request-Headers: authorization`) answered 405, so
the browser sent no request at all. Any origin is allowed, without credentials: these routes
are opened by an API key in a header or a signed link, never by a cookie or anything else the
browser adds by itself, so a page that does not hold a key gains nothing from reading an answer
(`Access-Control-Allow-Origin: *`, as the IIIF APIs ask of image and manifest servers). The
health checks, /metrics, /docs and the workbench keep same-origin: /metrics may be open on a
loopback service, and a web page must not read it. Chrome's Private Network Access preflight
is refused, so a public web page still cannot reach a service on loopback or an intranet.
"""

from __future__ import annotations

from typing import Any

from starlette.middleware.cors import CORSMiddleware

# Request headers a client may send: the key, a job's, and a download's (resume, sync).
ALLOWED_HEADERS = ("Authorization", "X-API-Key", "Content-Type", "Idempotency-Key",
                   "Color-Hints", "Range", "If-Range", "If-None-Match", "If-Modified-Since",
                   "If-Match", "If-Unmodified-Since")
# Answer headers a script may read (besides the CORS-safelisted ones).
EXPOSED_HEADERS = ("Location", "Link", "Retry-After", "Idempotent-Replayed", "ETag",
                   "Last-Modified", "Accept-Ranges", "Content-Range", "Content-Length",
                   "Content-Disposition", "WWW-Authenticate", "X-Request-ID")
_PREFIX = "/v1/"


class ApiCors:
    """ASGI middleware: CORS on `/v1/...` (also behind a proxy's prefix), nothing elsewhere."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=["*"], allow_credentials=False,
                                   allow_methods=["GET", "HEAD", "POST", "DELETE"],
                                   allow_headers=list(ALLOWED_HEADERS),
                                   expose_headers=list(EXPOSED_HEADERS), max_age=600)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and _PREFIX in scope["path"]:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
