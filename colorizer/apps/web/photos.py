"""The photos open in the workbench: a bounded, least-recently-used store.

Each photo keeps its bytes (what the pipeline is given again on every run, so the pipeline's
edit cache recognises it and a new color hint reuses steps 2-6) and the last colorization,
reduced to the display size (`rendering.Rendering`) but for its output pixels, which the
download needs at full size: uint8 RGB (uint16 for a 16-bit master), never a float array.

The store is bounded by count and by memory: a photo's bytes plus its full-size output (as
held, `FullSize.nbytes`; before its first colorization, the output it will hold, reserved
when it opens so the run itself has room). Past either limit the least recently used photos
are closed, never the newest; the step that closed them says so (the page shows it) and a
closed one's id answers why it is gone.
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
    # Bytes its full-size output will hold, counted until its first colorization holds them.
    reserved: int = 0
    # Which older photos its opening closed to make room, and why (the page says it).
    closed_note: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def held_bytes(self) -> int:
        """Its share of the workbench's memory: its bytes and its full-size output (the
        display-size images are a few MB at most and are not counted)."""
        done = self.rendering
        return len(self.data) + (done.full.nbytes if done is not None else self.reserved)

    def view(self) -> dict:
        return {"id": self.id, "name": self.name, "width": self.size[0],
                "height": self.size[1], "hint": self.hint,
                "color_hints": list(self.color_hints), "negative": self.negative}


class PhotoStore:
    """At most `capacity` photos holding at most `max_bytes` together (the newest is kept
    even alone over it); safe to share between the server's threads."""

    _REMEMBERED = 256  # closed ids whose reason a late request still gets

    def __init__(self, capacity: int, max_bytes: int | None = None) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._photos: OrderedDict[str, Photo] = OrderedDict()
        self._closed: OrderedDict[str, str] = OrderedDict()  # id -> why it was closed
        self._lock = threading.Lock()

    def add(self, name: str, data: bytes, size: tuple[int, int], hint: str = "",
            color_hints: tuple[Any, ...] = (), negative: bool = False,
            reserved: int = 0) -> Photo:
        """A new photo, `reserved` the bytes its full-size output will hold; older ones
        are closed first if it needs their room."""
        photo = Photo(secrets.token_hex(8), name, data, size, hint, color_hints, negative,
                      reserved=reserved)
        with self._lock:
            self._photos[photo.id] = photo
            photo.closed_note = self._make_room(photo)
        return photo

    def spare_bytes(self) -> int | None:
        """What the open photos leave of the memory budget (None: no budget)."""
        if self.max_bytes is None:
            return None
        with self._lock:
            return self.max_bytes - sum(p.held_bytes for p in self._photos.values())

    def settle(self, photo: Photo) -> str:
        """After `photo`'s colorization, with its real output held: closes older photos if
        the store is now over its memory budget; what was closed, in words ("" if none)."""
        with self._lock:
            return self._make_room(photo)

    def _make_room(self, keep: Photo) -> str:
        closed: list[str] = []
        why = ""
        while len(self._photos) > 1:
            held = sum(p.held_bytes for p in self._photos.values())
            if len(self._photos) > self.capacity:
                why = f"{self.capacity} open photos, --max-photos"
            elif self.max_bytes is not None and held > self.max_bytes:
                why = f"{self.max_bytes / 1e6:.0f} MB of open photos, --max-memory-mb"
            else:
                break
            oldest = next(pid for pid in self._photos if pid != keep.id)
            closed.append(self._photos.pop(oldest).name)
            self._closed[oldest] = why
            while len(self._closed) > self._REMEMBERED:
                self._closed.popitem(last=False)
        if not closed:
            return ""
        # Short: it joins the page's status line, which must not wrap the header.
        return f"closed {', '.join(closed)} to make room (limit: {why})"

    def get(self, photo_id: str) -> Photo:
        with self._lock:
            photo = self._photos.get(photo_id)
            if photo is None:
                why = self._closed.get(photo_id, f"{self.capacity} open photos, --max-photos")
                raise PhotoNotFoundError(
                    f"no open photo {photo_id!r}: it was closed to make room for newer ones "
                    f"(limit: {why}); open it again")
            self._photos.move_to_end(photo_id)
            return photo

    def __len__(self) -> int:
        with self._lock:
            return len(self._photos)
