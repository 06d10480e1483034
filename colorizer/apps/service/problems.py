"""RFC 9457 problem details: every error the API returns is `application/problem+json`."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from colorizer.errors import ChronochromeError, ImageLoadError

if TYPE_CHECKING:  # the pipeline's module imports torch; the parser needs none of it
    from colorizer.pipeline.components import RetrievalLoadError

PROBLEM_TYPE = "https://chronochrome.dev/problems/"
PROBLEM_JSON = "application/problem+json"
# ImageLoadError.reason -> HTTP status (errors.py documents the mapping)
STATUS_BY_REASON = {
    "too_large": 413,
    "unsupported": 415,
    "empty": 422,
    "truncated": 422,
    "not_found": 422,  # a remote image that is not there is the caller's input, not our route
    "unreadable": 422,
}
TITLES = {
    400: "Bad request", 401: "Unauthorized", 404: "Not found", 405: "Method not allowed",
    408: "Request timeout", 409: "Conflict", 410: "Gone", 412: "Precondition failed",
    413: "Content too large", 415: "Unsupported media type", 416: "Range not satisfiable",
    422: "Unprocessable content",
    429: "Too many requests", 500: "Internal error", 502: "Bad gateway", 503: "Unavailable",
    507: "Insufficient storage",
}


class Problem(ChronochromeError):
    """An error with an HTTP status; the app renders it as problem+json."""

    def __init__(self, status: int, reason: str, detail: str,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.reason = reason  # short machine-readable code, also the metrics label
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        body = {"type": PROBLEM_TYPE + self.reason, "title": TITLES.get(self.status, "Error"),
                "status": self.status, "detail": self.detail, "reason": self.reason}
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def problem_from_load_error(exc: ImageLoadError, **extra: Any) -> Problem:
    """An image that would not load -> 413/415/422 with the loader's own message."""
    return Problem(STATUS_BY_REASON.get(exc.reason, 422), exc.reason, service_detail(exc),
                   **extra)


_CAP_FLAG = re.compile(r"--max-pixels (\d+)")


def service_detail(exc: ImageLoadError) -> str:
    """The loader's message as a service client reads it: the pixel cap's fix named the CLI's
    --max-pixels and Python's max_pixels=, neither of which a client of the service can
    use; the service's cap is its operator's `max_pixels` setting."""
    wanted = _CAP_FLAG.search(exc.fix) if exc.reason == "too_large" else None
    if wanted is None:
        return str(exc)
    fix = ("downscale it first, give it as a IIIF Image API service (iiif_image: the service "
           "then asks for a size within the limit), or ask the service's operator to raise "
           f'"max_pixels" in its config file (to {int(wanted.group(1)):,} for this image)')
    return f"{exc.name}: {exc.problem}. {fix}"


def problem_from_library_error(exc: RetrievalLoadError) -> Problem:
    """The exemplar library that did not load -> 503 naming it and why: the service's own
    part is unavailable (it answered 500 internal_error, which told an operator nothing), and
    the photo is fine: submit it again once the operator repaired or rebuilt the library.
    The library is named by its folder's name, never where it lies on the server (the log,
    the operator's, has the whole path)."""
    if exc.library == "default":
        which, named, cause = "the curated exemplar library", "default", exc.cause
    else:
        named = PurePath(exc.library).name
        which, cause = f"the exemplar library {named}", exc.cause.replace(exc.library, named)
    return Problem(503, exc.reason, f"{which} did not load ({cause}); the photo was not "
                   "colorized: submit it again once the service's operator has repaired or "
                   "rebuilt the library (`chronochrome library build ... --overwrite`)",
                   library=named, cause=cause)
