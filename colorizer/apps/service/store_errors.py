"""What the job store refuses, as its own errors; the HTTP layer (`http_errors`) turns each
into a problem response, so the store knows nothing of HTTP."""

from __future__ import annotations

from colorizer.errors import ChronochromeError


class StoreError(ChronochromeError):
    """The job store refused an operation; `reason` is machine-readable."""

    reason = "store_error"


class JobNotFoundError(StoreError):
    """No such job for this API key (another key's job looks exactly like a missing one)."""

    reason = "job_not_found"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"no job {job_id} for this API key")
        self.job_id = job_id


class IdempotencyConflictError(StoreError):
    """An Idempotency-Key that was used before for another request body."""

    reason = "idempotency_key_reused"

    def __init__(self, idempotency_key: str) -> None:
        super().__init__(f"Idempotency-Key {idempotency_key!r} was used for another request "
                         "body; use a new key for a new request")
        self.idempotency_key = idempotency_key


class QueueFullError(StoreError):
    """Queueing the items would take the queue beyond its cap."""

    reason = "queue_full"

    def __init__(self, queue_depth: int, queue_cap: int) -> None:
        super().__init__(f"the queue holds {queue_depth} items and its cap is {queue_cap}; "
                         "retry after the Retry-After delay")
        self.queue_depth = queue_depth
        self.queue_cap = queue_cap


class StorageError(StoreError):
    """The data folder's disk refused a write: full, over quota, or read-only. Nothing was
    recorded; what was recorded before stays readable."""

    reason = "storage_unavailable"

    def __init__(self, detail: str, full: bool) -> None:
        super().__init__(detail)
        self.full = full  # full (507: make room) or read-only (503: make it writable)
        self.reason = "storage_full" if full else "storage_read_only"


class DataDirError(StoreError):
    """The store cannot open or create its database in the data folder (at start)."""

    reason = "data_dir_unusable"
