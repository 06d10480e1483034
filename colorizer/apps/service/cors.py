"""CORS for the archive-facing API (`/v1/...`), so a browser app on another origin (a
collection viewer, a cataloguing tool) can call it with its API key.

Its preflight (`OPTIONS` with `Access-Control-Request-Headers: authorization`) answered 405, so
the browser sent no request at all. By default any origin is allowed, without credentials:
these routes are opened by an API key in a header or a signed link, never by a cookie or
anything else the browser adds by itself, so a page that does not hold a key gains nothing from
reading an answer (`Access-Control-Allow-Origin: *`, as the IIIF APIs ask of image and manifest
servers). An archive that wants only its own viewer lists its origins
(`ServiceConfig.cors_origins`, `--cors-origin`): such an origin gets its own name back and
`Vary: Origin`, any other origin an answer without CORS headers (as with `[]`, CORS off), so
its browser reads nothing. The health checks, /metrics, /docs and the workbench keep
same-origin: /metrics may be open on a loopback service, and a web page must not read it.
Chrome's Private Network Access preflight is refused, so a public web page still cannot reach
a service on loopback or an intranet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware

ANY_ORIGIN = "*"
# Request headers a client may send: the key, a job's, and a download's (resume, sync).
ALLOWED_HEADERS = ("Authorization", "X-API-Key", "Content-Type", "Idempotency-Key",
                   "Color-Hints", "Range", "If-Range", "If-None-Match", "If-Modified-Since",
                   "If-Match", "If-Unmodified-Since")
# Answer headers a script may read (besides the CORS-safelisted ones).
EXPOSED_HEADERS = ("Location", "Link", "Retry-After", "Idempotent-Replayed", "ETag",
                   "Last-Modified", "Accept-Ranges", "Content-Range", "Content-Length",
                   "Content-Disposition", "WWW-Authenticate", "X-Request-ID")
_PREFIX = "/v1/"
# scheme://host[:port], as a browser writes an Origin header: no user, path, query or fragment.
_ORIGIN = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>\[[0-9a-f:.]+\]|[a-z0-9.-]+)"
                     r"(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origins(origins: Sequence[str]) -> tuple[str, ...]:
    """The configured origins as a browser sends them (lower case, no default port); `("*",)`
    = any origin, `()` = CORS off. A value that is not scheme://host[:port] is a ValueError
    that names it and shows the form."""
    if isinstance(origins, str):  # a ValueError, as every other wrong setting is
        raise ValueError(  # noqa: TRY004
            f'cors_origins must be a list of origins, got the string {origins!r}: write '
            f'["{origins}"]')
    origins = tuple(origins)
    if ANY_ORIGIN in origins:
        if len(origins) > 1:
            raise ValueError(f'cors_origins {list(origins)}: "*" (any origin) stands alone; '
                             "give either it or a list of origins")
        return origins
    return tuple(dict.fromkeys(_origin(value) for value in origins))


def _origin(value: str) -> str:
    match = _ORIGIN.fullmatch(value) if isinstance(value, str) else None
    port = match and match["port"]
    if match is None or (port is not None and not 0 < int(port) < 65536):
        raise ValueError(f"cors_origins: {value!r} is not an origin: give scheme://host[:port] "
                         "with no path, e.g. https://viewer.example.org or "
                         "http://localhost:3000")
    scheme, host = match["scheme"].lower(), match["host"].lower()
    if port is None or _DEFAULT_PORTS.get(scheme) == int(port):  # the browser omits it
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{int(port)}"


class ApiCors:
    """ASGI middleware: CORS on `/v1/...` (also behind a proxy's prefix), nothing elsewhere,
    for `origins` (`ServiceConfig.cors_origins`: ("*",) any, () none, else exact origins)."""

    def __init__(self, app: Any, origins: tuple[str, ...] = ("*",)) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=list(origins), allow_credentials=False,
                                   allow_methods=["GET", "HEAD", "POST", "DELETE"],
                                   allow_headers=list(ALLOWED_HEADERS),
                                   expose_headers=list(EXPOSED_HEADERS), max_age=600)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or _PREFIX not in scope["path"]:
            await self.app(scope, receive, send)
            return
        cors = self.cors
        if not cors.allow_origins:  # cors_origins = []: CORS off
            await self.app(scope, receive, send)
        elif cors.allow_all_origins or cors.is_allowed_origin(
                Headers(scope=scope).get("origin") or ""):
            await cors(scope, receive, send)
        else:  # another origin: no CORS headers; a cache must not hand it a listed one's answer
            await self.app(scope, receive, _vary_origin(send))


def _vary_origin(send: Any) -> Any:
    async def sending(message: Any) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            headers = MutableHeaders(scope=message)
            headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
        await send(message)

    return sending
