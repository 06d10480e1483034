"""JSON from outside (request bodies, IIIF manifests, info.json) read with bounded nesting.

`json.loads` recurses: a body of 100,000 `[` raises RecursionError (not ValueError), which
ended as an HTTP 500; a few hundred levels parse but then break code that walks the document.
Nothing we accept is nested more than a dozen levels (a IIIF v3 manifest: ~10), so a document
nested deeper than `MAX_DEPTH` is refused as invalid, the same way as malformed JSON.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # levels of nested arrays/objects accepted


class JSONDocumentError(ValueError):
    """Not JSON, or nested deeper than MAX_DEPTH."""


def load_json(data: str | bytes, what: str = "the document") -> Any:
    """`json.loads` that raises JSONDocumentError (a ValueError) for anything it refuses."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if _bracket_depth(text) > MAX_DEPTH:
        raise JSONDocumentError(f"{what} is nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise JSONDocumentError(f"{what} is not valid JSON ({exc})") from exc


def _bracket_depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings (an upper bound json.loads would reach)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest
