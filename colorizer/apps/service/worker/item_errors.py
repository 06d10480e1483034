"""The log line of an unexpected error while a worker held an item: which job, which item,
whose key, what went wrong, and what becomes of the item; the traceback attached once.

The worker logged "worker 1234-0: processing failed; the item will be retried" and a traceback,
so an operator could not tell which job (or which archive's) had met it, nor match it with the
job's own line (`job_log`) or the archive's report. The line carries `job_id` and `key_id` as
the job's line does (fields of `--log-format json`), and `item_index`.
"""

from __future__ import annotations

import logging
import sqlite3

from colorizer.apps.service.store import JobStore, Lease

log = logging.getLogger("chronochrome.service.worker")


def log_unexpected(store: JobStore, owner: str, lease: Lease | None, exc: BaseException,
                   max_attempts: int) -> None:
    """Log `exc`, raised while `owner` held `lease` (None: before it held an item)."""
    error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if lease is None:
        log.error("worker %s: unexpected error while looking for an item: %s", owner, error,
                  exc_info=exc)
        return
    key_id = _key_of(store, lease.job_id)
    if lease.attempts < max_attempts:
        then = (f"it will be retried when its lease expires (attempt {lease.attempts} of "
                f"{max_attempts})")
    else:
        then = (f"that was its last attempt ({lease.attempts} of {max_attempts}): it will be "
                "failed as worker_crashed")
    log.error("worker %s: job %s item %d (key %s) failed unexpectedly: %s; %s", owner,
              lease.job_id, lease.idx, key_id or "?", error, then, exc_info=exc,
              extra={"job_id": lease.job_id, "item_index": lease.idx, "key_id": key_id})


def _key_of(store: JobStore, job_id: str) -> str | None:
    """The API key of the job, or None when the database cannot say (the line still goes)."""
    try:
        row = store.connection().execute("SELECT key_id FROM jobs WHERE id = ?",
                                         (job_id,)).fetchone()
    except sqlite3.Error:
        return None
    return row["key_id"] if row else None
