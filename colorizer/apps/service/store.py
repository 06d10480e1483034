"""The durable job store: SQLite in WAL mode, shared by the API and any number of workers.

Rules that keep every accepted job and lose no result:
- a job and its items (uploads included, as blobs) are written in one transaction
  (`store_jobs`);
- a worker *leases* an item (owner + expiry) and renews the lease while it works on it, so a
  long item is never handed to a second worker; an item whose lease expired (its worker was
  killed or stalled) is handed out again, so a killed worker's items are picked up later;
- an item becomes `done` only from `running` under the caller's lease, in one statement, so
  re-processing after a crash can never complete an item twice (`completions` counts it); the
  result files are moved into place inside that same transaction, so a worker that lost its
  lease can never overwrite a result that was recorded (`store_leases`);
- API keys are stored as SHA-256 hashes of random 256-bit secrets, never in clear
  (`store_keys`).

`JobStore` is these parts on one connection per thread (`store_connection`), with the job's
webhook columns (`store_webhooks`); a job's state comes from `job_states`. What it refuses it
raises as `store_errors.StoreError`s, a full or read-only disk included (`store_storage`); it
knows nothing of HTTP. The names the other modules import from here stay importable here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from colorizer.apps.service.job_states import ACTIVE, job_state
from colorizer.apps.service.store_jobs import JobRecords, NewItem, new_job_id
from colorizer.apps.service.store_keys import ApiKeys
from colorizer.apps.service.store_leases import ItemLeases, Lease
from colorizer.apps.service.store_schema import open_schema, refuse_newer
from colorizer.apps.service.store_storage import data_dir_error
from colorizer.apps.service.store_webhooks import WebhookColumns

__all__ = ["ACTIVE", "JobStore", "Lease", "NewItem", "job_state", "new_job_id"]


class JobStore(ApiKeys, JobRecords, ItemLeases, WebhookColumns):
    """All state of the service. Safe to share between threads and processes."""

    def __init__(self, path: Path, queue_cap: int = 1000, max_attempts: int = 3) -> None:
        super().__init__(path)
        self.queue_cap = queue_cap
        self.max_attempts = max_attempts
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
