"""The figures of eval.bench_long_batch: RSS sampling of a process tree while it works through
a batch, the level at a point of the batch, the growth per 100 photos, and the exit rule.

Kept apart from the runs (subprocesses, a server) so that the rule is tested on tiny inputs.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The bound, stated before any run: after the warm-up (the first 10% of the photos) the RSS
# may grow by at most this much per 100 photos. A cache that keeps one 512-px photo's arrays
# per photo (~1 MB each) breaks it; allocator noise between samples does not, as levels are
# medians over a window of the batch.
GROWTH_LIMIT_MB_PER_100 = 20.0
WARM_UP = 0.10  # the fraction of the photos before growth is counted
WINDOW = 0.025  # a level is the median of the samples within this fraction of the batch


@dataclass(frozen=True)
class Sample:
    """One reading: seconds since the start, photos done, RSS of the process tree in MB."""

    seconds: float
    done: int
    rss_mb: float


@dataclass(frozen=True)
class Growth:
    """RSS at 10%, 50%, 100% of the photos, the peak, and the growth after the warm-up."""

    photos: int
    rss_10_mb: float
    rss_50_mb: float
    rss_100_mb: float
    peak_mb: float
    per_100_mb: float  # the slope of RSS against photos done after the warm-up, x 100


@dataclass
class RunResult:
    """One run (the CLI batch, or the service's jobs): its samples and how it ended."""

    name: str
    photos: int
    samples: list[Sample] = field(default_factory=list)
    peak_mb: float = 0.0  # VmHWM where it could be read, else the largest sample
    seconds: float = 0.0
    failed: int = 0  # photos not colorized
    problem: str = ""  # why the run itself failed (exit code, a service that did not start)


def level_at(samples: list[Sample], target: int, window: int) -> float:
    """The RSS when `target` photos were done: the median of the samples within `window`
    photos of it (the end's window is the samples from target - window on), else the sample
    nearest to it. Raises ValueError without samples."""
    if not samples:
        raise ValueError("no RSS samples: the run ended before the first reading")
    near = [s.rss_mb for s in samples if abs(s.done - target) <= window]
    if near:
        return statistics.median(near)
    return min(samples, key=lambda s: (abs(s.done - target), s.seconds)).rss_mb


def growth_of(samples: list[Sample], photos: int, peak_mb: float = 0.0) -> Growth:
    """The Growth of a run of `photos` photos from its samples. The growth is the least-squares
    slope of RSS against photos done over the readings from the warm-up point on: every
    reading counts, so neither one noisy reading nor the one-sided window at the end (a
    growing process reads lower there) moves it much."""
    window = max(1, round(photos * WINDOW))
    start = max(1, round(photos * WARM_UP))
    levels = [level_at(samples, target, window) for target in (start, photos // 2, photos)]
    after = [s for s in samples if s.done >= start]
    if len({s.done for s in after}) >= 2:
        fit = statistics.linear_regression([s.done for s in after], [s.rss_mb for s in after])
        per_100 = fit.slope * 100.0
    else:  # too few readings after the warm-up for a slope: the two levels
        span = photos - start
        per_100 = (levels[2] - levels[0]) * 100.0 / span if span > 0 else 0.0
    peak = max([peak_mb] + [s.rss_mb for s in samples])
    return Growth(photos, *levels, peak, per_100)


def verdict(runs: list[RunResult], limit_mb: float = GROWTH_LIMIT_MB_PER_100
            ) -> tuple[bool, list[str]]:
    """(passed, what broke the rule): each run must have ended well, colorized every photo,
    and grown by at most `limit_mb` per 100 photos after the warm-up."""
    broken = []
    for run in runs:
        if run.problem:
            broken.append(f"{run.name}: {run.problem}")
            continue
        if run.failed:
            broken.append(f"{run.name}: {run.failed} of {run.photos} photos not colorized")
        try:
            growth = growth_of(run.samples, run.photos, run.peak_mb)
        except ValueError as exc:
            broken.append(f"{run.name}: {exc}")
            continue
        if growth.per_100_mb > limit_mb:
            broken.append(f"{run.name}: RSS grew {growth.per_100_mb:.1f} MB per 100 photos "
                          f"after the warm-up (bound {limit_mb:g} MB)")
    return not broken, broken


def tree_rss_mb(pid: int) -> float:
    """VmRSS of `pid` and its descendants in MB (0 for a process gone)."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total_kb += _status_kb(current, "VmRSS:")
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending += [int(child) for child in task.read_text().split()]
            except OSError:
                continue  # the thread ended between the listing and the read
    return total_kb / 1024


def peak_rss_mb(pid: int) -> float:
    """VmHWM (the peak RSS) of `pid` in MB, 0 once it is gone."""
    return _status_kb(pid, "VmHWM:") / 1024


def _status_kb(pid: int, key: str) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0  # gone (or a zombie whose status has no memory lines)
    line = next((x for x in status.splitlines() if x.startswith(key)), None)
    return int(line.split()[1]) if line else 0


class Sampler:
    """Reads the RSS of a process tree and the photos done every `interval` s, on a thread."""

    def __init__(self, pid: int, done: Callable[[], int], interval: float) -> None:
        self.pid, self.done, self.interval = pid, done, interval
        self.samples: list[Sample] = []
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()

    def read(self) -> Sample | None:
        """One reading now (kept), or None once the process is gone."""
        rss = tree_rss_mb(self.pid)
        if rss <= 0:
            return None
        self.peak_mb = max(self.peak_mb, peak_rss_mb(self.pid))
        sample = Sample(round(time.monotonic() - self._start, 2), self.done(), round(rss, 1))
        self.samples.append(sample)
        return sample

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.read()

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join()
        return self.samples
