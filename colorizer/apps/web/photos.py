"""The photos open in the workbench: a bounded, least-recently-used store.

Each photo keeps its bytes (what the pipeline is given again on every run, so the pipeline's
edit cache recognises it and a new color hint reuses steps 2-6) and the last colorization,
reduced to the display size (`rendering.Rendering`) but for its output pixels, which the
download needs at full size: uint8 RGB (uint16 for a 16-bit master), never a float array.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from colorizer.errors import ChronochromeError

if TYPE_CHECKING:
    from PIL import Image

    from colorizer.apps.web.rendering import Rendering
    from colorizer.check.findings import CheckReport


class PhotoNotFoundError(ChronochromeError):
    reason = "photo_not_found"


@dataclass
class Photo:
    id: str
    name: str
    data: bytes
    size: tuple[int, int]  # (width, height) of the input
    hint: str = ""  # a hint that came with the photo (a job of the service)
    color_hints: tuple[Any, ...] = ()  # likewise, in their JSON form (with their sources)
    negative: bool = False  # likewise: the job colorized it as a scanned negative
    original: Image.Image | None = None  # as given, at display size
    # Its positive gray at display size, what a colorization as a negative is made from:
    # the slider's "before" then (the scan itself showed inverted tones beside the colors).
    # Made on its first colorization as a negative; it depends on the photo's bytes only.
    positive: Image.Image | None = None
    rendering: Rendering | None = None
    # Counts colorizations: image URLs carry it, so browsers never show a stale one.
    version: int = 0
    # The check of the colorization of that version (checks.py), kept for its report.
    checked: tuple[int, CheckReport] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def view(self) -> dict:
        return {"id": self.id, "name": self.name, "width": self.size[0],
                "height": self.size[1], "hint": self.hint,
                "color_hints": list(self.color_hints), "negative": self.negative}


class PhotoStore:
    """At most `capacity` photos; safe to share between the server's threads."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._photos: OrderedDict[str, Photo] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, name: str, data: bytes, size: tuple[int, int], hint: str = "",
            color_hints: tuple[Any, ...] = (), negative: bool = False) -> Photo:
        photo = Photo(secrets.token_hex(8), name, data, size, hint, color_hints, negative)
        with self._lock:
            self._photos[photo.id] = photo
            while len(self._photos) > self.capacity:
                self._photos.popitem(last=False)
        return photo

    def get(self, photo_id: str) -> Photo:
        with self._lock:
            photo = self._photos.get(photo_id)
            if photo is None:
                raise PhotoNotFoundError(
                    f"no open photo {photo_id!r}: it was closed to make room for newer ones "
                    f"(the workbench keeps {self.capacity}); open it again")
            self._photos.move_to_end(photo_id)
            return photo

    def __len__(self) -> int:
        with self._lock:
            return len(self._photos)
