"""An output folder's manifest on disk: a base JSON and an append-only journal beside it.

The manifest (output key -> entry: input, settings, files) was rewritten whole twice per
photo: about 536 bytes an entry, so at 10,000 photos each save wrote ~5 MB and the batch
~100 GB, its time growing with the square of the count. Now each change is one JSON line
appended to `JOURNAL` (`{"set": key, "entry": {...}}` or `{"remove": key}`), and the base
`MANIFEST` is rewritten only now and then (`colorizer.apps.output_manifest.Manifest`).

Reading is the base, then the journal's lines in order. Each line holds a whole entry, so a
line met again after the base already has it (a crash between writing the base and emptying
the journal) sets what is there already. A last line without its newline is what a crash
mid-append leaves: it is ignored (the change it began was never followed by the files it
announced), with no error. Any other line that cannot be read is a damaged record: a clear
error, as guessing would let a run replace files it cannot tell from the user's.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colorizer.errors import ChronochromeError

MANIFEST = ".chronochrome-manifest.json"
JOURNAL = ".chronochrome-manifest.jsonl"


class DamagedJournalError(ChronochromeError):
    """A line of the manifest's journal, not its last, cannot be read."""

    reason = "manifest"


@dataclass
class ManifestOnDisk:
    """What a folder's manifest files hold, and their sizes (when to compact)."""

    entries: dict[str, Any] = field(default_factory=dict)
    base_bytes: int = 0
    journal_bytes: int = 0
    torn: bool = False  # the journal ends without a newline: the next line would join it


def read_manifest_files(folder: Path) -> ManifestOnDisk:
    """The base manifest of `folder` with its journal replayed (module docstring)."""
    found = ManifestOnDisk()
    base = folder / MANIFEST
    if base.is_file():
        try:
            data = base.read_bytes()
            found.base_bytes = len(data)
            entries = json.loads(data.decode("utf-8"))
        except (json.JSONDecodeError, OSError, UnicodeDecodeError):
            entries = {}  # damaged: it only costs re-doing work (earlier_outputs.read_manifest)
        found.entries = entries if isinstance(entries, dict) else {}
    _replay(folder / JOURNAL, found)
    return found


def _replay(journal: Path, found: ManifestOnDisk) -> None:
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DamagedJournalError(
            f"cannot read {journal}, where the batch records what it has done "
            f"({exc.strerror or exc}); make it readable for this user and run the same "
            "command again") from None
    found.journal_bytes = len(data)
    *lines, tail = data.split(b"\n")  # tail: b"" when the last line is whole
    for number, line in enumerate(lines, 1):
        if line.strip():
            _apply(found.entries, _change(line, journal, number))
    if tail:
        found.torn = True
        try:
            _apply(found.entries, _change(tail, journal, len(lines) + 1))
        except DamagedJournalError:
            pass  # cut short by a crash mid-append: its photo's files were never written


def _change(line: bytes, journal: Path, number: int) -> dict[str, Any]:
    try:
        change = json.loads(line.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        change = None
    if isinstance(change, dict) and (
            (isinstance(change.get("set"), str) and isinstance(change.get("entry"), dict))
            or isinstance(change.get("remove"), str)):
        return change
    raise DamagedJournalError(
        f"cannot read {journal}, where the batch records what it has done: line {number} is "
        "damaged; delete that line (or the file) and run the same command again (a photo "
        "it recorded is then refused as not chronochrome's: pass --overwrite to redo it)")


def _apply(entries: dict[str, Any], change: dict[str, Any]) -> None:
    if "set" in change:
        entries[change["set"]] = change["entry"]
    else:
        entries.pop(change["remove"], None)


def append_line(journal: Path, line: bytes) -> None:
    """Append `line` (one change, ending in a newline) to `journal`, fsynced as the whole
    manifest's rewrite was: a change the batch goes on from must survive a power cut."""
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        left = memoryview(line)
        while left:  # a crash or a full disk leaves at most this line torn, and last
            left = left[os.write(fd, left):]
        os.fsync(fd)
    finally:
        os.close(fd)
