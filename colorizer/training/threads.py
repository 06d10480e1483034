"""How many CPU threads a training step runs on: measured, since on a shared 2-core machine
one thread can beat two by far (torch's threads spin for a core another process holds)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import torch

log = logging.getLogger("chronochrome.train")


def pick_threads(step_fn: Callable[[], None], candidates: list[int]) -> int:
    """Time two steps per thread count; on a shared 2-core box 1 thread can win by far."""
    timings = {}
    for n in candidates:
        torch.set_num_threads(n)
        step_fn()  # warm-up
        start = time.perf_counter()
        step_fn()
        timings[n] = time.perf_counter() - start
    best = min(timings, key=timings.get)
    log.info("thread timings %s -> using %d", {k: round(v, 3) for k, v in timings.items()}, best)
    return best
