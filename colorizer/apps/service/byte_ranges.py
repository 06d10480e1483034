"""Byte ranges of a download (RFC 9110 section 14): `Range: bytes=...` read into one span.

`curl -C -` stopped with "HTTP server doesn't seem to support byte ranges" (exit 33) and
`wget -c` fetched a 144 MB TIFF again from its first byte, because Range was ignored. Now:
- one satisfiable range: 206 with Content-Range (a suffix `-500` is the last 500 bytes, an
  end past the file is the file's end);
- no satisfiable range (`bytes=999999-` of a smaller file): 416 with `Content-Range: bytes */SIZE`;
- a header this does not understand (another unit, a malformed spec) is ignored, as RFC 9110
  asks: the whole file, 200;
- several ranges are answered with the whole file too (allowed by the RFC; download tools ask
  for one, and multipart/byteranges would be a second body format for clients to read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from colorizer.apps.service.problems import Problem

_SPEC = re.compile(r"^([0-9]*)-([0-9]*)$")  # ASCII digits only: \d takes "٣" too


@dataclass(frozen=True)
class Span:
    """Bytes `start` to `end` inclusive of a file of `size` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


def requested_span(header: str | None, size: int) -> Span | None:
    """The one span `header` asks for; None for the whole file (no header, one that is
    ignored, or several ranges); a `Problem` 416 when none of its ranges is in the file."""
    if header is None:
        return None
    unit, _, ranges = header.partition("=")
    if unit.strip().lower() != "bytes" or not ranges.strip():
        return None
    specs = [s.strip() for s in ranges.split(",") if s.strip()]
    parsed = [_parse(s) for s in specs]
    if not specs or any(p is None for p in parsed):
        return None  # invalid: ignored as a whole
    spans = [span for p in parsed if (span := _in_file(p, size)) is not None]
    if not spans:
        raise Problem(416, "range_not_satisfiable", f"the range {header!r} lies outside the "
                      f"file ({size} bytes): ask for bytes within 0-{max(size - 1, 0)}, or GET "
                      "it without Range", headers={"Content-Range": f"bytes */{size}"},
                      size=size)
    return spans[0] if len(spans) == 1 else None


def _parse(spec: str) -> tuple[int | None, int | None] | None:
    """(first, last) of `first-last`, (first, None) of `first-`, (None, n) of `-n`."""
    match = _SPEC.match(spec)
    if match is None or match.group(0) == "-":
        return None
    first = int(match.group(1)) if match.group(1) else None
    last = int(match.group(2)) if match.group(2) else None
    if first is not None and last is not None and last < first:
        return None  # invalid (RFC 9110 14.1.1), not merely unsatisfiable
    return first, last


def _in_file(spec: tuple[int | None, int | None], size: int) -> Span | None:
    first, last = spec
    if first is None:  # a suffix: the last `last` bytes
        assert last is not None
        if last == 0 or size == 0:
            return None
        return Span(max(size - last, 0), size - 1, size)
    if first >= size:
        return None
    return Span(first, size - 1 if last is None else min(last, size - 1), size)
