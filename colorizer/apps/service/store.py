"""The durable job store: SQLite in WAL mode, shared by the API and any number of workers.

Rules that keep every accepted job and lose no result:
- a job and its items (uploads included, as blobs) are written in one transaction;
- a worker *leases* an item (owner + expiry) and renews the lease while it works on it, so a
  long item is never handed to a second worker; an item whose lease expired (its worker was
  killed or stalled) is handed out again, so a killed worker's items are picked up later;
- an item becomes `done` only from `running` under the caller's lease, in one statement, so
  re-processing after a crash can never complete an item twice (`completions` counts it); the
  result files are moved into place inside that same transaction, so a worker that lost its
  lease can never overwrite a result that was recorded;
- API keys are stored as SHA-256 hashes of random 256-bit secrets, never in clear.

What it refuses it raises as `store_errors.StoreError`s, a full or read-only disk included
(`store_storage`); it knows nothing of HTTP.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from colorizer.apps.service.item_rows import ITEM_COLUMNS, item_dict
from colorizer.apps.service.key_share import require_key_room
from colorizer.apps.service.original_blobs import write_original
from colorizer.apps.service.stage_stats import record_stages
from colorizer.apps.service.store_errors import (
    IdempotencyConflictError,
    JobNotFoundError,
    QueueFullError,
)
from colorizer.apps.service.store_schema import open_schema, refuse_newer
from colorizer.apps.service.store_storage import data_dir_error, write_transaction
from colorizer.apps.service.store_turns import LEASE_ORDER, next_turn

ACTIVE = ("queued", "running")
_TAKEN_OVER = ("attempt {} was interrupted: its worker stopped renewing its lease (killed, or "
               "stalled); another worker took the item over")


@dataclass(frozen=True)
class NewItem:
    """One item of a job to create."""

    source: dict[str, Any]  # {"kind": "upload"|"url"|"iiif_image", ...} as the worker reads it
    hint: str | None = None
    caption: str | None = None
    upload: bytes | None = None  # the image bytes of an upload


@dataclass(frozen=True)
class Lease:
    """An item handed to a worker."""

    item_id: str
    job_id: str
    idx: int
    source: dict[str, Any]
    hint: str | None
    caption: str | None
    format: str
    attempts: int


class JobStore:
    """All state of the service. Safe to share between threads and processes."""

    def __init__(self, path: Path, queue_cap: int = 1000, max_attempts: int = 3) -> None:
        self.path = Path(path)
        self.queue_cap = queue_cap
        self.max_attempts = max_attempts
        self._local = threading.local()
        try:  # a folder it cannot write is one line (store_storage), before any request
            self.path.parent.mkdir(parents=True, exist_ok=True)
            refuse_newer(self.path)  # before the connection's set-up writes its header
            open_schema(self._db(), self.path)  # a newer version's database is refused
            # The database holds API key hashes and webhook secrets (needed to sign
            # deliveries): readable by the service's own user only, whatever the umask.
            for file in (self.path, self.path.with_name(self.path.name + "-wal"),
                         self.path.with_name(self.path.name + "-shm")):
                if file.exists():
                    file.chmod(0o600)
        except (OSError, sqlite3.Error) as exc:
            raise data_dir_error(exc, self.path) or exc from exc

    # -- connections -------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                 check_same_thread=False)
            db.row_factory = sqlite3.Row
            # Before WAL, which writes the header: a new database frees the pages of deleted
            # uploads incrementally (retention.reclaim_space); an old one converts at a VACUUM.
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a committed job survives a power cut
            # Freed pages are not zeroed through the WAL (the bundled SQLite's default): that
            # wrote 101 MB of WAL to expire 500 jobs of 200 KB uploads, which a full disk cannot
            # hold (storage_reserve); retention cuts the freed pages off the file at once.
            db.execute("PRAGMA secure_delete=FAST")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before reading so check-then-write is atomic; a
        full or read-only disk raises `StorageError` (`store_storage`)."""
        with write_transaction(self._db(), self.path.parent) as db:
            yield db

    # `retention` and `item_rows` run their statements under the same connection and rules.
    connection, transaction = _db, _tx

    # -- API keys ----------------------------------------------------------------------------
    def create_key(self, name: str) -> tuple[str, str]:
        """A new key: returns (key_id, secret). The secret is shown once; only its hash stays."""
        key_id = "k" + secrets.token_hex(6)
        secret = f"cc_{key_id}_{secrets.token_urlsafe(32)}"
        with self._tx() as db:
            db.execute("INSERT INTO keys (id, name, hash, created) VALUES (?, ?, ?, ?)",
                       (key_id, name, _hash(secret), time.time()))
        return key_id, secret

    def key_for(self, secret: str) -> str | None:
        """The key id of a presented secret, or None (unknown or revoked)."""
        row = self._db().execute("SELECT id FROM keys WHERE hash = ? AND revoked = 0",
                                 (_hash(secret),)).fetchone()
        return row["id"] if row else None

    def key_active(self, key_id: str) -> bool:
        """True while `key_id` exists and is not revoked (a signed link of it opens a file)."""
        return self._db().execute("SELECT 1 FROM keys WHERE id = ? AND revoked = 0",
                                  (key_id,)).fetchone() is not None

    def list_keys(self) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT id, name, created, revoked FROM keys ORDER BY created")
        return [dict(r) for r in rows]

    def revoke_key(self, key_id: str) -> bool:
        with self._tx() as db:
            return db.execute("UPDATE keys SET revoked = 1 WHERE id = ?", (key_id,)).rowcount > 0

    # -- jobs --------------------------------------------------------------------------------
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
            return sender is not None and _claim_webhook(db, job_id, sender)

    def queue_depth(self) -> int:
        return _queue_depth(self._db())

    # -- the worker's side -------------------------------------------------------------------
    def lease(self, owner: str, lease_seconds: float) -> Lease | None:
        """Hand the waiting item (or one whose lease expired) of the lowest turn to `owner`:
        fair between keys, in order within one (`store_turns`)."""
        while True:
            now = time.time()
            with self._tx() as db:
                row = db.execute(
                    "SELECT i.*, j.format FROM items i JOIN jobs j ON j.id = i.job_id "
                    "WHERE (i.status = 'queued' OR (i.status = 'running' AND i.lease_expires < ?)) "
                    f"AND j.status = 'active' ORDER BY {LEASE_ORDER} LIMIT 1", (now,)).fetchone()
                if row is None:
                    return None
                if row["attempts"] >= self.max_attempts:  # it took down workers: stop retrying
                    db.execute("UPDATE items SET status = 'failed', error_status = 500, "
                               "error_reason = 'worker_crashed', error_detail = ?, finished = ? "
                               "WHERE id = ?", ((f"a worker stopped while processing this item "
                                                f"{row['attempts']} times; it was not retried"),
                                                now, row["id"]))
                    continue
                # A takeover (its lease expired) shows as liveness.INTERRUPTED in the view.
                db.execute("UPDATE items SET status = 'running', lease_owner = ?, "
                           "lease_expires = ?, attempts = attempts + 1, error_reason = "
                           "iif(status = 'running', 'interrupted', error_reason), error_detail "
                           "= iif(status = 'running', ?, error_detail) WHERE id = ?",
                           (owner, now + lease_seconds, _TAKEN_OVER.format(row["attempts"]),
                            row["id"]))
            return Lease(row["id"], row["job_id"], row["idx"], json.loads(row["source"]),
                         row["hint"], row["caption"], row["format"], row["attempts"] + 1)

    def renew(self, lease: Lease, owner: str, lease_seconds: float) -> bool:
        """Extend `owner`'s lease by `lease_seconds` from now; False when the lease is lost
        (the item was canceled or finished, or handed to another worker after it expired)."""
        with self._tx() as db:
            return db.execute("UPDATE items SET lease_expires = ? WHERE id = ? AND "
                              "status = 'running' AND lease_owner = ?",
                              (time.time() + lease_seconds, lease.item_id, owner)).rowcount > 0

    def upload(self, item_id: str) -> bytes:
        row = self._db().execute("SELECT data FROM uploads WHERE item_id = ?",
                                 (item_id,)).fetchone()
        if row is None:
            raise KeyError(f"no upload stored for item {item_id}")
        return bytes(row["data"])

    def complete(self, lease: Lease, owner: str, result: dict[str, Any],
                 publish: Callable[[], None] | None = None) -> tuple[bool, bool]:
        """Mark an item done under `owner`'s lease; returns (completed, job_just_finished).

        `publish` (moving the staged result files into place) runs inside the transaction,
        only for the worker that completes the item: if it raises, nothing is recorded.
        `result["notes"]`: what the loader did that the output shows (a TIFF's page used),
        kept in the item's stored source as an upload's intake notes are, so the view shows
        them for a URL or IIIF item too (no new column: a store of any version reads them).
        """
        notes = json.dumps(result["notes"]) if result.get("notes") else None
        with self._tx() as db:
            done = db.execute(
                "UPDATE items SET status = 'done', result_file = ?, result_sha256 = ?, "
                "provenance_file = ?, timings = ?, finished = ?, completions = completions + 1, "
                "lease_owner = NULL, source = iif(? IS NULL, source, json_set(source, "
                "'$.notes', json(?))) WHERE id = ? AND status = 'running' AND lease_owner = ?",
                (result["result_file"], result["result_sha256"], result["provenance_file"],
                 json.dumps(result.get("timings", {})), time.time(), notes, notes,
                 lease.item_id, owner)
            ).rowcount
            if done:
                if publish is not None:
                    publish()
                record_stages(db, result.get("timings", {}))
            return bool(done), bool(done) and _claim_webhook(db, lease.job_id, owner)

    def fail(self, lease: Lease, owner: str, status: int, reason: str,
             detail: str) -> tuple[bool, bool]:
        """Mark an item failed (bad input, unreachable URL); returns like `complete`."""
        with self._tx() as db:
            failed = db.execute(
                "UPDATE items SET status = 'failed', error_status = ?, error_reason = ?, "
                "error_detail = ?, finished = ?, lease_owner = NULL "
                "WHERE id = ? AND status = 'running' AND lease_owner = ?",
                (status, reason, detail, time.time(), lease.item_id, owner)).rowcount
            return bool(failed), bool(failed) and _claim_webhook(db, lease.job_id, owner)

    def webhook_target(self, job_id: str) -> tuple[str, str, str] | None:
        row = self._db().execute("SELECT key_id, webhook_url, webhook_secret FROM jobs "
                                 "WHERE id = ?", (job_id,)).fetchone()
        return (row["key_id"], row["webhook_url"], row["webhook_secret"]) if row else None

    def set_webhook_state(self, job_id: str, state: str, detail: str = "") -> None:
        with self._tx() as db:
            db.execute("UPDATE jobs SET webhook_state = ?, webhook_detail = ? WHERE id = ?",
                       (state, detail, job_id))


