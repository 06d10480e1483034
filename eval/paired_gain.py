"""Is one operating point's gain over another more than these photos' luck? A paired bootstrap.

    python -m eval.paired_gain eval/results/operating-point-gen-v10/operating-point.json \\
        eval/results/operating-point-gen-v11/operating-point.json

The rules (eval/operating_point_rules.md) compare points by their gain: the mean over the
validation split and real-color-dev of (ΔE00 - gray's). Both points were scored on the same
photos, so each photo's difference between them is what one point does better there. This
resamples the photos of each set with replacement (the sets kept apart, as the gain weighs
them alike) and reports the difference's mean with a 90% interval. An interval that holds 0
says the photos cannot tell the two points apart; rule 20's result showed that successive
checkpoints of one run move real-color-dev by ~0.1 either way. real-color-dev's difference is
also shown per kind of photo (old color photos, Soviet slides: `KINDS`), which rule 23's
result found to judge added color in opposite ways.

Each report names a point by its chosen one, or `--point-a`/`--point-b` as JSON (the fields
given must match a row's). Sweeps written before per-photo figures existed cannot be paired:
the error says to sweep again.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.operating_point_rule import PER_PHOTO

SETS = ("val", "real")  # the rule's two sets, weighed alike
DRAWS = 10_000
# real-color-dev holds two kinds of photo that judge color apart (rule 23's result): old color
# photos and autochromes, and Soviet slides whose film casts the luminance does not show. A
# photo's kind is its file name's source prefix (`bopb__old_a.png` -> "bopb").
KINDS = {"bopb": "old color photos", "sokirko": "Soviet slides"}


@dataclass(frozen=True)
class PairedGain:
    """B's gain minus A's (negative: B is better), with its bootstrap interval."""

    difference: float
    low: float  # 5th percentile of the resampled difference
    high: float  # 95th
    by_set: dict[str, float]
    photos: dict[str, int]
    better_share: dict[str, float]  # per set, the share of photos where B is better
    # real-color-dev by kind of photo: kind -> (B - A mean, photos, share where B is better)
    by_kind: dict[str, tuple[float, int, float]]

    @property
    def verdict(self) -> str:
        if self.high < 0:
            return "B better: the interval lies below 0"
        if self.low > 0:
            return "A better: the interval lies above 0"
        return "no telling: the interval holds 0"


def point_row(report: dict[str, Any], point: dict[str, Any] | None, name: str
              ) -> dict[str, Any]:
    """The row a report holds for `point` (its chosen one when None)."""
    if point is None:
        chosen = report.get("chosen")
        if not chosen:
            raise ValueError(f"{name} chose no point: name one with --point-a/--point-b")
        point = chosen["point"]
    rows = [r for r in report.get("rows", [])
            if all(r["point"].get(k) == v for k, v in point.items())]
    if len(rows) != 1:
        raise ValueError(f"{name} holds {len(rows)} rows matching {json.dumps(point)}: "
                         "give enough fields to name exactly one")
    row = rows[0]
    for subset in SETS:
        if PER_PHOTO not in row["scores"].get(subset, {}):
            raise ValueError(f"{name} has no per-photo figures for '{subset}': sweep again with "
                             "this version of eval.operating_point")
    return row


def paired_gain(a: dict[str, Any], b: dict[str, Any], draws: int = DRAWS, seed: int = 0
                ) -> PairedGain:
    """B's gain minus A's over the photos both rows scored, bootstrapped per set."""
    rng = np.random.default_rng(seed)
    means, boots, counts, better = {}, [], {}, {}
    for subset in SETS:
        pa, pb = a["scores"][subset][PER_PHOTO], b["scores"][subset][PER_PHOTO]
        if set(pa) != set(pb):
            raise ValueError(f"the two rows scored other photos in '{subset}' "
                             f"({len(pa)} against {len(pb)}): compare sweeps of one photo set")
        names = sorted(pa)
        diff = np.array([pb[n] - pa[n] for n in names])
        means[subset], counts[subset] = float(diff.mean()), len(diff)
        better[subset] = float((diff < 0).mean())
        picks = rng.integers(0, len(diff), size=(draws, len(diff)))
        boots.append(diff[picks].mean(axis=1))
    resampled = np.mean(boots, axis=0)
    return PairedGain(difference=float(np.mean(list(means.values()))),
                      low=float(np.percentile(resampled, 5)),
                      high=float(np.percentile(resampled, 95)),
                      by_set=means, photos=counts, better_share=better,
                      by_kind=_by_kind(a["scores"]["real"][PER_PHOTO],
                                       b["scores"]["real"][PER_PHOTO]))


def _by_kind(pa: dict[str, float], pb: dict[str, float]) -> dict[str, tuple[float, int, float]]:
    """real-color-dev's difference per kind of photo (`KINDS`; other prefixes as they are)."""
    groups: dict[str, list[float]] = {}
    for name in sorted(pa):
        prefix = name.split("__")[0]
        kind = KINDS.get(prefix, prefix)
        groups.setdefault(kind, []).append(pb[name] - pa[name])
    return {kind: (float(np.mean(d)), len(d), float(np.mean(np.array(d) < 0)))
            for kind, d in groups.items()}


def _load(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read the sweep report {path}: {err}") from err


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.paired_gain",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("a", type=Path, help="operating-point.json of point A (the reference)")
    parser.add_argument("b", type=Path, help="operating-point.json of point B (the candidate)")
    parser.add_argument("--point-a", type=json.loads, default=None,
                        help='A\'s point as JSON, e.g. \'{"prior_correction": 0.7}\'')
    parser.add_argument("--point-b", type=json.loads, default=None)
    parser.add_argument("--draws", type=int, default=DRAWS)
    args = parser.parse_args(argv)
    try:
        rows = [point_row(_load(path), point, str(path)) for path, point in
                ((args.a, args.point_a), (args.b, args.point_b))]
        result = paired_gain(*rows, draws=args.draws)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"A: {args.a} {json.dumps(rows[0]['point'])}")
    print(f"B: {args.b} {json.dumps(rows[1]['point'])}")
    for subset in SETS:
        print(f"  {subset}: B - A {result.by_set[subset]:+.3f} over {result.photos[subset]} "
              f"photos (B better on {result.better_share[subset]:.0%})")
        if subset == "real":
            for kind, (diff, count, share) in result.by_kind.items():
                print(f"    {kind}: B - A {diff:+.3f} over {count} photos "
                      f"(B better on {share:.0%})")
    print(f"gain B - A {result.difference:+.3f}, 90% interval [{result.low:+.3f}, "
          f"{result.high:+.3f}]: {result.verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
