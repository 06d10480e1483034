"""The photo an edit colorizes, decoded once for the edits that follow.

An edit (the same photo with other color hints, edits.py) reuses steps 2-6, but the photo
file itself was decoded again on every call: 0.1-0.3 s of a 12 MP JPEG, seconds of a 108 MP
scan, for pixels the previous call had just made. The edit cache now keeps the decode of
the photo being edited (`HeldDecode`), and a call given the same path or bytes reads and
hashes them and takes the kept decode where their SHA-256 is the one it was decoded from,
which is what the edit cache's key already uses: a file changed on disk between two calls
is decoded again, never answered with the old photo's pixels. On a 12 MP JPEG an edit's load
step went from 0.07-0.19 s to under 0.01 s (the file read and hashed), pixels unchanged.

Memory: one decode at most, kept from the first edit on (a photo seen a second time with its
steps 2-6 cached), never on a fresh run, so a batch of new photos keeps nothing more; it is
let go with its edit cache entry, by `clear`, and before a different photo is decoded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from colorizer.pipeline.file_bytes import user_path
from colorizer.pipeline.imageio import LoadedImage


@dataclass(frozen=True)
class HeldDecode:
    """One photo as the loader decoded it, and what it was decoded from."""

    edit_key: str  # the edit cache's run whose input it is: let go with that run
    source: str | None  # the path it was read from (os.fspath); None: given as bytes
    max_pixels: int  # the cap it was loaded under (a lower one may refuse the photo)
    loaded: LoadedImage  # before `as_positive`: the loader's answer itself


def source_of(image: Any) -> tuple[bool, str | None]:
    """(whether `image` is a kind whose decode can be kept, its path or None for bytes):
    paths and bytes only, which the loader hashes; file objects, PIL images and arrays are
    not kept (a stream is read once; the others are not decoded)."""
    if isinstance(image, bytes):
        return True, None
    if isinstance(image, str | os.PathLike):
        return True, os.fspath(image)
    return False, None


def held_decode(edit_key: str, image: Any, max_pixels: int, loaded: LoadedImage
                ) -> HeldDecode | None:
    """What to keep of an edit's input (None: nothing, it cannot be recognised again)."""
    keepable, source = source_of(image)
    if not keepable or loaded.sha256 is None or loaded.path != source:
        return None
    return HeldDecode(edit_key, source, max_pixels, loaded)


def reused_decode(image: Any, max_pixels: int, held: HeldDecode | None) -> LoadedImage | None:
    """The kept decode where `image` is the same path or bytes, with the same content, under
    the same cap; None otherwise (the caller decodes it, and the loader reports any error)."""
    if held is None or held.max_pixels != max_pixels:
        return None
    keepable, source = source_of(image)
    if not keepable or source != held.source:
        return None
    if source is None:
        data = image
    else:
        try:
            data = user_path(source).read_bytes()
        except OSError:  # gone or unreadable: the loader says so in its own words
            return None
    return held.loaded if hashlib.sha256(data).hexdigest() == held.loaded.sha256 else None
