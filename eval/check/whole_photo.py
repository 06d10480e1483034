"""`python -m eval.check.whole_photo`: could the check judge a colorization as a whole?

`chronochrome check`'s findings are all local; a colorization wrong all over (every hue
turned: green skies, blue foliage) is caught on 5% of real-color-dev's photos
(eval/results/check-real.md). This measures a whole-photo statistic from the check's own
ratio map (colorizer/check/likelihood.py: p(observed a*b*) / p(the cell's best color)):

    judged   pixels colorful enough to judge (C* >= a chroma floor); a photo whose judged
             pixels cover under MIN_JUDGED of it is not judged
    share    the share of the judged pixels whose ratio is below a level

The rule (written before any figure was read):

- photos: CALIBRATION train-split photos of photos-train, eval.check.run's draw (rng 11)
  at positions OFFSET.. (disjoint from the benchmark's 60 and the sweep's 240), each checked
  as `eval.check.real` checks a photo (its own L* as --original), hints cycled as the
  benchmark's; versions: true, hue120 (hues turned 120 degrees), swap (R and B swapped);
- candidates: CANDIDATES (ratio level, chroma floor), judged only where at least
  MIN_JUDGED of the photo is colorful enough;
- threshold of each: flag where the unlikely share exceeds T, T the
  (floor(FALSE_ALARM * N) + 1)-th largest share of the true photos, rounded up to 0.01:
  at most FALSE_ALARM of the true photos flagged;
- choice: the candidate catching the most hue120 and swap versions; ties: fewest true
  flagged, then the first listed. real-color-dev and Prokudin-Gorsky are never read here;
- kept in the product only if the chosen setting catches at least KEEP_MIN_CATCH of the
  hue120 versions (and then, measured once, eval.check.real and eval.check within their
  rules). The 2026-12-07 run caught 18% (eval/results/check-whole-photo.md): not kept.

The model runs once per photo: every version is judged against the true photo's
distribution (the model reads only the gray, which all versions share as --original).
Writes check-whole-photo.json/.md under --out.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    VAL_FRACTION,
    absent_data,
    add_shared_argument,
    luminance_input,
    missing_data,
    now,
    parse_eval_args,
    pixels,
    shared_datasets,
)

CALIBRATION = 120
OFFSET = 300
FALSE_ALARM = 0.03
MIN_JUDGED = 0.10
CANDIDATES = tuple((r, c) for r in (0.01, 0.03) for c in (10.0, 20.0))
VERSIONS = ("true", "hue120", "swap")
KEEP_MIN_CATCH = 0.20  # of the hue120 versions, at the chosen setting
INFO_RATES = (0.03, 0.05, 0.10, 0.20)  # false-alarm rates shown for information only


@dataclass(frozen=True, eq=False)
class WholePhotoStatistic:
    """How likely the model finds a colorization's colors over the whole photo."""

    judged_share: float  # share of the photo colorful enough to judge
    unlikely_share: float  # share of the judged pixels whose color the model finds unlikely


def whole_photo_statistic(lab: np.ndarray, ratio: np.ndarray, min_chroma: float,
                          max_ratio: float, min_judged: float) -> WholePhotoStatistic | None:
    """The statistic of a (rh, rw, 3) L*a*b* colorization and its (rh, rw) ratio map; None
    where too little of the photo has color to judge."""
    judged = np.hypot(lab[..., 1], lab[..., 2]) >= min_chroma
    judged_share = float(judged.mean())
    if judged_share < min_judged or not bool(judged.any()):
        return None
    unlikely = judged & (ratio < max_ratio)
    return WholePhotoStatistic(judged_share, float(unlikely.sum() / judged.sum()))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.check.whole_photo", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=CALIBRATION)
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    p.add_argument("--threads", type=int, default=1)
    add_shared_argument(p, f"{TRAIN_PHOTOS}/")
    return p


def photos(count: int, shared: Path) -> list[tuple[Path, str | None]]:
    from colorizer.training.data import list_photos
    from eval.check.run import CALIBRATION_HINTS

    found = list_photos(shared / TRAIN_PHOTOS, "train", VAL_FRACTION)
    order = np.random.default_rng(11).permutation(len(found))[OFFSET:OFFSET + count]
    return [(found[i], CALIBRATION_HINTS[k % len(CALIBRATION_HINTS)])
            for k, i in enumerate(order)]


def versions(truth: Image.Image) -> dict[str, Image.Image]:
    from eval.check.real_versions import hue_rotated

    r, g, b = truth.split()
    return {"true": truth, "hue120": hue_rotated(truth), "swap": Image.merge("RGB", (b, g, r))}


