"""Training batches built ahead of time in worker processes.

A training step's batch is drawn from its own generator, seeded by the step number, so the
batch of any future step can be built before that step runs. On a lent GPU building the
crops, pasted flags and exemplars in Python (one photo at a time) is what limits a step,
and the machine has 16 cores: workers build the next steps' batches while the GPU trains.
A worker returns the batch together with its generator's state after drawing it, and the
step goes on from that state (the film gray is drawn next), so a run with workers is the
same run as one without.

Workers are forked: they inherit the photo bank in memory instead of loading it again, and
touch no GPU (they build CPU tensors only). Batches come back through shared memory. Should
the workers fail (a machine with too little shared memory, a worker killed) or stall, the
run goes on building in its own process: a lent GPU's minutes are not lost to a crash.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Self

import torch

log = logging.getLogger("chronochrome.train")

# The builder a forked worker calls: set in the parent just before the fork, inherited.
_BUILDER: Callable[[int], Any] | None = None


def _build_in_worker(step: int) -> Any:
    torch.set_num_threads(1)  # many workers, one core each
    assert _BUILDER is not None, "the builder is set before the workers are forked"
    return _BUILDER(step)


class BatchPrefetcher:
    """`get(step)` returns `build(step)`, built ahead by `workers` forked processes.

    Steps are asked for in order from `first`; up to `depth` are in flight at once.
    """

    def __init__(self, build: Callable[[int], Any], first: int, last: int, workers: int,
                 depth: int | None = None, wait_seconds: float = 300.0):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        global _BUILDER
        _BUILDER = build
        self._build, self._wait = build, wait_seconds
        self.failed: str | None = None  # why the workers were given up, if they were
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        self._depth = depth or 2 * workers
        self._next, self._last, self._expected = first, last, first
        self._pending: deque[Future] = deque()  # steps _expected.._next - 1, in order
        self._fill()

    def _fill(self) -> None:
        while len(self._pending) < self._depth and self._next < self._last:
            self._pending.append(self._pool.submit(_build_in_worker, self._next))
            self._next += 1

    def get(self, step: int) -> Any:
        if step != self._expected:
            raise RuntimeError(f"step {step} asked for out of order (next: {self._expected})")
        self._expected += 1
        if self.failed is None:
            future = self._pending.popleft()
            self._fill()
            try:
                return future.result(timeout=self._wait)
            except Exception as exc:  # noqa: BLE001 - whatever broke them: build here instead
                self.failed = f"{type(exc).__name__}: {exc}"
                log.warning("batch workers failed (%s): building batches in this process "
                            "from step %d", self.failed, step)
                self.close(wait=False)
        return self._build(step)

    def close(self, wait: bool = True) -> None:
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
