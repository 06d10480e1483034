"""The JSON report of one dataset: run settings, protocol, aggregates, per-photo rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from eval.common import rounded
from eval.real_photos.aggregates import WORSE_MARGIN, aggregate_by_subset
from eval.real_photos.photos import BOPB_RIGHT_HINTS, CONDITIONS, PG_RIGHT_HINT, RealPhoto
from eval.real_photos.pixel_stats import (
    DULL_TRUTH_CHROMA,
    NOT_RED_TRUTH_CHROMA,
    RED_CHROMA,
    RED_HUE_RANGE,
    VIVID_CHROMA,
)
from eval.real_photos.scoring import PhotoScore


def photo_record(photo: RealPhoto, score: PhotoScore) -> dict[str, Any]:
    """A per-photo JSON row: truth figures, then one entry per condition (null when n/a)."""
    record = {k: v for k, v in asdict(score).items() if k not in ("conditions", "not_applicable")}
    record["hints"] = {c: (photo.hint(c) if photo.applies(c) else None) for c in CONDITIONS}
    record["conditions"] = {c.condition: {k: v for k, v in asdict(c).items() if k != "condition"}
                            for c in score.conditions}
    for name in score.not_applicable:
        record["conditions"][name] = None
    return record


def build_report(dataset: str, root: Path, photos: Sequence[RealPhoto],
                 scores: Sequence[PhotoScore], run: Mapping[str, Any],
                 conditions: Sequence[str] = CONDITIONS) -> dict[str, Any]:
    """The JSON document: run settings, aggregates per subset and condition, per-photo rows."""
    by_file = {p.file: p for p in photos}
    aggregates = aggregate_by_subset(scores, conditions)
    return rounded({
        "schema": 1,
        "dataset": {"name": dataset, "path": str(root), "count": len(scores),
                    "files": [s.file for s in scores]},
        **run,
        "protocol": protocol(dataset),
        "not_applicable": {c: [s.file for s in scores if c in s.not_applicable]
                           for c in conditions},
        "aggregates": {subset: {c: asdict(agg) for c, agg in per.items()}
                       for subset, per in aggregates.items()},
        "photos": [photo_record(by_file[s.file], s) for s in scores],
    })


def protocol(dataset: str) -> dict[str, Any]:
    """The benchmark's fixed choices, stored with every report."""
    hints = ({"right": "manifest: place_en without parentheses + first year of era; BOPB: "
                       "bopb_right_hints", "wrong": "USA 1950 for sokirko slides, else USSR 1950",
              "bopb_right_hints": BOPB_RIGHT_HINTS}
             if dataset == "real-color-dev" else {"right": PG_RIGHT_HINT, "wrong": "USA 1950"})
    return {"input": "truth L* (CIELAB, D65) as an 8-bit gray PIL 'L' image, no caption",
            "hints": hints,
            "falsely_vivid": f"output C* >= {VIVID_CHROMA} where truth C* < {DULL_TRUTH_CHROMA}",
            "falsely_red": (f"output C* >= {RED_CHROMA} and h_ab in {list(RED_HUE_RANGE)} deg, "
                            f"where truth C* < {NOT_RED_TRUTH_CHROMA} or truth h_ab outside"),
            "worse_than_none_margin": WORSE_MARGIN,
            "colorfulness": "Hasler-Suesstrunk; % of truth = mean output / mean truth",
            "context_effect": "mean ΔE00 hinted output vs no-hint output; outside = where "
                              "result.context_region < 0.5 (null when the result has none)"}
