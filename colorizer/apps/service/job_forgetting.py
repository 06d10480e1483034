"""Forgetting expired jobs: their rows go some time after their results did.

Result retention (`retention`) deletes a finished job's files, originals and color hints but
keeps its row and its items' rows, so that the job still answers `"state": "expired"` and its
files 410 saying when and why. Kept forever, those rows grew `jobs.sqlite3` by 2.7 MB per
1,000 jobs of 5 items, every one of them expired (10.7 MB after 4,000, measured 2026-12-06;
forgotten after the grace, 3.1 MB throughout), without bound over an archive's years of
batches.

So an expired job is *forgotten* `ServiceConfig.expired_job_retention_seconds` (default 30
days) after it expired: its row, its items' rows and any upload left are deleted in one short
transaction per batch, and from then on the job answers 404 `job_not_found`, as a job that
never existed (keeping a marker per job would grow again). Its `Idempotency-Key`, released at
expiry, goes with it. A job whose items still name result files (retention's step 2 did not
finish: a crash) is left until a later sweep has removed them, so no file loses its record;
so is one whose webhook is still `sending` or `retrying` (a grace shorter than the retry
schedule's 27.6 h): forgotten, its event would never go out.
The space is given back by the sweep's `reclaim_space`.
"""

from __future__ import annotations

from colorizer.apps.service.store import JobStore

# Expired jobs by when they expired, so a sweep finds the old ones without reading every job.
_EXPIRED_AT = "json_extract(meta, '$.expired.at')"
_INDEX = (f"CREATE INDEX IF NOT EXISTS jobs_expired_at ON jobs ({_EXPIRED_AT}) "
          "WHERE status = 'expired'")
_FORGETTABLE = (f"SELECT id FROM jobs WHERE status = 'expired' AND {_EXPIRED_AT} < ? AND NOT "
                "EXISTS (SELECT 1 FROM items i WHERE i.job_id = jobs.id AND (i.result_file IS "
                "NOT NULL OR i.provenance_file IS NOT NULL)) AND coalesce(webhook_state, '') "
                "NOT IN ('sending', 'retrying') LIMIT ?")


def forgettable_jobs(store: JobStore, cutoff: float, limit: int = -1) -> list[str]:
    """Ids of the jobs that expired before `cutoff` (Unix time) and name no file any more."""
    db = store.connection()
    db.execute(_INDEX)  # IF NOT EXISTS: free after the first pass
    return [row["id"] for row in db.execute(_FORGETTABLE, (cutoff, limit))]


def forget_expired_jobs(store: JobStore, cutoff: float, batch: int = 500) -> int:
    """Delete the jobs that expired before `cutoff`, their items and uploads, a batch per
    transaction (a worker completing an item waits for one batch at most); returns how many."""
    forgotten = 0
    while True:
        with store.transaction() as db:
            db.execute(_INDEX)
            ids = [row["id"] for row in db.execute(_FORGETTABLE, (cutoff, batch))]
            if not ids:
                return forgotten
            marks = ", ".join("?" * len(ids))
            db.execute(f"DELETE FROM uploads WHERE item_id IN (SELECT id FROM items WHERE "
                       f"job_id IN ({marks}))", ids)
            db.execute(f"DELETE FROM items WHERE job_id IN ({marks})", ids)
            db.execute(f"DELETE FROM jobs WHERE id IN ({marks}) AND status = 'expired'", ids)
            forgotten += len(ids)
