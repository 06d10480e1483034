"""Prometheus text exposition: per-stage latency, queue depth, rejects by reason, requests.

Per-key queue figures (`chronochrome_key_queue_depth{key_id=...}`, one series per key holding
items, and each key's cap) are here, behind the operator's token, and never on /readyz: they
say which department fills the queue.

Stage histograms are kept in the job store, so items finished by separate worker processes
count too; rejects and request counts are this API process's own.
"""

from __future__ import annotations

import threading
from collections import Counter

from colorizer.apps.service.key_share import held_by_key
from colorizer.apps.service.stage_stats import read_stages
from colorizer.apps.service.store import JobStore

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rejects: Counter[str] = Counter()  # reason -> count
        self.requests: Counter[tuple[str, int]] = Counter()  # (method, status) -> count

    def reject(self, reason: str) -> None:
        with self._lock:
            self.rejects[reason] += 1

    def request(self, method: str, status: int) -> None:
        # A method outside HTTP's own would otherwise add a series per made-up verb: a client
        # could grow /metrics without bound.
        method = method if method in KNOWN_METHODS else "OTHER"
        with self._lock:
            self.requests[(method, status)] += 1

    def render(self, store: JobStore, key_queue_cap: int) -> str:
        lines = ["# HELP chronochrome_queue_depth Items queued or running.",
                 "# TYPE chronochrome_queue_depth gauge",
                 f"chronochrome_queue_depth {store.queue_depth()}",
                 "# HELP chronochrome_key_queue_cap Items one API key may hold (its share).",
                 "# TYPE chronochrome_key_queue_cap gauge",
                 f"chronochrome_key_queue_cap {key_queue_cap}",
                 "# HELP chronochrome_key_queue_depth Items queued or running, by API key.",
                 "# TYPE chronochrome_key_queue_depth gauge"]
        lines += [f'chronochrome_key_queue_depth{{key_id="{k}"}} {n}'
                  for k, n in held_by_key(store.connection()).items()]
        lines += ["# HELP chronochrome_rejects_total Requests refused, by reason.",
                  "# TYPE chronochrome_rejects_total counter"]
        with self._lock:
            rejects, requests = dict(self.rejects), dict(self.requests)
        lines += [f'chronochrome_rejects_total{{reason="{r}"}} {n}'
                  for r, n in sorted(rejects.items())]
        lines += ["# HELP chronochrome_http_requests_total HTTP requests, by method and status.",
                  "# TYPE chronochrome_http_requests_total counter"]
        lines += [f'chronochrome_http_requests_total{{method="{m}",status="{s}"}} {n}'
                  for (m, s), n in sorted(requests.items())]
        buckets, sums = read_stages(store.connection())
        lines += ["# HELP chronochrome_stage_seconds Time per processing stage of an item.",
                  "# TYPE chronochrome_stage_seconds histogram"]
        for stage in sorted(buckets):
            # Buckets in the store count observations <= le; sort them numerically.
            for le, count in sorted(buckets[stage].items(), key=lambda kv: float(kv[0])):
                lines.append(f'chronochrome_stage_seconds_bucket{{stage="{stage}",le="{le}"}} '
                             f"{count}")
            total, count = sums.get(stage, (0.0, 0))
            lines.append(f'chronochrome_stage_seconds_sum{{stage="{stage}"}} {total:.6f}')
            lines.append(f'chronochrome_stage_seconds_count{{stage="{stage}"}} {count}')
        return "\n".join(lines) + "\n"
