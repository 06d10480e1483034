"""The root of the errors chronochrome raises on purpose, where every package may import it.

`colorizer.errors` re-exports `ChronochromeError` as the same class, so an error raised in
`context` or `retrieval` (a text file that cannot be decoded, `context.text_encoding`) is caught
by every `except ChronochromeError` and reported by the CLIs as one `error:` line; those
packages never import `colorizer` (tests/test_architecture.py).
"""

from __future__ import annotations


class ChronochromeError(Exception):
    """Root of every error chronochrome raises on purpose."""
