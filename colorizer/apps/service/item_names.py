"""What an item is called outside the service: the name of its original (an upload's file
name, a URL's last path segment), its IIIF canvas label and its download's file name.

A name comes from the client, so it is cleaned before it is shown or offered as a file name:
only its last path segment, no control characters, no leading dots, at most 120 characters;
the download header gives it as RFC 6266 `filename*` (UTF-8) beside an ASCII `filename`.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit

UNNAMED = "upload"  # the name of an upload that came without one (a raw image body)
_MAX_CHARS = 120


def original_name(source: dict[str, Any]) -> str | None:
    """The original's own name (cleaned), or None when it has none worth showing."""
    kind = source.get("kind")
    if kind == "upload":
        name = source.get("name") or ""
        return None if name == UNNAMED else clean_name(name)
    url = source.get("service") if kind == "iiif_image" else source.get("url")
    return clean_name(unquote(urlsplit(url).path.rstrip("/"))) if url else None


def clean_name(name: str) -> str | None:
    """The last path segment of `name` without control characters or leading dots."""
    last = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    kept = "".join(c for c in last if not unicodedata.category(c).startswith("C"))
    kept = kept.strip().lstrip(".").strip()
    return kept[:_MAX_CHARS] or None


def download_name(item: dict[str, Any], job_id: str, suffix: str) -> str:
    """The original's stem with the output's suffix; `job_<id>-<n><suffix>` without one."""
    name = original_name(item["source"])
    stem = PurePosixPath(name).stem.strip() if name else ""
    return (stem or f"{job_id}-{item['idx']}") + suffix


def content_disposition(filename: str) -> str:
    """An attachment header for any (cleaned) name: ASCII fallback plus the UTF-8 original.

    A '%' goes into `filename*` only: some browsers (Chrome) percent-decode a plain filename
    (RFC 6266 appendix D), which would save `50%20off.png` as `50 off.png`."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in filename)
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
