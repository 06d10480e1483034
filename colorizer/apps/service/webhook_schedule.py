"""A webhook's delivery as stored: its state, the attempts so far and when the next is due.

Columns of `jobs` (store_schema version 3): `webhook_state`, `webhook_detail` (the last
answer, or why it failed), `webhook_attempts` (POSTs so far) and `webhook_next_at` (Unix
seconds; while `retrying`). States:

    pending -> sending -> delivered | failed | retrying -> (due) sending -> ...

`pending`: the job has not ended. `sending`: an attempt is under way or about to start in
the process named by the job's `meta.webhook_sender` (a restart takes over a dead process's:
liveness). `retrying`: the last attempt failed and the next is due at `webhook_next_at`;
no process holds it and no thread waits for it: any process's sender claims it once due
(`claim_due`, one UPDATE, so two processes never both send it). A stop leaves it stored, and
the next start sends it when due. Every transition is one write transaction.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from colorizer.apps.service.store import JobStore
from colorizer.apps.service.webhook_config import WebhookConfig
from colorizer.apps.service.webhooks import Attempt, shown_url

ResendAnswer = Literal["sending", "already_sending", "not_ended", "no_webhook", "not_found"]
_CLAIM = ("UPDATE jobs SET webhook_state = 'sending', meta = json_set(meta, "
          "'$.webhook_sender', ?) WHERE id IN (SELECT id FROM jobs WHERE webhook_state = "
          "'retrying' AND webhook_next_at <= ? ORDER BY webhook_next_at LIMIT ?) RETURNING id")


def record_attempt(store: JobStore, job_id: str, attempt: Attempt,
                   config: WebhookConfig, now: float | None = None) -> str:
    """Store how one attempt ended; returns the state it leaves: `delivered`, `failed` (an
    answer no retry changes, or the last attempt of the schedule) or `retrying`."""
    now = time.time() if now is None else now
    with store.transaction() as db:
        row = db.execute("SELECT webhook_attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:  # forgotten meanwhile (job_forgetting): nothing to record
            return attempt.outcome
        made = row["webhook_attempts"] + 1
        state, detail, due = attempt.outcome, attempt.detail, None
        if state == "retry" and made >= config.attempts:
            state, detail = "failed", f"{detail}; not retried: the last of {made} attempts"
        elif state == "retry":
            state, due = "retrying", now + config.retry_seconds[made - 1]
        db.execute("UPDATE jobs SET webhook_state = ?, webhook_detail = ?, webhook_attempts = ?,"
                   " webhook_next_at = ? WHERE id = ?", (state, detail, made, due, job_id))
    return state


def claim_due(store: JobStore, sender: str, limit: int, now: float | None = None) -> list[str]:
    """The ids of at most `limit` deliveries due by `now`, now `sending` as `sender`'s."""
    if limit < 1:
        return []
    now = time.time() if now is None else now
    with store.transaction() as db:
        return [row[0] for row in db.execute(_CLAIM, (sender, now, limit)).fetchall()]


def claim_resend(store: JobStore, key_id: str, job_id: str, sender: str) -> ResendAnswer:
    """Claim an ended job's webhook to be sent again now, on a fresh schedule (attempts from
    0); `sending` when claimed, else why not."""
    with store.transaction() as db:
        row = db.execute(
            "SELECT webhook_url, webhook_state, status, EXISTS (SELECT 1 FROM items WHERE "
            "job_id = jobs.id AND status IN ('queued', 'running')) AS busy FROM jobs "
            "WHERE id = ? AND key_id = ?", (job_id, key_id)).fetchone()
        if row is None:
            return "not_found"
        if not row["webhook_url"]:
            return "no_webhook"
        if row["busy"] and row["status"] == "active":
            return "not_ended"
        if row["webhook_state"] == "sending":
            return "already_sending"
        db.execute("UPDATE jobs SET webhook_state = 'sending', webhook_attempts = 0, "
                   "webhook_next_at = NULL, webhook_detail = 'sent again on request', "
                   "meta = json_set(meta, '$.webhook_sender', ?) WHERE id = ?",
                   (sender, job_id))
    return "sending"


def waiting(store: JobStore) -> tuple[int, float | None]:
    """(deliveries `retrying`, when the first is due) over the whole data folder."""
    row = store.connection().execute("SELECT COUNT(*), MIN(webhook_next_at) FROM jobs "
                                     "WHERE webhook_state = 'retrying'").fetchone()
    return row[0], row[1]


def webhook_view(job: dict[str, Any]) -> dict[str, Any]:
    """The job view's `webhook`: url, state, detail, attempts and, while `retrying`,
    `next_attempt_at` (Unix seconds)."""
    url, detail = job["webhook_url"], job["webhook_detail"]
    if url and detail:  # an attempt's words name the URL: as the log shows it, not its secrets
        detail = detail.replace(url, shown_url(url))
    view = {"url": url, "state": job["webhook_state"], "detail": detail,
            "attempts": job.get("webhook_attempts") or 0}
    if job["webhook_state"] == "retrying":
        view["next_attempt_at"] = job.get("webhook_next_at")
    return view


def stored_webhook(store: JobStore, job_id: str) -> dict[str, Any] | None:
    """The job's webhook as `webhook_view` shows it, read without its items."""
    row = store.connection().execute(
        "SELECT webhook_url, webhook_state, webhook_detail, webhook_attempts, webhook_next_at "
        "FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return webhook_view(dict(row)) if row is not None and row["webhook_url"] else None
