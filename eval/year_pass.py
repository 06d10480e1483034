"""Choosing set for context/digits.py: the floor a year read digits-only must reach.

    python -m eval.year_pass [--seeds 1,2] [--untitled 40] [--out DIR] [--shared DIR]

The reader (context/ocr.py) is run with the digits pass's floor at 0 on
- generated titles (eval/writing_cases.py, 30 a seed) and generated titles with a hard year
  (eval/year_cases.py: after a hyphen, on its own line, stacked; 24 a seed), seeds 1 and 2;
- untitled training photos (shared/datasets/photos-train, every 97th from the 48th, none of
  the generated titles' backgrounds): any year the pass reads there is false (a photo that
  does carry a year of its own is counted against the pass all the same).
Each year the pass returns is right when within 2 of the title's year, else wrong.

The rule, written down before the pass was run: of the floors `GRID`, the one that maximizes
right - 2 x wrong (a wrong year misleads where a missing one leaves the date to other
evidence); ties go to the higher floor. No slide of real-color-dev and no Prokudin-Gorsky
plate is used. The same runs count, for context/writing.py `confusable_years`, which digit
the reader put for which in the years it read wrong by one digit (`digit_confusions`); a
pair is added to the confusable decade digits when it comes at least twice (this count was
fixed after the table was seen; every pair came once, so nothing was added).

Writes eval/results/year-pass/year-pass.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from context import ContextConfig, ContextEncoder
from context.temporal import find_dates
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    luminance_input,
    missing_data,
    parse_eval_args,
    shared_datasets,
    write_json_and_markdown,
)
from eval.writing_cases import generated_cases
from eval.year_cases import year_cases

OUT = RESULTS_DIR / "year-pass"
GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
TOLERANCE = 2


def _gray(img: Image.Image) -> Image.Image:
    return luminance_input(np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0).convert("RGB")


def collect(reader, cases: list[tuple[str, Image.Image, int | None]]) -> list[dict]:
    """Per case: the pass's (year, confidence), if it ran and read one, and the years the
    other readings show."""
    rows = []
    for name, image, truth in cases:
        readings, _ = reader(image)
        passed = [r for r in readings if r.script is None]
        shown = [d.start for r in readings if r.script is not None
                 for d in find_dates(r.text) if d.kind in ("year", "date", "short")]
        rows.append({"name": name, "truth": truth, "shown": shown,
                     "pass": [int(passed[0].text), round(passed[0].confidence, 3)]
                     if passed else None})
        print(f"  {name[:40]:40s} truth {truth} shown {shown} pass {rows[-1]['pass']}")
    return rows


def sweep(rows: list[dict]) -> list[dict]:
    out = []
    for floor in GRID:
        got = [r for r in rows if r["pass"] and r["pass"][1] >= floor]
        right = sum(r["truth"] is not None and abs(r["pass"][0] - r["truth"]) <= TOLERANCE
                    for r in got)
        out.append({"floor": floor, "right": right, "wrong": len(got) - right,
                    "gain": right - 2 * (len(got) - right)})
    return out


def digit_confusions(rows: list[dict]) -> Counter:
    """(written digit, read digit) of each read year that differs from the title's in one
    digit."""
    out: Counter = Counter()
    for r in rows:
        if r["truth"] is None:
            continue
        for y in set(r["shown"] + ([r["pass"][0]] if r["pass"] else [])):
            diff = [(a, b) for a, b in zip(str(r["truth"]), str(y)) if a != b]
            if len(diff) == 1:
                out[f"{diff[0][0]}->{diff[0][1]}"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="1,2")
    p.add_argument("--untitled", type=int, default=40)
    p.add_argument("--out", type=Path, default=OUT)
    add_shared_argument(p, f"{TRAIN_PHOTOS}/ (backgrounds and untitled photos)")
    args = parse_eval_args(p, argv)
    shared, asked = shared_datasets(args)
    if problem := absent_data(shared, TRAIN_PHOTOS):
        return missing_data(asked, "year_pass", problem)
    config = ContextConfig(embed=False)
    reader = ContextEncoder.from_default(config).reader
    reader.years = replace(reader.years, min_confidence=0.0)
    photos = sorted((shared / TRAIN_PHOTOS).glob("*.jpg"))
    backgrounds = photos[::97]
    cases = []
    for seed in (int(s) for s in args.seeds.split(",")):
        for c in (generated_cases(config.data_dir, backgrounds, 30, seed)
                  + year_cases(config.data_dir, backgrounds, 24, seed)):
            cases.append((f"s{seed}-{c.name}", _gray(c.image), c.year))
    cases += [(f"untitled-{q.stem}", _gray(Image.open(q)), None)
              for q in photos[48::97][: args.untitled]]
    rows = collect(reader, cases)
    table = sweep(rows)
    best = max(table, key=lambda t: (t["gain"], t["floor"]))
    confusions = digit_confusions(rows)
    result = {"rule": "max right - 2 x wrong; ties: higher floor", "chosen": best["floor"],
              "sweep": table, "digit_confusions": dict(confusions.most_common()),
              "rows": rows}
    lines = ["# Digits-pass floor (context/digits.py)", "",
             (f"cases: {len(rows)} (seeds {args.seeds}, {args.untitled} untitled photos); "
              f"rule: {result['rule']}; chosen floor: {best['floor']}"), "",
             "| floor | right | wrong | gain |", "|---|---|---|---|"]
    lines += [f"| {t['floor']} | {t['right']} | {t['wrong']} | {t['gain']} |" for t in table]
    lines += ["", f"digit confusions (written->read): {dict(confusions.most_common())}", ""]
    write_json_and_markdown(args.out, "year-pass", result, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
