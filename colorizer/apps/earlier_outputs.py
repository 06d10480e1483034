"""What earlier runs wrote into an output folder, as the planner needs it: which names hold
another photo, and which name a photo was given before.

A second run into a folder planned its names alone: `a/dg20.jpg` colorized into `out/`, then
`b/dg20.tif` into the same `out/`, and the second photo replaced the first one's output (the
manifest said chronochrome wrote it, so it was "ours" to replace). A folder's outputs are
the user's results: a name whose manifest entry was written for another photo is now taken,
as a name planned for another photo of the same run is (the next run's photo gets
`dg20-2.png` and a note), and a photo colorized before is given its earlier name again, so
re-running a part of a collection neither moves nor duplicates its outputs.

"The same photo" is the same file (links followed) or URL; an entry written before
manifests recorded the real path names its input as given, taken from the current folder;
a file moved since (the same bytes, `input_sha256`) is the same photo too.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any

from colorizer.apps.manifest_journal import JOURNAL, MANIFEST, read_manifest_files
from colorizer.apps.source import Source

__all__ = ["JOURNAL", "MANIFEST", "EarlierOutputs", "fold", "photo_identity", "read_manifest",
           "written_files"]


def fold(name: str) -> str:
    """A name as macOS and Windows disks compare it: case-insensitive, and NFC (a name
    copied from a Mac is often decomposed, "Cafe" + combining accent, beside a composed one:
    on APFS both are one file)."""
    return unicodedata.normalize("NFC", name).casefold()


def read_manifest(path: Path) -> dict[str, Any]:
    """The entries of the manifest at `path` (`OUTDIR/MANIFEST`), its journal replayed
    (`colorizer.apps.manifest_journal`); {} when there is none or its base is damaged (that
    only costs re-doing work, never data: files not in it are never replaced). A damaged
    journal line is a `DamagedJournalError`."""
    return read_manifest_files(path.parent).entries


def written_files(folder: Path) -> set[Path]:
    """The real paths of every file `folder`'s manifest says chronochrome wrote there."""
    entries = read_manifest(folder / MANIFEST)
    names = {name for key, entry in entries.items() if isinstance(entry, dict)
             for name in entry.get("files", [key]) if isinstance(name, str)}
    return {Path(os.path.realpath(folder / name)) for name in names}


def photo_identity(source: Source) -> str:
    """How a manifest entry names its photo for later runs: the URL, or the real path."""
    return source.url or os.path.realpath(source.path)


class EarlierOutputs:
    """The live entries of a folder's manifest (some file still there), by stem."""

    def __init__(self, outdir: Path, entries: dict[str, Any]):
        self.outdir = outdir
        self.by_stem: dict[str, dict[str, Any]] = {}  # fold(key without suffix) -> entry
        self.stems_of: dict[str, list[str]] = {}  # photo identity -> stems given to it
        for key, entry in entries.items():
            if not isinstance(entry, dict) or not self._live(key, entry):
                continue
            stem = str(PurePosixPath(key).with_suffix(""))
            self.by_stem[fold(stem)] = {**entry, "key": key}
            self.stems_of.setdefault(_identity_of(entry), []).append(stem)
        self._digests: dict[Path, str | None] = {}
        # key -> the photo found at another path with its entry's bytes (moved since): the
        # batch records the new path, so an edit of it later is still this photo.
        self.moved: dict[str, Source] = {}

    def _live(self, key: str, entry: dict[str, Any]) -> bool:
        files = entry.get("files", [key])
        return any((self.outdir / name).exists() for name in files if isinstance(name, str))

    def stem_for(self, source: Source, suffix: str) -> str | None:
        """The stem an earlier run gave this photo with this image suffix, if any."""
        for stem in self.stems_of.get(photo_identity(source), []):
            if self.by_stem[fold(stem)]["key"] == f"{stem}{suffix}":
                return stem
        return None

    def other_photo(self, stem: str, source: Source) -> str | None:
        """The input of another photo an earlier run wrote under `stem`; None if the name is
        free or holds this photo."""
        entry = self.by_stem.get(fold(stem)) if self.by_stem else None
        if entry is None or _identity_of(entry) == photo_identity(source):
            return None
        if not source.url and entry.get("input_sha256") and \
                entry["input_sha256"] == self._digest(source.path):
            self.moved[entry["key"]] = source  # the same bytes, moved or renamed since
            return None
        return str(entry.get("input", "another photo"))

    def _digest(self, path: Path) -> str | None:
        if path not in self._digests:
            try:
                self._digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._digests[path] = None
        return self._digests[path]


def _identity_of(entry: dict[str, Any]) -> str:
    """An entry's photo: its recorded real path, else its URL or its input as given."""
    if entry.get("input_path"):
        return str(entry["input_path"])
    given = str(entry.get("input", ""))
    if not given or given.lower().startswith(("http://", "https://")):
        return given
    return os.path.realpath(given)
