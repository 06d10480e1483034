"""Free text from the command line (`--hint`, `--caption`), refused when it is not UTF-8.

A terminal set to another encoding (Latin-1, Windows-1251) hands Python bytes that UTF-8
cannot decode; Python keeps them as lone surrogates ("Kazan \\udcff1950"), which reached the
text encoder and failed each photo as an internal error. A file name may hold such bytes
(the file is found by them), but a hint is read as words, so it is refused before any work.
"""

from __future__ import annotations

import argparse


def utf8_text(value: str) -> str:
    """An argparse `type`: `value` as given, or an error naming the bytes UTF-8 cannot read."""
    bad = [ch for ch in value if "\udc80" <= ch <= "\udcff"]
    if not bad:
        return value
    shown = " ".join(f"0x{ord(ch) - 0xDC00:02x}" for ch in bad[:3])
    readable = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    raise argparse.ArgumentTypeError(
        f"{readable!r} is not UTF-8 text (bytes {shown}); set the terminal to UTF-8 "
        "(LANG=C.UTF-8 or your language's .UTF-8 locale) and type it again")
