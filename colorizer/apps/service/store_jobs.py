"""The job store's jobs and their item rows: queue a job, record a synchronous one, read one,
cancel one.

A job and its items (uploads included, as blobs) are written in one transaction; a queued job's
items take their turns in the queue that is fair between keys (`store_turns`).
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from colorizer.apps.service.item_rows import ITEM_COLUMNS, item_dict
from colorizer.apps.service.job_states import job_state
from colorizer.apps.service.key_share import require_key_room
from colorizer.apps.service.original_blobs import write_original
from colorizer.apps.service.stage_stats import record_stages
from colorizer.apps.service.store_connection import StoreConnection
from colorizer.apps.service.store_errors import (
    IdempotencyConflictError,
    JobNotFoundError,
    QueueFullError,
)
from colorizer.apps.service.store_turns import next_turn
from colorizer.apps.service.store_webhooks import claim_webhook


@dataclass(frozen=True)
class NewItem:
    """One item of a job to create."""

    source: dict[str, Any]  # {"kind": "upload"|"url"|"iiif_image", ...} as the worker reads it
    hint: str | None = None
    caption: str | None = None
    upload: bytes | None = None  # the image bytes of an upload


class JobRecords(StoreConnection):
    """The `jobs` table and the rows of their items, as the API side writes and reads them."""

    queue_cap: int  # the items queued or running at most, all keys together (JobStore's)

    def create_job(self, key_id: str, items: list[NewItem], *, fmt: str, kind: str = "batch",
                   idempotency_key: str | None = None, request_hash: str | None = None,
                   webhook_url: str | None = None, webhook_secret: str | None = None,
                   meta: dict[str, Any] | None = None,
                   key_queue_cap: int | None = None) -> tuple[str, bool]:
        """Queue a job; returns (job_id, created). Same idempotency key and request -> same job.
        A key lives as long as its job's results: once they expired (retention, purge) the
        key is released, and its next use queues a fresh job (the old one keeps its record).

        `key_queue_cap`: the items `key_id` may hold queued or running (`key_share`); None =
        only the whole queue's cap.

        Raises IdempotencyConflictError (same key, other request) or QueueFullError (its
        subclass KeyShareFullError for the key's share).
        """
        with self._tx() as db:
            if idempotency_key:
                row = db.execute("SELECT id, request_hash, status FROM jobs WHERE key_id = ? "
                                 "AND idempotency_key = ?", (key_id, idempotency_key)).fetchone()
                if row and row["status"] == "expired":
                    db.execute("UPDATE jobs SET idempotency_key = NULL, meta = json_set(meta, "
                               "'$.released_idempotency_key', ?) WHERE id = ?",
                               (idempotency_key, row["id"]))
                    row = None
                if row and row["request_hash"] == request_hash:
                    return row["id"], False
                if row:
                    raise IdempotencyConflictError(idempotency_key)
            depth = _queue_depth(db)
            if depth + len(items) > self.queue_cap:
                raise QueueFullError(depth, self.queue_cap)
            if key_queue_cap is not None:  # after the whole queue, as intake.require_room
                require_key_room(db, key_id, len(items), key_queue_cap, self.queue_cap)
            job_id = new_job_id()
            now = time.time()
            db.execute(
                "INSERT INTO jobs (id, key_id, created, kind, format, idempotency_key, "
                "request_hash, webhook_url, webhook_secret, webhook_state, meta) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, key_id, now, kind, fmt, idempotency_key, request_hash, webhook_url,
                 webhook_secret, "pending" if webhook_url else None, json.dumps(meta or {})))
            first_turn = next_turn(db, key_id)  # fair between keys (store_turns)
            for idx, item in enumerate(items):
                item_id = f"{job_id}-{idx}"
                db.execute("INSERT INTO items (id, job_id, idx, status, source, hint, caption, "
                           "created, turn) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)",
                           (item_id, job_id, idx, json.dumps(item.source), item.hint,
                            item.caption, now, first_turn + idx))
                if item.upload is not None:  # in pieces: no copy kept bound (original_blobs)
                    write_original(db, item_id, item.upload)
        return job_id, True

    def add_done_job(self, job_id: str, key_id: str, item: NewItem, fmt: str,
                     result: dict[str, Any], publish: Callable[[], None] | None = None) -> None:
        """Record a synchronous colorization as a finished one-item job (so it has a link).
        `publish` moves its staged files into place inside the transaction, as `complete`'s
        does: a job that is not recorded leaves no file that nothing references (`orphans`)."""
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO jobs (id, key_id, created, kind, format) "
                       "VALUES (?, ?, ?, 'sync', ?)", (job_id, key_id, now, fmt))
            db.execute(
                "INSERT INTO items (id, job_id, idx, status, source, hint, caption, created, "
                "finished, result_file, result_sha256, provenance_file, timings, completions) "
                "VALUES (?, ?, 0, 'done', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (f"{job_id}-0", job_id, json.dumps(item.source), item.hint, item.caption, now,
                 now, result["result_file"], result["result_sha256"],
                 result["provenance_file"], json.dumps(result.get("timings", {}))))
            if publish is not None:
                publish()
            record_stages(db, result.get("timings", {}))

    def job(self, key_id: str, job_id: str) -> dict[str, Any] | None:
        """A job with its items, or None when it does not exist *for this key*. An item's
        source comes without its color hints, `hint_count` says how many (`item_rows`)."""
        db = self._db()
        job = db.execute("SELECT * FROM jobs WHERE id = ? AND key_id = ?",
                         (job_id, key_id)).fetchone()
        if job is None:
            return None
        items = db.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE job_id = ? ORDER BY idx",
                           (job_id,))
        data = dict(job)
        data["meta"] = json.loads(data["meta"] or "{}")
        data["items"] = [item_dict(row) for row in items]
        data["state"] = job_state(data["status"], [i["status"] for i in data["items"]])
        return data

    def require_job(self, key_id: str, job_id: str) -> dict[str, Any]:
        """Like `job`, but a job that is not this key's raises JobNotFoundError."""
        job = self.job(key_id, job_id)
        if job is None:
            raise JobNotFoundError(job_id)
        return job

    def cancel(self, key_id: str, job_id: str, sender: str | None = None) -> bool:
        """Cancel a job's unfinished items; JobNotFoundError when the job is not this key's. A
        job with none left keeps its state (a finished job read "canceled" after a DELETE).
        True when it ended the job and claimed its webhook as `sender`'s, who sends it now."""
        with self._tx() as db:
            found = db.execute("UPDATE jobs SET status = iif(status = 'active' AND EXISTS ("
                               "SELECT 1 FROM items WHERE job_id = jobs.id AND status IN "
                               "('queued', 'running')), 'canceled', status) "
                               "WHERE id = ? AND key_id = ?", (job_id, key_id)).rowcount
            if not found:
                raise JobNotFoundError(job_id)
            db.execute("UPDATE items SET status = 'canceled', finished = ? "
                       "WHERE job_id = ? AND status IN ('queued', 'running')",
                       (time.time(), job_id))
            return sender is not None and claim_webhook(db, job_id, sender)

    def queue_depth(self) -> int:
        return _queue_depth(self._db())


def new_job_id() -> str:
    return "job_" + uuid.uuid4().hex


def _queue_depth(db: sqlite3.Connection) -> int:
    """The items queued or running, of jobs still active (not canceled, not expired)."""
    return db.execute("SELECT COUNT(*) FROM items i JOIN jobs j ON j.id = i.job_id "
                      "WHERE i.status IN ('queued', 'running') AND j.status = 'active'"
                      ).fetchone()[0]

