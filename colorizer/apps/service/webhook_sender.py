"""Webhook deliveries on threads of their own, never in a worker, one attempt at a time.

A worker only hands over the job id; a small pool makes one attempt (`webhooks.attempt`) and
stores how it ended (`webhook_schedule`): a failed one is `retrying` until its next attempt is
due, and a timer thread (`start`) hands due ones to the pool, at most as many as it has free
threads. So no thread sleeps between attempts (the schedule runs for a day), a restart keeps
the schedule, and an attempt takes at most `webhooks.timeout` (10 s): four stalled receivers
held all four threads ~91 s each (the image fetcher's 30 s, three times).

At a stop (`close`) the timer ends, deliveries not yet begun are dropped and those under way
get `grace` seconds; an attempt that ends meanwhile is stored as any other. `close` says
whether any was left `sending`; the caller then keeps its process's lock file, so that the
next start on the data folder sends them (`liveness.reclaim_dead`). The threads are daemons
(`daemon_pool`): the process ends then, not when a stalled attempt times out.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from concurrent.futures import wait as wait_for
from dataclasses import replace
from typing import Any

from colorizer.apps.service.daemon_pool import DaemonPool
from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.webhook_config import WebhookConfig
from colorizer.apps.service.webhook_events import completed_event
from colorizer.apps.service.webhook_schedule import (
    ResendAnswer,
    claim_due,
    claim_resend,
    record_attempt,
    stored_webhook,
    waiting,
)
from colorizer.apps.service.webhooks import attempt, shown_url

log = logging.getLogger("chronochrome.service.webhooks")

DELIVERY_THREADS = 4  # concurrent deliveries: slow receivers of four tenants at once


class WebhookSender:
    """Delivers `job.completed` events for finished jobs, in the background."""

    def __init__(self, store: JobStore, fetcher: SafeFetcher, threads: int = DELIVERY_THREADS,
                 settings: WebhookConfig | None = None) -> None:
        self.store, self.threads = store, threads
        self.settings = settings or WebhookConfig()
        # The image fetcher's address rules, with the shorter timeout of one webhook attempt.
        limits = fetcher.config
        self.fetcher = SafeFetcher(replace(
            limits, total_timeout=min(limits.total_timeout, self.settings.timeout),
            connect_timeout=min(limits.connect_timeout, self.settings.timeout)))
        self.owner = "unstarted/webhooks"  # the sender's name in the store (`start`)
        # Daemon threads: a stop ends after `close`'s grace, not after a stalled attempt.
        self._pool = DaemonPool(threads, "chronochrome-webhook")
        self._lock = threading.Lock()
        self._pending: set[Future[None]] = set()
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        self._left_unsent = 0  # deliveries dropped or interrupted by `close`

    def start(self, owner: str) -> None:
        """Send the stored deliveries as they fall due, claimed as `owner`'s (this process's
        lock names it: liveness); says at once how many wait."""
        self.owner = owner
        count, first = waiting(self.store)
        if count:
            log.info("%d webhook(s) to send again, retrying: the first due at %s", count,
                     time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(first)))
        self._timer = threading.Thread(target=self._send_due, daemon=True,
                                       name="chronochrome-webhook-timer")
        self._timer.start()

    def submit(self, job_id: str) -> None:
        """Make one attempt at the job's webhook (if it has one) soon; returns at once."""
        try:
            future = self._pool.submit(self._send, job_id)
        except RuntimeError:  # stopped (a worker that outlived the stop): the next start sends it
            self._count_unsent()
            return
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def resend(self, key_id: str, job_id: str) -> tuple[ResendAnswer, dict[str, Any] | None]:
        """Send an ended job's event again now (then on a fresh schedule): (`sending`, the
        webhook as claimed) when it was handed over, else (why not, None)."""
        answer = claim_resend(self.store, key_id, job_id, self.owner)
        if answer != "sending":
            return answer, None
        claimed = stored_webhook(self.store, job_id)  # before the attempt can change it
        self.submit(job_id)
        return answer, claimed

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the attempts handed over so far; True when all ended within `timeout`."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = wait_for(pending, timeout=timeout)
        return not not_done

    def close(self, grace: float = 5.0) -> bool:
        """Stop: no more due deliveries taken, those not begun dropped, those under way given
        `grace` seconds. True when none was left `sending`; else the next start sends them
        while this process's lock file is kept. `retrying` ones stay stored, due as before."""
        self._stop.set()
        if self._timer is not None:
            self._timer.join(timeout=grace)
        self._pool.shutdown()
        all_ended = self.wait(timeout=grace)
        with self._lock:
            unsent = self._left_unsent + len(self._pending)
        if unsent or not all_ended:
            log.warning("stopping with %d webhook(s) not sent: the next start on this data "
                        "folder sends them", unsent)
        return not unsent and all_ended

    def _send_due(self) -> None:
        """The timer: every `_tick` seconds, claim due deliveries for the free threads."""
        tick = _tick(self.settings)
        while not self._stop.wait(tick):
            try:
                with self._lock:
                    free = self.threads - len(self._pending)
                for job_id in claim_due(self.store, self.owner, free):
                    self.submit(job_id)
            except Exception:  # a database hiccup: the next tick tries again
                log.exception("webhooks: looking for due deliveries failed")

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
            done = attempt(self.fetcher, url, secret, event)
            state = record_attempt(self.store, job_id, done, self.settings)
            shown = shown_url(url)
            if state == "failed":  # the operator's only sign of it besides the job view
                log.warning("webhook for job %s to %s not delivered: %s", job_id, shown,
                            done.detail.replace(url, shown))
            elif state == "retrying":
                log.info("webhook for job %s to %s: attempt failed (%s), retrying on schedule",
                         job_id, shown, done.detail.replace(url, shown))
        except Exception:  # a delivery thread must survive any one job's failure
            log.exception("webhook for job %s could not be delivered", job_id)

    def _count_unsent(self) -> None:
        with self._lock:
            self._left_unsent += 1


def _tick(settings: WebhookConfig) -> float:
    """How often the timer looks for due deliveries: each second, or twice per shortest wait
    when that is under 2 s (tests use tenths of seconds)."""
    shortest = min(settings.retry_seconds, default=2.0)
    return min(1.0, max(0.05, shortest / 2))

