"""One log line per job when its last item ends, for the operator: how many items, how many
failed and why, how long it took.

The workers logged nothing of the items they finished or failed, so the log said that a job was
submitted (the access line) and never what became of it; a line per item would have been
10,000 lines for a 10,000-item job. Only the worker that ended the job's last item logs it:
its item is the one that finished last, so two workers ending the last two items at once do
not both log the job.
"""

from __future__ import annotations

import logging

from colorizer.apps.service.store import JobStore, Lease

log = logging.getLogger("chronochrome.service.jobs")

_COUNTS = ("SELECT status, error_reason, COUNT(*) AS n, MAX(finished) AS last FROM items "
           "WHERE job_id = ? GROUP BY status, error_reason")


def log_job_end(store: JobStore, lease: Lease) -> None:
    """Log the job of `lease` if the item of `lease` was its last to end."""
    db = store.connection()
    rows = db.execute(_COUNTS, (lease.job_id,)).fetchall()
    if any(r["status"] in ("queued", "running") for r in rows):
        return
    mine = db.execute("SELECT finished FROM items WHERE id = ?", (lease.item_id,)).fetchone()
    last = max((r["last"] or 0.0) for r in rows)
    if mine is None or mine["finished"] is None or mine["finished"] < last:
        return
    job = db.execute("SELECT key_id, created FROM jobs WHERE id = ?", (lease.job_id,)).fetchone()
    counts: dict[str, int] = {}
    failures: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + r["n"]
        if r["status"] == "failed":
            failures[r["error_reason"] or "unknown"] = r["n"]
    states = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))
    why = ", ".join(f"{reason} {n}" for reason, n in sorted(failures.items()))
    total = sum(counts.values())
    log.info("job %s (key %s) ended: %d item%s, %s%s, %.1f s after it was submitted",
             lease.job_id, job["key_id"] if job else "?", total, "" if total == 1 else "s", states,
             f" (failed: {why})" if why else "", last - job["created"] if job else 0.0,
             extra={"job_id": lease.job_id, "key_id": job["key_id"] if job else None})
