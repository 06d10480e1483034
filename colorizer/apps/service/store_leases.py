"""The worker's side of the job store: items leased, renewed, completed or failed, by the
lease rules written in store.py (an expired lease hands the item out again; `done` only from
`running` under the caller's lease, the result files moved in the same transaction).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from colorizer.apps.service.stage_stats import record_stages
from colorizer.apps.service.store_connection import StoreConnection
from colorizer.apps.service.store_turns import LEASE_ORDER
from colorizer.apps.service.store_webhooks import claim_webhook

_TAKEN_OVER = ("attempt {} was interrupted: its worker stopped renewing its lease (killed, or "
               "stalled); another worker took the item over")


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


class ItemLeases(StoreConnection):
    """The queue as workers take from it: lease, renew, read the upload, complete or fail."""

    max_attempts: int  # leases of one item before it fails as `worker_crashed` (JobStore's)

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
        `result["notes"]`: what the CLI prints for the photo (result_notes.py: the loader's,
        such as a TIFF's page used, then the result's own), kept in the item's stored source
        as an upload's intake notes are, so the view shows them for a URL or IIIF item too
        (no new column: a store of any version reads them).
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
            return bool(done), bool(done) and claim_webhook(db, lease.job_id, owner)

    def fail(self, lease: Lease, owner: str, status: int, reason: str,
             detail: str) -> tuple[bool, bool]:
        """Mark an item failed (bad input, unreachable URL); returns like `complete`."""
        with self._tx() as db:
            failed = db.execute(
                "UPDATE items SET status = 'failed', error_status = ?, error_reason = ?, "
                "error_detail = ?, finished = ?, lease_owner = NULL "
                "WHERE id = ? AND status = 'running' AND lease_owner = ?",
                (status, reason, detail, time.time(), lease.item_id, owner)).rowcount
            return bool(failed), bool(failed) and claim_webhook(db, lease.job_id, owner)