def shares(checker: Any, seen: Any, image: Image.Image) -> list[float | None]:
    """The unlikely share of each candidate for one version (None: not judged)."""
    from colorizer.check.analysis import upsample
    from colorizer.check.likelihood import likelihood_ratio, observed_ab
    from colorizer.model.colorspace import rgb_to_lab

    rh, rw = seen.maps.lab.shape[:2]
    rgb = np.asarray(image.resize((rw, rh), Image.LANCZOS), dtype=np.float64) / 255.0
    lab = rgb_to_lab(torch.from_numpy(rgb).permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()
    pool = seen.maps.pool
    ratio = upsample(likelihood_ratio(pool, checker.bins,
                                      observed_ab(lab[..., 1:], tuple(pool.shape[-2:]))),
                     (rh, rw))
    out = []
    for level, chroma in CANDIDATES:
        stat = whole_photo_statistic(lab, ratio, chroma, level, MIN_JUDGED)
        out.append(None if stat is None else round(stat.unlikely_share, 4))
    return out


def threshold(true_shares: list[float | None], rate: float = FALSE_ALARM) -> float:
    """T: at most `rate` of the true photos have a share above it (rounded up to 0.01)."""
    values = sorted((s for s in true_shares if s is not None), reverse=True)
    k = math.floor(rate * len(true_shares))
    if k >= len(values):
        return 0.0
    return math.ceil(values[k] * 100 - 1e-9) / 100


def choose(rows: list[dict[str, Any]]) -> dict[str, Any]:
    table = []
    for i, (level, chroma) in enumerate(CANDIDATES):
        column = {v: [r["shares"][v][i] for r in rows] for v in VERSIONS}
        t = threshold(column["true"])
        caught = {v: sum(s is not None and s > t for s in column[v]) for v in VERSIONS}
        table.append({"ratio_below": level, "min_chroma": chroma, "threshold": t,
                      "flagged": caught, "photos": len(rows)})
    best = max(range(len(table)), key=lambda i: (table[i]["flagged"]["hue120"]
                                                 + table[i]["flagged"]["swap"],
                                                 -table[i]["flagged"]["true"], -i))
    chosen = table[best]
    column = {v: [r["shares"][v][best] for r in rows] for v in VERSIONS}
    curve = []
    for rate in INFO_RATES:
        t = threshold(column["true"], rate)
        curve.append({"rate": rate, "threshold": t,
                      "flagged": {v: sum(s is not None and s > t for s in column[v])
                                  for v in VERSIONS}})
    kept = chosen["flagged"]["hue120"] >= KEEP_MIN_CATCH * len(rows)
    return {"candidates": table, "chosen": chosen, "kept": kept, "curve": curve}


def markdown(result: dict[str, Any]) -> str:
    lines = ["## Whole-photo finding: calibration on train-split true color photos", "",
             (f"{result['photos']} photos (eval.check.run's draw, positions {OFFSET}.."
             f"{OFFSET + result['photos'] - 1}); flag where the unlikely share exceeds T, T "
             f"set so that at most {FALSE_ALARM:.0%} of the true photos are flagged; judged "
             f"only where at least {MIN_JUDGED:.0%} of the photo has the chroma floor."), "",
             "| ratio below | chroma floor | T | true flagged | hue120 caught | swap caught |",
             "|---:|---:|---:|---:|---:|---:|"]
    for c in result["candidates"]:
        n, f = c["photos"], c["flagged"]
        lines.append(f"| {c['ratio_below']} | {c['min_chroma']:.0f} | {c['threshold']:.2f} | "
                     f"{f['true']}/{n} | {f['hue120']}/{n} ({f['hue120'] / n:.0%}) | "
                     f"{f['swap']}/{n} ({f['swap'] / n:.0%}) |")
    c = result["chosen"]
    lines += ["", (f"Chosen (most hue120 + swap caught): ratio below {c['ratio_below']}, "
                   f"chroma floor {c['min_chroma']:.0f}, T {c['threshold']:.2f}."), "",
              (f"Kept in the product: {'yes' if result['kept'] else 'no'} (the rule asks for at "
               f"least {KEEP_MIN_CATCH:.0%} of the hue120 versions caught at the chosen "
               f"setting: {c['flagged']['hue120']}/{c['photos']})."), "",
              ("For information only (nothing was chosen from it): the chosen setting at "
               "other false-alarm rates on the same photos."), "",
              "| false alarms allowed | T | true flagged | hue120 caught | swap caught |",
              "|---:|---:|---:|---:|---:|",
              *(f"| {p['rate']:.0%} | {p['threshold']:.2f} | {p['flagged']['true']} | "
                f"{p['flagged']['hue120']} | {p['flagged']['swap']} |"
                for p in result["curve"]), "",
              f"`python -m eval.check.whole_photo` at {result['at']} ({result['seconds']} s).",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_eval_args(build_parser(), argv)
    args.shared, asked = shared_datasets(args)
    if problem := absent_data(args.shared, TRAIN_PHOTOS):
        return missing_data(asked, "check.whole_photo", problem)
    torch.set_num_threads(args.threads)
    from colorizer.check.checker import ColorizationChecker

    start = time.perf_counter()
    checker = ColorizationChecker.from_pretrained(device="cpu")
    rows = []
    for path, hint in photos(args.count, args.shared):
        truth = Image.open(path).convert("RGB")
        seen = checker.analyse(truth, original=luminance_input(pixels(truth)), hint=hint)
        row = {"file": path.name, "hint": hint,
               "shares": {v: shares(checker, seen, image)
                          for v, image in versions(truth).items()}}
        rows.append(row)
        print(path.name, row["shares"], flush=True)
    result = {**choose(rows), "photos": len(rows), "rows": rows, "at": now(),
              "seconds": round(time.perf_counter() - start, 1),
              "candidate_order": [list(c) for c in CANDIDATES]}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "check-whole-photo.json").write_text(json.dumps(result, indent=1) + "\n",
                                                     encoding="utf-8")
    (args.out / "check-whole-photo.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
