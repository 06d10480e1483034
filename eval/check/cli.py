"""`python -m eval.check`: run the cases, real-color-dev and calibration; write the report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import torch

from eval.cache import versioned_cache
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    missing_data,
    now,
    parse_eval_args,
    shared_datasets,
)

TARGETS = {"accuracy": 0.9, "real_color_dev_no_finding": 0.9}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.check", description=__doc__)
    p.add_argument("--limit", type=int, default=None, help="first N cases and photos only")
    p.add_argument("--calibration", type=int, default=None,
                   help="train-split photos checked with the cases' hints (0: none; default "
                        "60, with --sweep 240)")
    p.add_argument("--no-real", action="store_true", help="skip real-color-dev")
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--sweep", action="store_true",
                   help="choose the cloth threshold on the calibration photos "
                        "(writes check-calibration.md/json) instead of the benchmark")
    p.add_argument("--finder", type=Path, default=None, metavar="FOLDER",
                   help="the flag finder's folder (default: the check's own, "
                        "colorizer/weights/check; sweep.py's third extension compares)")
    p.add_argument("--cache", type=Path, default=None,
                   help="where our colorizations of the scenes are kept between runs "
                        "(default: ~/.cache/chronochrome/eval/check-cases/<version>, "
                        "eval/cache.py: a new model or code version gets a fresh folder)")
    add_shared_argument(p, f"flags/, {TRAIN_PHOTOS}/ and real-color-dev/")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parse_eval_args(build_parser(), argv)
    args.shared, asked = shared_datasets(args)
    torch.set_num_threads(args.threads)
    from colorizer.check.checker import ColorizationChecker
    from colorizer.model.flag_finder import FLAG_FINDER_FILE
    from eval.check.run import run_all

    if args.finder is not None and not (args.finder / FLAG_FINDER_FILE).is_file():
        print(f"error: --finder {args.finder}: no {FLAG_FINDER_FILE} there; give a "
              "folder that holds one (colorizer/weights/check, colorizer/weights/default)",
              file=sys.stderr)
        return 2
    real = () if args.no_real or args.sweep else ("real-color-dev",)
    if problem := absent_data(args.shared, "flags", TRAIN_PHOTOS, *real):
        return missing_data(asked, "check", problem)
    checker = ColorizationChecker.from_pretrained(device="cpu", finder=args.finder)
    if args.cache is None:
        args.cache = versioned_cache("check-cases", checker.pipeline.fingerprint)
    if args.sweep:
        return _sweep(checker, args)
    args.calibration = 60 if args.calibration is None else args.calibration
    result = run_all(checker, args.limit, args.calibration, not args.no_real, args.cache,
                     args.shared)
    result["settings"] = {**checker.settings(), "finder": _finder_name(args),
                          "command": "python -m eval.check",
                          "limit": args.limit, "at": now()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "check.json").write_text(json.dumps(result, indent=1, default=str) + "\n",
                                         encoding="utf-8")
    (args.out / "check.md").write_text(markdown(result), encoding="utf-8")
    s = result["summary"]
    print(f"cases {s['cases']}: accuracy {s['accuracy']:.1%} (wrong flagged "
          f"{s['wrong_flagged']}/{s['wrong']}, right passed {s['right_passed']}/{s['right']})")
    print(f"real-color-dev no finding: {s['real_color_dev']['no_finding']:.1%} of "
          f"{s['real_color_dev']['photos']}; calibration no finding: "
          f"{s['calibration']['no_finding']:.1%} of {s['calibration']['photos']}")
    print(f"wrote {args.out / 'check.md'}")
    return 0


def _sweep(checker, args: argparse.Namespace) -> int:
    from eval.check import sweep

    count = sweep.CALIBRATION_PHOTOS if args.calibration is None else args.calibration
    result = sweep.sweep(checker, count, args.cache, args.shared)
    result["settings"] = {**sweep.settings(checker.settings(), result["chosen"]),
                          "finder": _finder_name(args), "at": now()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "check-calibration.json").write_text(
        json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
    (args.out / "check-calibration.md").write_text(sweep.markdown(result), encoding="utf-8")
    print(sweep.markdown(result))
    return 0


def _finder_name(args: argparse.Namespace) -> str:
    from colorizer.check.checker import CHECK_WEIGHTS

    return str(args.finder or CHECK_WEIGHTS.relative_to(CHECK_WEIGHTS.parents[2]))


def _status(value: float, target: float) -> str:
    return "PASS" if value >= target else "FAIL"


def markdown(result: dict[str, Any]) -> str:
    s = result["summary"]
    real, cal = s["real_color_dev"], s["calibration"]
    lines = [
        "## chronochrome check: wrong colors flagged, right ones passed", "",
        "| headline | value | target | status |", "|---|---:|---|---|",
        (f"| cases right (wrong flagged + right passed) | {s['accuracy']:.1%} of {s['cases']} "
         f"| >= 90% | {_status(s['accuracy'], TARGETS['accuracy'])} |"),
        f"| wrong colorizations flagged | {s['wrong_flagged']}/{s['wrong']} | — | info |",
        f"| right colorizations passed | {s['right_passed']}/{s['right']} | — | info |",
        (f"| real-color-dev photos with no finding | {real['no_finding']:.1%} of "
         f"{real['photos']} | >= 90% | "
         f"{_status(real['no_finding'], TARGETS['real_color_dev_no_finding'])} |"),
        (f"| calibration photos (train split) with no finding | {cal['no_finding']:.1%} of "
         f"{cal['photos']} | — | info |"), "",
        "| cloth | wrong flagged | right passed |", "|---|---:|---:|",
    ]
    for cloth, row in s["by_cloth"].items():
        lines.append(f"| {cloth} | {row['wrong_flagged']}/{row['wrong']} | "
                     f"{row['right_passed']}/{row['right']} |")
    lines += ["", "| finding kind | real-color-dev photos | calibration photos |",
              "|---|---:|---:|"]
    for kind in real["by_kind"]:
        lines.append(f"| {kind} | {real['by_kind'][kind]:.1%} | {cal['by_kind'][kind]:.1%} |")
    lines += ["", "| case | wrong | flagged | findings (on the cloth) |", "|---|---|---|---|"]
    for r in result["cases"]:
        lines.append(f"| {r['id']} | {r['wrong']} | {r['flagged']} | "
                     f"{', '.join(r['kinds']) or '—'} ({', '.join(r['on_cloth']) or '—'}) |")
    flagged = [r for r in result["real_color_dev"] if r["flagged"]]
    lines += ["", "real-color-dev photos with findings:", ""]
    lines += [f"- {r['file']} (hint {r['hint']!r}): {' '.join(r['messages'])}" for r in flagged]
    st = result["settings"]
    lines += ["", (f"Model {st['model']['name']} {st['model']['version']}, flag finder "
                   f"{'on' if st['flag_finder'] else 'off'}; `{st['command']}` at {st['at']} "
                   f"({s['seconds']} s). Thresholds: colorizer/check/config.py, set on the "
                   "calibration photos, never on real-color-dev."), ""]
    return "\n".join(lines)
