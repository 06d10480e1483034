"""Result files that no job references, removed when the server starts (`ServiceState`).

An item's files go into place inside the transaction that records them (`JobStore.complete`,
`JobStore.add_done_job`), so a failure leaves at most staged temporary files, which the start
removes too (`outputs.remove_stale_temp_files`). A process killed between the rename and the
commit, though (or a version whose `/v1/colorize` wrote its files before recording its job),
leaves files in `results/` that no item names; retention deletes only what items name, so
nothing else would ever delete them.

A file is removed only when all of these hold, so that nothing else can go:
- it is a regular file directly in the results folder (no folder, no link, nothing below);
- its name is one the service writes for an item (`results.write_item_outputs`):
  `job_<32 hex>-<index>` then an image suffix or `.provenance.json` (`item_id_of`);
- no item of that id names it, and that item is not queued or running: a queued or running
  item's worker may be moving a file of that name into place right now (a retry after a
  killed attempt), so its files are left to it;
- it was last modified more than `GRACE_SECONDS` ago: a request in flight in another process
  renames its files just before its transaction commits, which waits at most the store's 30 s
  busy timeout, so a file that young may be about to be recorded.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from colorizer.apps.service.store import ACTIVE, JobStore
from colorizer.pipeline.provenance import IMAGE_FORMATS

log = logging.getLogger("chronochrome.service.orphans")

GRACE_SECONDS = 15 * 60.0  # far above the 30 s a staged file can wait for its commit
_SUFFIXES = sorted({suffix for _, suffix, _ in IMAGE_FORMATS.values()} | {".provenance.json"})
# store.new_job_id + "-<index>", then what results.write_item_outputs names beside it.
_NAME = re.compile(r"(job_[0-9a-f]{32}-[0-9]+)(?:" + "|".join(map(re.escape, _SUFFIXES)) + ")")


@dataclass
class OrphanReport:
    """What one pass removed."""

    files: list[str] = field(default_factory=list)
    bytes: int = 0


def item_id_of(name: str) -> str | None:
    """The item id a result file name belongs to; None for a name the service never writes."""
    match = _NAME.fullmatch(name)
    return match.group(1) if match else None


def remove_orphans(store: JobStore, results_dir: Path,
                   grace_seconds: float = GRACE_SECONDS) -> OrphanReport:
    """Remove the result files in `results_dir` that no item references (see above)."""
    report, cutoff = OrphanReport(), time.time() - grace_seconds
    db = store.connection()
    with os.scandir(results_dir) as entries:
        for entry in entries:
            item_id = item_id_of(entry.name)
            if item_id is None or not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
            if info.st_mtime >= cutoff:
                continue
            row = db.execute("SELECT status, result_file, provenance_file FROM items "
                             "WHERE id = ?", (item_id,)).fetchone()
            if row is not None and (row["status"] in ACTIVE or entry.name in (
                    row["result_file"], row["provenance_file"])):
                continue
            try:
                os.unlink(entry.path)
            except FileNotFoundError:  # another process's start removed it first
                continue
            except OSError as exc:  # housekeeping: it must not keep the service from starting
                log.warning("could not remove %s, which no job references: %s", entry.path, exc)
                continue
            report.files.append(entry.name)
            report.bytes += info.st_size
    if report.files:
        log.info("removed %d result files (%d bytes) that no job references from %s",
                 len(report.files), report.bytes, results_dir)
    return report
