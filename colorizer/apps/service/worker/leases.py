"""Keeping a lease while an item is processed: renewed every third of `lease_seconds`."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from colorizer.apps.service.store import JobStore, Lease

log = logging.getLogger("chronochrome.service.worker")


@contextmanager
def keep_lease(store: JobStore, lease: Lease, owner: str,
               lease_seconds: float) -> Iterator[threading.Event]:
    """Renew `owner`'s lease every third of `lease_seconds` while the block runs.

    Yields an event that is set when the lease was lost: the job was canceled, or this worker
    stalled past the expiry and another took the item over.
    """
    lost, stop = threading.Event(), threading.Event()

    def renew() -> None:
        while not stop.wait(lease_seconds / 3):
            try:
                if not store.renew(lease, owner, lease_seconds):
                    lost.set()
                    return
            except sqlite3.Error as exc:  # the store is busy or gone: try again next beat
                log.warning("renewing the lease of %s failed: %s", lease.item_id, exc)

    thread = threading.Thread(target=renew, daemon=True, name=f"lease-{lease.item_id}")
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join()
