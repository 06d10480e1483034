"""Pieces of the one-line reprs a notebook shows for the objects of a result (exemplars,
color regions, hints, carried metadata): long texts cut, arrays and byte blocks by their
shape and size. The generated dataclass reprs printed them whole: a record's description
and license, a (h, w) region map, an EXIF block, pages for two exemplars."""

from __future__ import annotations

import numpy as np

TEXT_SHOWN = 80  # characters of a title, label or reason in a one-line repr


def clipped(text: str | None, limit: int = TEXT_SHOWN) -> str:
    """`repr(text)`, cut to `limit` characters with an ellipsis ('None' for None)."""
    if text is None or len(text) <= limit:
        return repr(text)
    return repr(text[:limit - 1].rstrip() + "\u2026")


def array_text(values: np.ndarray) -> str:
    """'<uint8 (177, 320)>': an array by its dtype and shape."""
    return f"<{values.dtype} {tuple(values.shape)}>"


def bytes_text(block: bytes | None) -> str:
    """'<1234 bytes>' ('None' for None)."""
    return "None" if block is None else f"<{len(block)} bytes>"
