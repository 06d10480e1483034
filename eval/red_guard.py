"""Rule 8 (eval/operating_point_rules.md) as a check: is a checkpoint red where the truth is not?

    python -m eval.real_photos --dataset real-color-dev --weights W --out /tmp/real-W
    python -m eval.flag_scenes --weights W --out /tmp/flags-W    # the bare-photo control
    python -m eval.red_guard --real /tmp/real-W/real-color-dev.json \
        --flags /tmp/flags-W/flag_scenes.json

Rule 5 compares checkpoints by mean ΔE00 - gray, which a red-orange patch over one photo's
green background barely moves (gen-v5: 16% of bopb__old_g falsely red, real-color-dev 0.29%,
chosen all the same). Rule 8 bounds what users notice first: a checkpoint rule 5 prefers
replaces the committed one only if this check passes on its reports. Every bound counts red
where the truth is not red (rule 18: the control first counted true reds too).
Exit status 0: passes; 1: fails (each failed bound printed); 2: a report is missing or not
one of ours.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_REAL_RED = 0.001  # real-color-dev's falsely red share, mean over photos (0.1%)
MAX_PHOTO_RED = 0.05  # ... and on any one photo (5%)
MAX_CONTROL_RED = 0.001  # falsely strongly red share of the flag scenes' bare photos (0.1%)


@dataclass(frozen=True)
class Bound:
    name: str
    value: float
    limit: float
    detail: str = ""

    @property
    def holds(self) -> bool:
        return self.value <= self.limit

    def line(self) -> str:
        verdict = "PASS" if self.holds else "FAIL"
        detail = f" ({self.detail})" if self.detail else ""
        return f"{verdict}  {self.name}: {self.value:.2%} (at most {self.limit:.1%}){detail}"


def real_bounds(report: dict[str, Any]) -> list[Bound]:
    """The two real-color-dev bounds from an `eval.real_photos` report (no-hint condition)."""
    shares = {p["file"]: p["conditions"]["none"]["falsely_red"] for p in report["photos"]
              if p["conditions"].get("none") and p["conditions"]["none"]["falsely_red"]
              is not None}
    if not shares:
        raise ValueError("the report has no photo with a no-hint falsely red share")
    worst = max(shares, key=shares.get)
    mean = sum(shares.values()) / len(shares)
    return [Bound("real-color-dev falsely red, mean over photos", mean, MAX_REAL_RED,
                  f"{len(shares)} photos"),
            Bound("real-color-dev falsely red, worst photo", shares[worst], MAX_PHOTO_RED,
                  worst)]


def control_bound(report: dict[str, Any]) -> Bound:
    """The bare-photo control of an `eval.flag_scenes` report, without a hint: strongly red
    pixels where the truth is not red (rule 18; a bare photo's "leak" is exactly that, as it
    has no flag), the mean over the photos. Rule 8 first counted true reds too (a red pillow
    failed it): that share is printed beside it."""
    control = [r for r in report["records"] if r["group"] == "control"]
    if not control:
        raise ValueError("the report has no bare control photo")
    false_red = sum(r["conditions"]["none"]["leak"] for r in control) / len(control)
    any_red = report["summary"]["control"]["strong_none"]
    return Bound("flag-scene control, falsely strongly red without a hint", false_red,
                 MAX_CONTROL_RED, f"{len(control)} bare photos; any strong red {any_red:.2%}")


def _load(path: str, what: str) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SystemExit(_fail(f"no {what} report at {path}: run the command in "
                               "`python -m eval.red_guard --help` first")) from None
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(_fail(f"cannot read the {what} report {path}: {error}")) from None


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.red_guard", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", default="eval/results/real/real-color-dev.json",
                        help="an eval.real_photos real-color-dev report (default: the "
                             "committed weights')")
    parser.add_argument("--flags", default="eval/results/flag-scenes/flag_scenes.json",
                        help="an eval.flag_scenes report (default: the committed weights')")
    args = parser.parse_args(argv)
    real, flags = _load(args.real, "real-color-dev"), _load(args.flags, "flag-scenes")
    try:
        bounds = [*real_bounds(real), control_bound(flags)]
    except (KeyError, TypeError, ValueError) as error:
        return _fail(f"not an eval.real_photos / eval.flag_scenes report ({error!r})")
    for bound in bounds:
        print(bound.line())
    held = all(b.holds for b in bounds)
    print("rule 8: " + ("passes" if held else
                        "fails: a checkpoint with these reports does not replace the committed one"))
    return 0 if held else 1


if __name__ == "__main__":
    raise SystemExit(main())
