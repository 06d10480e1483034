"""Webhook deliveries on threads of their own, never in a worker.

A delivery may take long: a receiver that accepts the connection and never answers costs the
fetcher's whole timeout, three times with retries (about 95 s with the defaults). Run in the
worker, that stalled every tenant's next item behind one tenant's receiver. Here the worker
only hands over the job id; a small pool delivers, so a silent receiver holds one delivery
thread and no colorization waits for it.

At a stop (`close`) retries end at once and deliveries not yet begun are dropped; `close` says
whether any was left unsent, and the caller then keeps its process's lock file, so that the
next start on the data folder sends them (`liveness.reclaim_dead`). The process used to end
(uvicorn re-raises SIGTERM) with those jobs' webhooks `sending` for good and its lock file
removed, so no later start ever sent them.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from urllib.parse import urlsplit

from colorizer.apps.service.access_log import redacted_target
from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.webhook_events import completed_event
from colorizer.apps.service.webhooks import ATTEMPTS, BACKOFF_SECONDS, deliver

log = logging.getLogger("chronochrome.service.webhooks")

DELIVERY_THREADS = 4  # concurrent deliveries: slow receivers of four tenants at once


class WebhookSender:
    """Delivers `job.completed` events for finished jobs, in the background."""

    def __init__(self, store: JobStore, fetcher: SafeFetcher, threads: int = DELIVERY_THREADS,
                 attempts: int = ATTEMPTS, backoff: float = BACKOFF_SECONDS) -> None:
        self.store, self.fetcher = store, fetcher
        self.attempts, self.backoff = attempts, backoff  # see webhooks.deliver
        self._pool = ThreadPoolExecutor(max_workers=threads,
                                        thread_name_prefix="chronochrome-webhook")
        self._lock = threading.Lock()
        self._pending: set[Future[None]] = set()
        self._stop = threading.Event()
        self._left_unsent = 0  # deliveries dropped or interrupted by `close`

    def submit(self, job_id: str) -> None:
        """Deliver the job's webhook (if it has one) soon; returns at once."""
        try:
            future = self._pool.submit(self._send, job_id)
        except RuntimeError:  # stopped (a worker that outlived the stop): the next start sends it
            self._count_unsent()
            return
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the deliveries handed over so far; True when all ended within `timeout`."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = wait_for(pending, timeout=timeout)
        return not not_done

    def close(self, grace: float = 5.0) -> bool:
        """Stop: no more retries, deliveries not begun dropped, those in flight given `grace`
        seconds. True when none was left unsent; else their jobs stay `sending`, for the next
        start to send while this process's lock file is kept."""
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        all_ended = self.wait(timeout=grace)
        with self._lock:
            unsent = self._left_unsent + len(self._pending)
        if unsent or not all_ended:
            log.warning("stopping with %d webhook(s) not sent: the next start on this data "
                        "folder sends them", unsent)
        return not unsent and all_ended

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)
            if future.cancelled():
                self._left_unsent += 1

    def _send(self, job_id: str) -> None:
        try:
            target = self.store.webhook_target(job_id)
            if not target or not target[1]:
                return
            key_id, url, secret = target
            if self._stop.is_set():  # begun as the service stopped: the next start sends it
                self._count_unsent()
                return
            event = completed_event(self.store, key_id, job_id)  # bounded (webhook_events)
            done = deliver(self.fetcher, url, secret, event, self.attempts, self.backoff,
                           self._stop)
            if done.outcome == "interrupted":  # left `sending`: the next start sends it
                self._count_unsent()
                return
            self.store.set_webhook_state(job_id, done.outcome, done.detail)
            if done.outcome == "failed":  # the operator's only sign of it besides the job view
                shown = _shown_url(url)
                log.warning("webhook for job %s to %s not delivered (%d attempt(s)): %s",
                            job_id, shown, done.attempts, done.detail.replace(url, shown))
        except Exception:  # a delivery thread must survive any one job's failure
            log.exception("webhook for job %s could not be delivered", job_id)

    def _count_unsent(self) -> None:
        with self._lock:
            self._left_unsent += 1


def _shown_url(url: str) -> str:
    """The URL for the log: no user:password, credential-like query values redacted."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{host}" + redacted_target(parts.path, parts.query)
