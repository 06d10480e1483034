"""Result retention: a finished job's results are deleted some time after it ended.

A job *expires* when none of its items is queued or running and its last item ended before a
cutoff (`ServiceConfig.result_retention_seconds` ago, or what `chronochrome results cleanup
--older-than` says). Expiring a job is two steps, so that a crash between them loses nothing
that should stay and leaves nothing that should go:

1. in one transaction: the job's status becomes `expired` (with when and why in its `meta`),
   its `done` items become `expired`, and its uploaded originals and its items' color hints
   (masks and reference photos, as data: URIs: the archive's material too) are deleted from the
   database; each item keeps how many hints it had, and the job's `meta.expired` how many went
   in all (`color_hints_removed`, which also marks its hints as gone). The transaction re-checks
   that nothing of the job is queued or running, so a running job's files are never touched; a
   job cannot gain items, and workers lease only `active` jobs. A job expired before hints were
   deleted (an older version) loses them at the next sweep (`remove_old_hints`).
2. outside any transaction (a worker completing an item never waits on file deletion): the
   files of `expired` items that still name files are unlinked, then the names are cleared.
   Step 2 picks up whatever an earlier crash left, through a partial index, so it stays cheap.

3. expired jobs are *forgotten* a grace period after they expired (`job_forgetting`): their
   rows and their items' rows are deleted, and the job answers 404 from then on;
4. the database gives the pages of the deleted uploads, hints and rows back to the file system
   (`reclaim_space`), in steps of RECLAIM_STEP_PAGES, each its own short write; SQLite
   otherwise keeps freed pages for reuse and the file never shrinks.

Only bare file names inside the results folder are ever deleted (`_result_path`): a name from
the database that holds a separator or `..` is skipped, so nothing outside the service's data
folder can go. A full disk does not stop step 1: a reserve file of the data folder is given
back to record it (`storage_reserve`). The routes answer 410 for an expired item
(`item_files`) and for its color hints (`job_routes`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from colorizer.apps.service.config import DEFAULT_FORGET_SECONDS
from colorizer.apps.service.item_rows import remove_hints
from colorizer.apps.service.job_forgetting import forget_expired_jobs, forgettable_jobs
from colorizer.apps.service.storage_reserve import keep_reserve, with_room
from colorizer.apps.service.store import JobStore

log = logging.getLogger("chronochrome.service.retention")

# Why a job's results went; the 410 answers say it in words (item_files.expiry_detail).
BY_RETENTION, BY_CLEANUP, BY_OWNER = "retention", "cleanup", "owner"
# The items whose files are still to remove (step 2), so that step stays cheap however many
# expired items the table holds. The grouped read of `_EXPIRABLE` needs none: 0.3 s over 100k
# items (eval/bench_retention.py; a covering index measured no faster under load).
_INDEX = ("CREATE INDEX IF NOT EXISTS items_files_to_remove ON items (status) "
          "WHERE result_file IS NOT NULL OR provenance_file IS NOT NULL")
_EXPIRABLE = """
SELECT i.job_id AS id, MAX(i.finished) AS ended, COUNT(*) AS items FROM items i
JOIN jobs j ON j.id = i.job_id WHERE j.status != 'expired' {only} GROUP BY i.job_id
HAVING SUM(i.status IN ('queued', 'running')) = 0 AND MAX(i.finished) < ? ORDER BY ended LIMIT ?
"""
# Expired jobs whose hints are still to delete: only those an older version expired, as step 1
# deletes them and marks the job in one transaction. A partial index: empty once they are done.
_HINTS_LEFT = "status = 'expired' AND json_type(meta, '$.expired.color_hints_removed') IS NULL"
_HINTS_INDEX = f"CREATE INDEX IF NOT EXISTS jobs_hints_to_remove ON jobs (id) WHERE {_HINTS_LEFT}"

# Pages one incremental vacuum step frees (8 MiB at SQLite's 4 KiB pages, ~30 ms measured):
# a worker completing an item waits at most one step.
RECLAIM_STEP_PAGES = 2048
# A database made before auto_vacuum was set converts by one full VACUUM (a copy of the file
# that holds the write lock throughout: ~1 s per 100 MB), done only up to this size; a larger
# one is left for the operator (the log says how).
LEGACY_VACUUM_MAX_BYTES = 256 * 1024 * 1024


@dataclass
class ExpiredJob:
    """A job whose results were deleted (or, in a dry run, would be)."""

    job_id: str
    ended: float  # when its last item ended (Unix time)
    items: int
    hints: int = 0  # color hints deleted with its results (not counted in a dry run)


@dataclass
class SweepReport:
    """What one sweep expired and removed."""

    cutoff: float  # jobs that ended before this (Unix time) expired
    jobs: list[ExpiredJob] = field(default_factory=list)
    files_removed: int = 0
    bytes_removed: int = 0
    bytes_reclaimed: int = 0  # the database file's shrinkage (uploads and hints deleted)
    hints_removed: int = 0  # color hints deleted, those of jobs expired before included
    jobs_forgotten: int = 0  # expired jobs whose rows were deleted (job_forgetting)
    skipped_names: list[str] = field(default_factory=list)  # names not inside results/


def expirable_jobs(store: JobStore, cutoff: float, limit: int = 500,
                   job_id: str | None = None) -> list[ExpiredJob]:
    """Jobs with nothing queued or running whose last item ended before `cutoff`, oldest first."""
    only = "AND j.id = ?" if job_id else ""
    args = ((job_id,) if job_id else ()) + (cutoff, limit)
    rows = store.connection().execute(_EXPIRABLE.format(only=only), args).fetchall()
    return [ExpiredJob(r["id"], r["ended"], r["items"]) for r in rows]


def expire_jobs(store: JobStore, jobs: list[ExpiredJob], reason: str,
                now: float | None = None) -> list[ExpiredJob]:
    """Step 1 for `jobs`, in one transaction; returns those it expired (not one that gained a
    running item meanwhile, nor one already expired)."""
    now = time.time() if now is None else now
    note = json.dumps({"at": now, "reason": reason})
    expired = []
    with store.transaction() as db:
        for job in jobs:
            active = db.execute("SELECT COUNT(*) FROM items WHERE job_id = ? AND status IN "
                                "('queued', 'running')", (job.job_id,)).fetchone()[0]
            if active or not db.execute(
                    "UPDATE jobs SET status = 'expired', meta = json_set(meta, '$.expired', "
                    "json(?)) WHERE id = ? AND status != 'expired'",
                    (note, job.job_id)).rowcount:
                continue
            db.execute("UPDATE items SET status = 'expired' WHERE job_id = ? AND "
                       "status = 'done'", (job.job_id,))
            db.execute("DELETE FROM uploads WHERE item_id IN (SELECT id FROM items WHERE "
                       "job_id = ?)", (job.job_id,))
            job.hints = _remove_hints(db, job.job_id)
            expired.append(job)
    return expired


def remove_old_hints(store: JobStore, batch: int = 10) -> int:
    """The color hints of jobs expired before retention deleted them (an older version), now;
    returns how many went. Each batch of jobs (megabytes of hints each, maybe) is its own
    short transaction, so a worker completing an item does not wait long."""
    store.connection().execute(_HINTS_INDEX)  # IF NOT EXISTS: free after the first pass
    removed, seen = 0, set[str]()
    while True:
        with store.transaction() as db:
            ids = [r["id"] for r in db.execute(f"SELECT id FROM jobs WHERE {_HINTS_LEFT} "
                                               "LIMIT ?", (batch,))]
            if not ids or seen.issuperset(ids):  # nothing left (or unmarkable: never loop)
                return removed
            removed += sum(_remove_hints(db, job_id) for job_id in ids)
            seen.update(ids)


def _remove_hints(db: sqlite3.Connection, job_id: str) -> int:
    """Delete an expired job's items' hints and note how many in its `meta.expired`, which
    takes the job out of `_HINTS_LEFT` (an older version's job may lack the note: made here)."""
    removed = remove_hints(db, job_id)
    db.execute("UPDATE jobs SET meta = json_set(meta, '$.expired', json_set(coalesce("
               "json_extract(meta, '$.expired'), '{}'), '$.color_hints_removed', ?)) "
               "WHERE id = ?", (removed, job_id))
    return removed


def remove_expired_files(store: JobStore, results_dir: Path, report: SweepReport,
                         batch: int = 500) -> None:
    """Step 2: unlink the files expired items still name, then clear the names."""
    db = store.connection()
    while True:
        rows = db.execute("SELECT id, result_file, provenance_file FROM items WHERE status = "
                          "'expired' AND (result_file IS NOT NULL OR provenance_file IS NOT "
                          "NULL) LIMIT ?", (batch,)).fetchall()
        if not rows:
            return
        for row in rows:
            for name in (row["result_file"], row["provenance_file"]):
                _remove(results_dir, name, report)
        with store.transaction() as tx:
            tx.executemany("UPDATE items SET result_file = NULL, provenance_file = NULL "
                           "WHERE id = ? AND status = 'expired'", [(r["id"],) for r in rows])


def sweep(store: JobStore, results_dir: Path, older_than_seconds: float, *,
          reason: str = BY_RETENTION, dry_run: bool = False, now: float | None = None,
          batch: int = 500, forget_after_seconds: float = DEFAULT_FORGET_SECONDS) -> SweepReport:
    """Expire every job that ended more than `older_than_seconds` ago and remove its files;
    forget (delete the rows of) jobs that expired more than `forget_after_seconds` ago (0:
    never).

    Jobs go in batches of `batch`, each its own short transaction, so a worker that completes
    an item waits at most for one batch. `dry_run` lists what would go and changes nothing.
    """
    now = time.time() if now is None else now
    report = SweepReport(cutoff=now - older_than_seconds)
    store.connection().execute(_INDEX)  # IF NOT EXISTS: free after the first pass
    forget_before = now - forget_after_seconds if forget_after_seconds > 0 else None
    if dry_run:
        report.jobs = expirable_jobs(store, report.cutoff, limit=-1)  # -1: no limit in SQLite
        if forget_before is not None:
            report.jobs_forgotten = len(forgettable_jobs(store, forget_before))
        return report
    while jobs := expirable_jobs(store, report.cutoff, batch):
        # A full disk cannot record the expiry that frees it: the reserve makes room once.
        expired = with_room(store.path.parent, lambda: expire_jobs(store, jobs, reason, now))
        report.jobs += expired
        if not expired:  # each one gained a running item meanwhile: leave them for later
            break
    report.hints_removed = sum(job.hints for job in report.jobs) + remove_old_hints(store)
    remove_expired_files(store, results_dir, report)
    if forget_before is not None:  # after step 2: a job that still names files is kept
        report.jobs_forgotten = forget_expired_jobs(store, forget_before, batch)
    if report.jobs or report.hints_removed or report.jobs_forgotten:  # rows or blobs went
        report.bytes_reclaimed = reclaim_space(store)
    keep_reserve(store.path.parent)  # made, or made again, while there is room
    return report


def reclaim_space(store: JobStore) -> int:
    """Shrink the database file by its free pages (step 3); returns the bytes given back."""
    db = store.connection()
    page_size, before = _pragma(db, "page_size"), _pragma(db, "page_count")
    if not _pragma(db, "freelist_count"):
        return 0
    if _pragma(db, "auto_vacuum") == 2:  # incremental
        while _pragma(db, "freelist_count"):  # executescript: execute() steps it once (a page)
            db.executescript(f"PRAGMA incremental_vacuum({RECLAIM_STEP_PAGES});")
    elif before * page_size <= LEGACY_VACUUM_MAX_BYTES:
        db.execute("VACUUM")  # converts to incremental (store_connection.py sets the pragma)
    else:
        log.warning("result retention: %s keeps %d MB of freed pages; stop the service and run "
                    "`sqlite3 %s VACUUM` once to let it shrink from then on", store.path,
                    _pragma(db, "freelist_count") * page_size // 10**6, store.path)
        return 0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL that held the moves, emptied
    return (before - _pragma(db, "page_count")) * page_size


def _pragma(db: sqlite3.Connection, name: str) -> int:
    return int(db.execute(f"PRAGMA {name}").fetchone()[0])


def expire_now(store: JobStore, results_dir: Path, job_id: str, reason: str = BY_OWNER,
               now: float | None = None) -> bool:
    """Expire one finished job at once (its owner deleted it); False when something of it is
    still queued or running."""
    jobs = expirable_jobs(store, float("inf"), 1, job_id=job_id)
    if not with_room(store.path.parent, lambda: expire_jobs(store, jobs, reason, now)):
        return False
    remove_expired_files(store, results_dir, SweepReport(cutoff=now or time.time()))
    reclaim_space(store)
    return True


def _result_path(results_dir: Path, name: str) -> Path | None:
    """`results_dir / name` when `name` is a bare file name; None for anything else."""
    if not name or name in (".", "..") or Path(name).name != name or "\\" in name:
        return None
    return results_dir / name


def _remove(results_dir: Path, name: str | None, report: SweepReport) -> None:
    if name is None:
        return
    path = _result_path(results_dir, name)
    if path is None:
        report.skipped_names.append(name)
        return
    try:
        size = path.lstat().st_size
        path.unlink()
    except FileNotFoundError:  # removed by an earlier sweep that stopped before step 2 ended
        return
    report.files_removed += 1
    report.bytes_removed += size


class RetentionSweeper:
    """A daemon thread of the server process that sweeps every `interval` seconds.

    Off the event loop (health checks and downloads keep answering) and off the workers (no
    colorization waits for it). A pass over nothing to expire is one grouped read of the items
    table: 0.3 s over 100k items (eval/bench_retention.py).
    """

    def __init__(self, store: JobStore, results_dir: Path, retention_seconds: float,
                 interval: float, stop: threading.Event,
                 forget_after_seconds: float = DEFAULT_FORGET_SECONDS) -> None:
        self.store, self.results_dir = store, results_dir
        self.retention_seconds, self.interval, self.stop = retention_seconds, interval, stop
        self.forget_after_seconds = forget_after_seconds  # expired jobs' rows (job_forgetting)
        self.thread = threading.Thread(target=self.run, daemon=True,
                                       name="chronochrome-retention")
        self.passes = 0

    def run(self) -> None:
        """Sweep at once, then every `interval` seconds until `stop` is set."""
        while not self.stop.is_set():
            try:
                report = sweep(self.store, self.results_dir, self.retention_seconds,
                               forget_after_seconds=self.forget_after_seconds)
            except Exception:  # a failed pass is retried at the next one
                log.exception("result retention: the sweep failed; retrying in %g s",
                              self.interval)
            else:
                if report.jobs or report.files_removed or report.jobs_forgotten:
                    log.info("result retention: %d jobs expired, %d files (%d bytes) removed, "
                             "%d expired jobs forgotten, database %d bytes smaller",
                             len(report.jobs), report.files_removed, report.bytes_removed,
                             report.jobs_forgotten, report.bytes_reclaimed)
            self.passes += 1
            self.stop.wait(self.interval)
