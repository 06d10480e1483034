"""Means over photos, per condition and per subset."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from eval.real_photos.photos import CONDITIONS, SUBSET_TITLES
from eval.real_photos.scoring import PhotoScore

WORSE_MARGIN = 0.5  # a hint "hurts" a photo when its ΔE00 exceeds no hint's by more than this


@dataclass(frozen=True)
class ConditionAggregate:
    """Means over the photos a condition applies to (gray's over the same photos)."""

    count: int
    not_applicable: int
    ciede2000: float | None
    gray_ciede2000: float | None
    ciede2000_vs_gray: float | None  # ΔE00 minus gray's: negative = better than no color
    colorfulness: float | None
    truth_colorfulness: float | None
    colorfulness_pct_of_truth: float | None  # 100 * mean colorfulness / the truth's mean
    colorfulness_ratio: float | None  # mean of per-photo ratios (colorless truths skipped)
    falsely_vivid_pct: float | None
    falsely_red_pct: float | None
    mean_a: float | None
    mean_b: float | None
    truth_mean_a: float | None
    truth_mean_b: float | None
    context_effect: float | None
    context_effect_outside: float | None
    worse_than_none: int | None  # photos where ΔE00 exceeds no hint's by > WORSE_MARGIN
    seconds_per_photo: float | None


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def aggregate_condition(scores: Sequence[PhotoScore], condition: str) -> ConditionAggregate:
    """One condition's means over `scores` (the photos where it applies)."""
    pairs = [(s, s.get(condition)) for s in scores if s.get(condition) is not None]
    runs = [c for _, c in pairs]
    photos = [s for s, _ in pairs]
    ciede, gray = _mean([c.ciede2000 for c in runs]), _mean([s.gray_ciede2000 for s in photos])
    cf, truth_cf = _mean([c.colorfulness for c in runs]), _mean([s.truth_colorfulness
                                                                   for s in photos])
    worse = None
    if condition != "none":
        baseline = [(c, s.get("none")) for s, c in pairs]
        worse = sum(1 for c, plain in baseline
                    if plain is not None and c.ciede2000 - plain.ciede2000 > WORSE_MARGIN)
    return ConditionAggregate(
        count=len(runs),
        not_applicable=sum(1 for s in scores if condition in s.not_applicable),
        ciede2000=ciede, gray_ciede2000=gray,
        ciede2000_vs_gray=None if ciede is None else ciede - gray,
        colorfulness=cf, truth_colorfulness=truth_cf,
        colorfulness_pct_of_truth=(100.0 * cf / truth_cf if cf is not None and truth_cf
                                   else None),
        colorfulness_ratio=_mean([c.colorfulness_ratio for c in runs]),
        falsely_vivid_pct=_pct(_mean([c.falsely_vivid for c in runs])),
        falsely_red_pct=_pct(_mean([c.falsely_red for c in runs])),
        mean_a=_mean([c.mean_a for c in runs]), mean_b=_mean([c.mean_b for c in runs]),
        truth_mean_a=_mean([s.truth_mean_a for s in photos]),
        truth_mean_b=_mean([s.truth_mean_b for s in photos]),
        context_effect=_mean([c.context_effect for c in runs]),
        context_effect_outside=_mean([c.context_effect_outside for c in runs]),
        worse_than_none=worse,
        seconds_per_photo=_mean([c.seconds for c in runs]))


def _pct(share: float | None) -> float | None:
    return None if share is None else 100.0 * share


def aggregate(scores: Sequence[PhotoScore], conditions: Sequence[str] = CONDITIONS
              ) -> dict[str, ConditionAggregate]:
    """Condition -> its means over all of `scores` (for an operating-point search)."""
    return {c: aggregate_condition(scores, c) for c in conditions}


def aggregate_by_subset(scores: Sequence[PhotoScore], conditions: Sequence[str] = CONDITIONS
                        ) -> dict[str, dict[str, ConditionAggregate]]:
    """`all`, then each subset present (in SUBSET_TITLES order) -> condition -> means."""
    present = [s for s in SUBSET_TITLES if s != "all" and any(p.subset == s for p in scores)]
    groups = {"all": list(scores)}
    if len(present) > 1:
        groups.update({name: [p for p in scores if p.subset == name] for name in present})
    return {name: aggregate(group, conditions) for name, group in groups.items()}
