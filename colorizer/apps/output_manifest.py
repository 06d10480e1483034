"""What chronochrome wrote into one output folder, kept as the batch goes.

Each change is appended to the journal (`colorizer.apps.manifest_journal`), and the base
manifest is rewritten whole (compacted: the journal then removed) only
- once at the start of a run (`prepare_outdir`: a folder it cannot write fails before any
  work; the CLI's, before the model loads, handed to the batch: `BatchColorizer.start_from`),
- at its end and on a stop (`Manifest.finish`), and
- when the journal has grown past the base's size, or past `COMPACT_FLOOR_BYTES` while the
  base is smaller. Each compaction writes the base's B bytes after more than B bytes were
  appended since the last, so a batch writes less than twice its journal lines, plus the
  rewrites at its start and end: linear in the photos, where rewriting the manifest after
  every change was quadratic (tests/test_manifest_journal.py prints the figures).
  The floor keeps a small folder's base (a few KB) from being rewritten every few photos;
  256 KiB of lines (~240 photos of two lines each) is replayed in milliseconds.
A limit on the journal's lines as well would add nothing: every line is one entry of about
the same size, so its bytes already count them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from colorizer.apps.manifest_journal import JOURNAL, MANIFEST, append_line, read_manifest_files
from colorizer.apps.outputs import default_file_mode, json_bytes, write_files
from colorizer.apps.planner import real_path
from colorizer.apps.write_errors import OutputDiskError, manifest_error

COMPACT_FLOOR_BYTES = 256 * 1024


class Manifest:
    """What chronochrome wrote into one folder: output key -> entry (input, settings, files).
    Read `entries`; change them with `set` and `remove` (each change on disk at once)."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        found = read_manifest_files(outdir)
        self.entries: dict[str, dict[str, Any]] = found.entries
        self.base_bytes, self.journal_bytes = found.base_bytes, found.journal_bytes
        # A journal that ends mid-line (a crash) or whose last append failed: a line added
        # to it would be joined to that one, so the whole manifest is written first.
        self._rewrite_first = found.torn

    def files_of(self, key: str) -> list[str]:
        entry = self.entries.get(key) or {}
        return list(entry.get("files", [key]))  # manifests before "files" listed the image

    def owned(self) -> set[str]:
        return {name for key in self.entries for name in self.files_of(key)}

    def owned_paths(self) -> set[Path]:
        return {real_path(self.outdir / name) for name in self.owned()}

    def set(self, key: str, entry: dict[str, Any]) -> None:
        """Record `entry` for `key`; `OutputDiskError` (the batch stops) if it cannot be."""
        self.entries[key] = entry
        self._record({"set": key, "entry": entry})

    def remove(self, key: str) -> None:
        """Forget `key`'s entry; `OutputDiskError` (the batch stops) if it cannot be."""
        if self.entries.pop(key, None) is not None:
            self._record({"remove": key})

    def _record(self, change: dict[str, Any]) -> None:
        if self._rewrite_first:
            self.save()  # holds this change too
            return
        line = json_bytes(change, indent=None) + b"\n"
        try:
            append_line(self.outdir / JOURNAL, line)
        except OSError as exc:
            self._rewrite_first = True  # it may have left part of the line
            # Named as the manifest, as before the journal: its fix is the folder's.
            raise manifest_error(exc, self.outdir / MANIFEST) from exc
        self.journal_bytes += len(line)
        if self.journal_bytes > max(self.base_bytes, COMPACT_FLOOR_BYTES):
            self.save()

    def save(self) -> None:
        """Write the manifest whole and remove its journal (every change is in it now);
        `OutputDiskError` (the batch stops) when it cannot be."""
        path = self.outdir / MANIFEST
        data = json_bytes(self.entries, indent=1)
        try:
            write_files([(path, data)], mode=default_file_mode())
            # After the base: a crash between leaves lines that set what it holds already.
            (self.outdir / JOURNAL).unlink(missing_ok=True)
        except OSError as exc:
            raise manifest_error(exc, path) from exc
        self.base_bytes, self.journal_bytes, self._rewrite_first = len(data), 0, False

    def finish(self) -> None:
        """At a batch's end or stop: the manifest whole, if it has a journal. Where that
        cannot be written (the disk that stopped the batch is full) the journal keeps every
        change and the next run writes it whole before any work, saying so if it cannot."""
        if self.journal_bytes or self._rewrite_first:
            try:
                self.save()
            except OutputDiskError:
                pass