def new_job_id() -> str:
    return "job_" + uuid.uuid4().hex


def job_state(job_status: str, item_states: list[str]) -> str:
    """queued | running | succeeded | completed_with_errors | failed | canceled | expired."""
    if job_status in ("canceled", "expired"):  # expired: results deleted (retention.py)
        return job_status
    if any(s in ACTIVE for s in item_states):
        return "running" if any(s != "queued" for s in item_states) else "queued"
    if all(s == "done" for s in item_states):
        return "succeeded"
    return "failed" if not any(s == "done" for s in item_states) else "completed_with_errors"


def _hash(secret: str) -> str:
    # The secrets are 256-bit random tokens, so a fast hash is enough (no password stretching).
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _queue_depth(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COUNT(*) FROM items i JOIN jobs j ON j.id = i.job_id "
                      "WHERE i.status IN ('queued', 'running') AND j.status = 'active'"
                      ).fetchone()[0]


def _claim_webhook(db: sqlite3.Connection, job_id: str, owner: str) -> bool:
    """True for exactly one caller: the one that finished the job's last item, or canceled the
    job (kept as the sender: a restart sends it if that process dies first, liveness)."""
    left = db.execute("SELECT COUNT(*) FROM items WHERE job_id = ? AND status IN "
                      "('queued', 'running')", (job_id,)).fetchone()[0]
    if left:
        return False
    return db.execute("UPDATE jobs SET webhook_state = 'sending', meta = json_set(meta, "
                      "'$.webhook_sender', ?) WHERE id = ? AND webhook_state = 'pending'",
                      (owner, job_id)).rowcount > 0

