"""Webhook deliveries on threads of their own, never in a worker.

A delivery may take long: a receiver that accepts the connection and never answers costs the
fetcher's whole timeout, three times with retries (about 95 s with the defaults). Run in the
worker, that stalled every tenant's next item behind one tenant's receiver. Here the worker
only hands over the job id; a small pool delivers, so a silent receiver holds one delivery
thread and no colorization waits for it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for

from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.webhook_events import completed_event
from colorizer.apps.service.webhooks import deliver

log = logging.getLogger("chronochrome.service.webhooks")

DELIVERY_THREADS = 4  # concurrent deliveries: slow receivers of four tenants at once


class WebhookSender:
    """Delivers `job.completed` events for finished jobs, in the background."""

    def __init__(self, store: JobStore, fetcher: SafeFetcher,
                 threads: int = DELIVERY_THREADS) -> None:
        self.store, self.fetcher = store, fetcher
        self._pool = ThreadPoolExecutor(max_workers=threads,
                                        thread_name_prefix="chronochrome-webhook")
        self._lock = threading.Lock()
        self._pending: set[Future[None]] = set()

    def submit(self, job_id: str) -> None:
        """Deliver the job's webhook (if it has one) soon; returns at once."""
        future = self._pool.submit(self._send, job_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the deliveries handed over so far; True when all ended within `timeout`."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = wait_for(pending, timeout=timeout)
        return not not_done

    def close(self) -> None:
        """Stop taking deliveries; those under way end on their own (bounded by timeouts)."""
        self._pool.shutdown(wait=False, cancel_futures=False)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _send(self, job_id: str) -> None:
        try:
            target = self.store.webhook_target(job_id)
            if not target or not target[1]:
                return
            key_id, url, secret = target
            event = completed_event(self.store, key_id, job_id)  # bounded (webhook_events)
            ok, detail = deliver(self.fetcher, url, secret, event)
            self.store.set_webhook_state(job_id, "delivered" if ok else "failed", detail)
        except Exception:  # a delivery thread must survive any one job's failure
            log.exception("webhook for job %s could not be delivered", job_id)
