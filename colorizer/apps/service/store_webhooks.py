"""A job's webhook columns in the store: its target, its state, and who sends it."""

from __future__ import annotations

import sqlite3

from colorizer.apps.service.store_connection import StoreConnection


class WebhookColumns(StoreConnection):
    """Read a job's webhook target; record how its delivery went."""

    def webhook_target(self, job_id: str) -> tuple[str, str, str] | None:
        row = self._db().execute("SELECT key_id, webhook_url, webhook_secret FROM jobs "
                                 "WHERE id = ?", (job_id,)).fetchone()
        return (row["key_id"], row["webhook_url"], row["webhook_secret"]) if row else None

    def set_webhook_state(self, job_id: str, state: str, detail: str = "") -> None:
        with self._tx() as db:
            db.execute("UPDATE jobs SET webhook_state = ?, webhook_detail = ? WHERE id = ?",
                       (state, detail, job_id))


def claim_webhook(db: sqlite3.Connection, job_id: str, owner: str) -> bool:
    """True for exactly one caller: the one that finished the job's last item, or canceled the
    job (kept as the sender: a restart sends it if that process dies first, liveness). Run
    inside the transaction that finished or canceled it."""
    left = db.execute("SELECT COUNT(*) FROM items WHERE job_id = ? AND status IN "
                      "('queued', 'running')", (job_id,)).fetchone()[0]
    if left:
        return False
    return db.execute("UPDATE jobs SET webhook_state = 'sending', meta = json_set(meta, "
                      "'$.webhook_sender', ?) WHERE id = ? AND webhook_state = 'pending'",
                      (owner, job_id)).rowcount > 0
