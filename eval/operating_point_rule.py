"""Rules 2-4, 5's measure and 9's red bounds (eval/operating_point_rules.md), on sweep rows.

A row is {"point": {...}, "scores": {"val": ..., "real": ..., "bw": ...}} as
`eval.operating_point.score_point` scores it; the rules' text is in operating_point_rules.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eval.red_guard import MAX_PHOTO_RED, MAX_REAL_RED

MAX_FALSELY_VIVID = 0.002
MIN_COLORFULNESS = 0.60
MAX_BLOB_SHARE = 0.05
PER_PHOTO = "photos"  # a set's per-photo ΔE00 - gray in a row's scores (eval.paired_gain)


def admissible(scores: dict[str, Any]) -> bool:
    real, val = scores["real"], scores["val"]
    return (safe_point(scores) and real["de"] < real["gray"]
            and real["cf_ratio"] >= MIN_COLORFULNESS and val["cf_ratio"] >= MIN_COLORFULNESS)


def gain(scores: dict[str, Any]) -> float:
    """Mean over the two sets of (ΔE00 - gray's): lower is better."""
    return float(np.mean([s["de"] - s["gray"] for s in scores.values() if "de" in s]))


def red_bounds_hold(scores: dict[str, Any]) -> bool:
    """Rule 8's real-color-dev bounds at the sweep's size (rule 9)."""
    real = scores["real"]
    return (real.get("falsely_red", 1.0) <= MAX_REAL_RED
            and real.get("falsely_red_worst", 1.0) <= MAX_PHOTO_RED)


def choose(rows: list[dict[str, Any]], red_guard: bool = False
           ) -> tuple[dict[str, Any] | None, str]:
    """Rules 2-4 of eval/operating_point_rules.md; with `red_guard` (rule 9) only among the
    points within rule 8's red bounds, and None when no point is."""
    if red_guard:
        rows = [r for r in rows if red_bounds_hold(r["scores"])]
        if not rows:
            return None, "no point within rule 8's red bounds: the committed point stays"
    ok = [r for r in rows if admissible(r["scores"])]
    if ok:
        return min(ok, key=lambda r: gain(r["scores"])), "admissible, lowest ΔE00 - gray"
    safe = [r for r in rows if safe_point(r["scores"])]
    if safe:
        return min(safe, key=lambda r: gain(r["scores"])), "none admissible: safety bounds kept"
    return min(rows, key=lambda r: gain(r["scores"])), "none safe: lowest ΔE00 - gray"


def safe_point(scores: dict[str, Any]) -> bool:
    """The bounds on what users notice first: falsely vivid pixels and isolated blobs."""
    return (scores["real"]["falsely_vivid"] <= MAX_FALSELY_VIVID
            and scores.get("bw", {}).get("blob_share", 1.0) <= MAX_BLOB_SHARE)
