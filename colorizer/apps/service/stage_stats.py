"""Per-stage latency histograms, kept in the job store's tables (`stage_stats`, `stage_sums`)
so that every process's items count; written inside the transaction that records an item, read
for /metrics (`read_stages`, on the store's connection)."""

from __future__ import annotations

import sqlite3

# Upper bounds (seconds) of the histogram buckets /metrics shows per pipeline stage.
STAGE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def record_stages(db: sqlite3.Connection, timings: dict[str, float]) -> None:
    for stage, seconds in timings.items():
        for le in [*STAGE_BUCKETS, float("inf")]:
            if seconds <= le:
                db.execute("INSERT INTO stage_stats (stage, le, count) VALUES (?, ?, 1) "
                           "ON CONFLICT (stage, le) DO UPDATE SET count = count + 1",
                           (stage, _le(le)))
        db.execute("INSERT INTO stage_sums (stage, total, count) VALUES (?, ?, 1) "
                   "ON CONFLICT (stage) DO UPDATE SET total = total + ?, count = count + 1",
                   (stage, seconds, seconds))


def read_stages(db: sqlite3.Connection
                ) -> tuple[dict[str, dict[str, int]], dict[str, tuple[float, int]]]:
    """Cumulative histogram buckets and (sum, count) per pipeline stage, all processes."""
    buckets: dict[str, dict[str, int]] = {}
    for row in db.execute("SELECT stage, le, count FROM stage_stats"):
        buckets.setdefault(row["stage"], {})[row["le"]] = row["count"]
    sums = {r["stage"]: (r["total"], r["count"])
            for r in db.execute("SELECT * FROM stage_sums")}
    return buckets, sums


def _le(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(value)
