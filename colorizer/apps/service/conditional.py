"""Conditional downloads (RFC 9110 section 13): an item's file answers 304 or 412 when the
client's copy says so, judged by the file's validators.

A nightly sync of an archive asks `If-None-Match: <the ETag it kept>` (or `If-Modified-Since`)
for each result; every file came back whole each night, 144 MB for a 6000x4000 16-bit TIFF,
because the answers had neither an ETag nor a Last-Modified. A result's ETag is its stored
SHA-256 (`result_sha256`, the digest of the bytes served), so it is strong: equal tags mean
equal bytes, which `If-Range` and resumed downloads need.

The preconditions are evaluated in the RFC's order (13.2.2): If-Match, else
If-Unmodified-Since; then If-None-Match, else If-Modified-Since (GET and HEAD only). If-Range
is judged by `range_allowed` where the range is read (`byte_ranges`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime

from colorizer.apps.service.problems import Problem

# Every copy is private to one API key: a browser may keep one but must ask each time
# (a purged result must answer 410, not come from a cache); a shared cache keeps none.
FILE_CACHE_CONTROL = "private, no-cache"


@dataclass(frozen=True)
class Validators:
    """What identifies one version of a file: a strong ETag and its modification time."""

    etag: str  # quoted, e.g. '"9f86d0..."'
    modified: float  # seconds since the epoch

    @classmethod
    def of(cls, digest: str, modified: float) -> Validators:
        return cls(f'"{digest}"', float(int(modified)))  # HTTP dates have whole seconds

    def headers(self) -> dict[str, str]:
        """ETag, Last-Modified and Cache-Control, as a 200, 206 and 304 all carry them."""
        return {"ETag": self.etag, "Last-Modified": http_date(self.modified),
                "Cache-Control": FILE_CACHE_CONTROL}


def http_date(seconds: float) -> str:
    """An IMF-fixdate, e.g. 'Sun, 06 Dec 2026 19:20:44 GMT'."""
    return format_datetime(datetime.datetime.fromtimestamp(seconds, datetime.UTC), usegmt=True)


def parse_http_date(value: str) -> float | None:
    """Seconds since the epoch of an HTTP date; None for one that is not (RFC 9110: ignore)."""
    try:
        parsed = parsedate_to_datetime(value)
        if parsed is None or parsed.tzinfo is None:  # without a zone it is no HTTP date
            return None
        return parsed.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


def _tags(value: str) -> list[str]:
    """The entity tags of an If-Match / If-None-Match list ('*' stays '*')."""
    return [t.strip() for t in value.split(",") if t.strip()]


def _weak_match(tags: list[str], etag: str) -> bool:
    """If-None-Match compares weakly: W/"x" matches "x" (RFC 9110 8.8.3.2)."""
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def precondition(headers: Mapping[str, str], method: str, validators: Validators) -> int | None:
    """304 when the client's copy is current, 412 when its precondition fails, else None.

    A 412 is raised as a problem (its body says why); a 304 is returned for the route to
    answer without a body."""
    if_match = headers.get("if-match")
    if if_match is not None:
        tags = _tags(if_match)  # strong comparison: a weak tag never matches
        if "*" not in tags and validators.etag not in tags:
            raise _failed("If-Match", "its ETag is now " + validators.etag)
    else:
        since = parse_http_date(headers.get("if-unmodified-since") or "")
        if since is not None and validators.modified > since:
            raise _failed("If-Unmodified-Since", "it was modified on "
                          + http_date(validators.modified))
    if method not in ("GET", "HEAD"):
        return None
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return 304 if _weak_match(_tags(if_none_match), validators.etag) else None
    since = parse_http_date(headers.get("if-modified-since") or "")
    if since is not None and validators.modified <= since:
        return 304
    return None


def range_allowed(headers: Mapping[str, str], validators: Validators) -> bool:
    """Whether a Range may be honored: no If-Range, or one naming this very version (a strong
    ETag, or exactly its Last-Modified date); otherwise the whole file is sent (RFC 9110
    13.1.5), so a resumed download never splices two versions."""
    if_range = headers.get("if-range")
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        return if_range == validators.etag
    return parse_http_date(if_range) == validators.modified


def _failed(header: str, why: str) -> Problem:
    return Problem(412, "precondition_failed", f"the file does not meet the request's {header} "
                   f"({why}): GET it again without {header} for the current version")
