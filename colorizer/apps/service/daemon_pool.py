"""A small pool of daemon threads that a stop does not wait for: the webhook deliveries'.

`ThreadPoolExecutor`'s threads are joined when the interpreter exits, whatever `shutdown`
was told: a `serve --worker-only` stopped by SIGTERM while a receiver stalled gave the attempt
its 5 s (`WebhookSender.close`), said so, then lived on until the attempt timed out (25 s
measured with a 25 s `webhooks.timeout`). An attempt abandoned at a stop is safe to cut off:
its webhook stays `sending` in the store and the next start on the data folder sends it
(`liveness.reclaim_dead`), so these threads are daemons and the process ends on time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

_Task = tuple[Future, Callable[..., Any], tuple[Any, ...]]


class DaemonPool:
    """Runs calls on at most `threads` daemon threads, started as work comes."""

    def __init__(self, threads: int, name: str) -> None:
        self.threads, self.name = threads, name
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = 0
        self._idle = 0
        self._closed = False

    def submit(self, call: Callable[..., Any], *args: Any) -> Future:
        """Run `call(*args)` on a pool thread; RuntimeError once the pool is shut down."""
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            self._tasks.put((future, call, args))
            if self._idle > 0:  # an idle thread takes it
                self._idle -= 1
            elif self._started < self.threads:
                self._started += 1
                threading.Thread(target=self._run, daemon=True,
                                 name=f"{self.name}_{self._started - 1}").start()
        return future

    def shutdown(self) -> None:
        """Take no more calls, cancel those not begun; calls under way go on (not waited for)."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if task is not None:
                    task[0].cancel()
            for _ in range(self._started):
                self._tasks.put(None)  # each thread ends at its next look at the queue

    def _run(self) -> None:
        while (task := self._tasks.get()) is not None:
            future, call, args = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call(*args))
                except BaseException as exc:  # noqa: BLE001 - handed to the future's owner
                    future.set_exception(exc)
            with self._lock:
                self._idle += 1
