"""Handing freed heap memory back to the system between the context step's big stages.

glibc keeps freed blocks under its mmap threshold (which grows to 32 MB as large blocks are
freed) in the process's heap, to reuse them. The text detector's network frees hundreds of
MB of such blocks after each pass; they stayed resident, and the Tesseract readings, the
embedder and the colorizer's later stages were stacked on top of them (the `python -m
context` peak on a 2000-px photo was the detector's retained heap plus Tesseract's).
`malloc_trim(0)` returns them; where the C library has none (musl, macOS) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim():  # -> the C function, or None
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> bool:
    """Return the heap's free pages to the system; whether the C library could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
