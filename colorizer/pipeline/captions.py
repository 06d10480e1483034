"""The captions of one photo, from every place archives put them.

`photo_captions(loaded, caption, filename=True)` returns them, each naming its source:

1. an explicit `caption` is the user's (source "user") and the only one used; a
   `CatalogueCaption` (a CSV row's or IIIF canvas's record) gives its fields, each naming
   its own ("csv:date", "iiif:navDate"), and only those when it `replaces` the others;
   otherwise
2. the file's own metadata: EXIF, IPTC, XMP and PNG text (read once by the loader,
   metadata.py, and kept in `LoadedImage.captions`);
3. a sidecar file beside a photo loaded from a path: NAME.txt (the whole text), NAME.json
   (the keys in `JSON_KEYS`), NAME.xmp (as the file's XMP), or the same with the photo's
   suffix kept (NAME.png.xmp, as darktable writes them); a .txt or .json in UTF-8, UTF-16 or
   a Windows code page, the code page named in a note (`context.text_encoding`);
4. the file name ("Prague1968.png"), unless `filename=False` (`--no-filename-caption`).
   A photo given as bytes or as a PIL image has no file name (nor a sidecar).

The same text found twice (Photoshop writes one caption into EXIF, IPTC and XMP) is kept
once, under the first source. A sidecar is read only when it is a regular file (a FIFO or
a device is never opened) of at most `SIDECAR_MAX_BYTES`; any other is left unread and
reported in a note.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Self

from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.metadata import make_caption, xmp_captions
from context.text_encoding import TextEncodingError, decode_user_text
from context.types import Caption, SceneContext

SIDECAR_MAX_BYTES = 64 * 1024
SIDECAR_SUFFIXES = (".txt", ".json", ".xmp")
JSON_KEYS = ("caption", "description", "title", "headline", "date", "year", "place",
             "location", "city", "country")


class CatalogueCaption(str):
    """A photo's caption from a collection's record: as text, what runs record and compare
    (a batch's settings, "already done"), "Street; date: 1950; place: Kazan"; and `fields`,
    the `Caption`s it was made of, each naming its field, which the context reads. It rides
    where a caption string goes (a CSV row's or canvas's own caption), so every step between
    the collection reader and `photo_captions` passes it on unchanged; one that made a plain
    string of it loses only the field names. `replaces`: the file's own captions are left
    unread (as an explicit caption does)."""

    fields: tuple[Caption, ...]
    replaces: bool

    def __new__(cls, text: str, fields: tuple[Caption, ...] = (), replaces: bool = False
                ) -> Self:
        made = super().__new__(cls, text)
        made.fields, made.replaces = tuple(fields), replaces
        return made

    @classmethod
    def of(cls, fields: list[Caption], replaces: bool) -> CatalogueCaption | None:
        """The caption of `fields` (a field's name before its text, all but a "user" one's
        or a label's); None when there are none."""
        if not fields:
            return None
        text = "; ".join(c.text if c.source in ("user", "iiif:label") else
                         f"{c.source.rsplit(':', 1)[-1]}: {c.text}" for c in fields)
        return cls(text, tuple(fields), replaces)

    def with_caption(self, caption: str) -> CatalogueCaption:
        """These fields with the run's `--caption` before them, in place of every other
        caption (as that caption alone would be)."""
        return CatalogueCaption.of([Caption(caption, "user"), *self.fields], replaces=True)


@dataclass(frozen=True)
class PhotoCaptions:
    """The captions to read for one photo, and notes on what was left unread."""

    captions: tuple[Caption, ...]
    notes: tuple[str, ...] = ()


def photo_captions(loaded: LoadedImage, caption: str | None = None,
                   filename: bool = True) -> PhotoCaptions:
    """Steps 1-4 of the module docstring."""
    record = caption.fields if isinstance(caption, CatalogueCaption) else ()
    if isinstance(caption, CatalogueCaption) and caption.replaces:
        return PhotoCaptions(record)
    if caption is not None and not record:
        return PhotoCaptions((Caption(caption, "user"),))
    found, notes = [*record, *loaded.captions], []
    if loaded.path is not None:
        sidecar, notes = sidecar_captions(Path(loaded.path))
        found += sidecar
    if filename and (named := filename_caption(loaded.name)):
        found.append(named)
    seen: set[str] = set()
    kept = []
    for item in found:
        key = " ".join(item.text.casefold().split())
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return PhotoCaptions(tuple(kept), tuple(notes))


def filename_caption(name: str) -> Caption | None:
    """The file name as a caption; None for the loader's "<bytes>" and "<image>"."""
    if not name or (name.startswith("<") and name.endswith(">")):
        return None
    return make_caption(Path(name).name, "filename")


def sidecar_captions(photo: Path) -> tuple[list[Caption], list[str]]:
    """The captions in the sidecar files beside `photo`, and notes on those not read."""
    captions: list[Caption] = []
    notes: list[str] = []
    for path in _sidecar_paths(photo):
        try:
            data = read_bounded(path, SIDECAR_MAX_BYTES)
        except _Unread as exc:
            notes.append(f"sidecar {path.name} not read: {exc}")
            continue
        if data is None:
            continue
        source = f"sidecar:{path.name}"
        if path.suffix in (".txt", ".json"):
            # UTF-16, or a code page with a note: a Windows-1252 "Kraków" was read "Krak?w".
            try:
                decoded = decode_user_text(data, f"sidecar {path.name}")
            except TextEncodingError as exc:
                notes.append(f"{exc}; not read")
                continue
            notes += [decoded.note] if decoded.note else []
        if path.suffix == ".txt":
            found = make_caption(decoded.text, source)
            captions += [found] if found else []
        elif path.suffix == ".json":
            found_json, note = _json_captions(decoded.text, source)
            captions += found_json
            notes += [note] if note else []
        else:
            found_xmp, note = xmp_captions(data, source)
            captions += found_xmp
            notes += [note] if note else []
    return captions, notes


class _Unread(Exception):
    """A sidecar that is there but was not read; the message says why."""


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of `path` if it is a regular file of at most `limit` bytes; None if there
    is no such file. Raises `_Unread` for anything else, before reading a byte of it."""
    try:
        info = os.stat(path)  # stat opens nothing: a FIFO or a device is never opened
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _Unread(exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise _Unread("not a regular file")
    if info.st_size > limit:
        raise _Unread(f"{info.st_size:,} bytes, above the {limit:,}-byte limit for sidecars")
    try:
        # O_NONBLOCK: should the path have become a FIFO since the stat, opening it does
        # not wait for a writer; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _Unread(exc.strerror or str(exc)) from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _Unread("not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _Unread(f"grew above the {limit:,}-byte limit for sidecars while read")
    return data


def _sidecar_paths(photo: Path) -> list[Path]:
    stems = [photo.with_suffix(""), photo] if photo.suffix else [photo]
    return [stem.with_name(stem.name + suffix) for stem in stems for suffix in SIDECAR_SUFFIXES]


def _is_context_report(record: dict) -> bool:
    """A JSON object written by `chronochrome context`: every key one of `SceneContext`'s,
    with its description and the status of its sources."""
    names = {f.name for f in fields(SceneContext)}
    return {"description", "sources"} <= record.keys() <= names


def _json_captions(text: str, source: str) -> tuple[list[Caption], str | None]:
    """Captions from a JSON object's `JSON_KEYS` (any case; text or a number like 1968)."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], f"{source} is not valid JSON ({exc}); not read"
    if not isinstance(record, dict):
        return [], f"{source} holds no JSON object; not read"
    if _is_context_report(record):
        # `chronochrome context photo.jpg > photo.json` saved beside the photo: read as a
        # caption, its own description ("A photograph from 1960 in Tbilisi...") became the
        # evidence of the next run, which then only repeated the first one's inference.
        return [], f"{source} is chronochrome's own context report; not read as a caption"
    found = []
    for key, value in record.items():
        if str(key).casefold() not in JSON_KEYS:
            continue
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            found.append(make_caption(str(value), f"{source}:{key}"))
    return [c for c in found if c], None
