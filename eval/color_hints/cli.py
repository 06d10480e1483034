"""`python -m eval.color_hints`: the acceptance figures of color hints (issue 19).

    python -m eval.color_hints                    # 20 val photos + 6 flag scenes -> JSON + md
    python -m eval.color_hints --tune --limit 10 --no-context  # the spread's settings
    python -m eval.color_hints --tune cast --limit 24      # several points' cast shift ...
    python -m eval.color_hints --tune field --limit 24     # ... and their residual field
    python -m eval.color_hints --tune slope --limit 24     # ... and their chroma slope
    python -m eval.color_hints --tune slope-edge --limit 24  # (its best was on the edge)
    python -m eval.color_hints --tune one --limit 24       # one point's own field (+ flags)
    python -m eval.color_hints.tuning --limit 80 --grid gain=0.75,1  # 80 other train photos
    python -m eval.color_hints --shared DIR       # DIR/photos-train, DIR/flags (default:
                                                  # ../shared/datasets)

Writes eval/results/color-hints.json, color-hints.md and color-hints-flag.png (`--out DIR`:
there instead; a --limit other than 20, a --tune grid included, writes outside eval/results
unless --out is given: the committed tuning files came from `--out eval/results`). The photos are
the first 20 of the val split in a fixed shuffle (seed 1); points are drawn per photo from
generator (0, index), so a run reproduces. The pipeline is the default one (context and
retrieval on, as users run it) unless --no-context; timings are this machine's CPU seconds
(eval/color_hints/photos.py says why).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.hint_balance import BalanceConfig
from colorizer.pipeline.hint_spread import SpreadConfig
from colorizer.training.data import list_photos
from eval.color_hints.flag import flag_scenes, score_flag
from eval.color_hints.photos import load_truth, score_photo, summarize
from eval.common import (
    RESULTS_DIR,
    SHARED_DATASETS,
    TRAIN_PHOTOS,
    VAL_FRACTION,
    absent_data,
    add_shared_argument,
    missing_data,
    now,
    parse_eval_args,
    rounded,
    shared_datasets,
)

TARGETS = {"reduction_five_points": 0.30, "reduction_one_point": 0.10, "at_point": 5.0,
           "over_segment": 10.0, "bleed": 1.0, "edit_ratio_median": 0.30}
NOTES = """## What these figures say

- Several points: they measure how wrong the model is where they are. The cast they agree on
  shifts the whole photo (a James-Stein-shrunken mean of their residuals), a chroma slope
  (3+ points: how their residuals grow with the predicted color, shrunk the same way) scales
  the photo's a*b* when the model is too dull, what each residual leaves is spread over the
  pixels the encoder shows alike (at most 10 a*b*), and each point then paints its own
  region (`colorizer.pipeline.hint_balance`). On 24 train photos (the rules and figures at
  `BalanceConfig`) the 5-point reduction went from 15.7% (regions only) to 34.8% (with the
  cast), 38.1% (with the field) and 40.7% (with the slope). Those settings had fit the 24:
  on 80 other train photos with other point places (`python -m eval.color_hints.tuning`)
  they gave 31.3% (val: 29.2%). Re-chosen there by a rule written first (`BalanceConfig`):
  more shrinkage and a smaller cast gain (33.2%), and every correction scaled per pixel by
  the model's own uncertainty (u / mean u: unsure pixels move more, sure ones less; 33.6%).
  Val, run once after: 29.2% -> 30.1%, a thin margin.
- One point: 10% of the val photos' mean error (10.435) is 1.04 CIEDE2000; the point's own
  region (13.5% of the photo on average) gives 0.25 (2.4%). The other 0.79 would have to come
  from the 86.5% outside its segment: a mean change there of at least 0.79 / 0.865 = 0.92 even
  if every unit of change removed a unit of error, against a bound of 1. The one mechanism
  with evidence for those pixels, the point's residual spread over what the encoder shows
  alike (`BalanceConfig.one_point_cap`), removed 0.7 of error per unit of change on 24 train
  photos (1-point reduction 3.9% -> 10.8% of 9.55, i.e. 0.66, for a change outside the
  segment of 0.13 -> 1.32 over 79% of the photo, i.e. 0.94): at that rate the val photos'
  10% needs a change of 0.79 / 0.7 / 0.865 = 1.3 outside the segment (bound 1), and already
  the smallest cap tried (4 a*b*) moved the flag scenes' background (scenes 7-12) by 1.28 (bound
  1). On the 80 tuning photos, one point's field scaled by the uncertainty (caps 4 / 8 /
  16 a*b*) gave 6.7 / 8.0 / 9.9% (none: 4.9%) for a change outside the segment of 0.58 /
  0.83 / 1.18 (none: 0.20): ~0.5 of error per unit of that change, so the val photos' 0.79
  would need ~1.6. The bound is not a strict impossibility (0.92 < 1, and CIEDE2000 obeys
  the triangle inequality only roughly) but no mechanism tried comes near the efficiency it
  needs. So one point keeps to its region: the 10% one-point target needs a point to say
  more than its own region's color, e.g. a generator trained to read hint tokens (issue
  19's alternative).
- How far 10% is, on these photos (`python -m eval.color_hints.bound`,
  `color-hints-bound.md`): an oracle that knows every pixel's true color and moves each
  along what the point says (its residual, or toward its color) reaches 7.1% inside the
  segment alone and 16.1% with the change outside held to 1 (11.8% at 0.5). Without the
  oracle, the whole true segment painted the hinted color gives 4.4%; our spread reaches
  about 40% of the segment (30 tuning photos, weight >= 0.5; 65% without the descriptor
  term, which keeps a flag's red off like-lit backgrounds). So 10% is not out of reach in
  principle, but it needs a point's color placed, inside and outside its segment, with
  well over half an oracle's precision; ours reaches 3.8% in all, changing 0.35 outside.
- The learned field (`colorizer/model/hint_field.py`, `hint_field.safetensors` in the default
  weights): a small head that learns, on 400 train photos, which share of each point's
  residual belongs at each pixel (descriptors, tone, distance, the model's uncertainty, how
  the points agree), replacing the cast, slope and field above; one point alone lends at
  most 10 a*b* beyond its region. Chosen by the rule in `BalanceConfig` (written first, then
  amended twice on the 80 tuning photos, never on these): there 5 points 35.1% against
  33.2%, 1 point 5.2% against 5.0% (gen-v3 weights; refitted for gen-v4: 35.5% against
  33.7%, 5.1% against 4.9%). On these val photos it was neutral with gen-v3 (5 points 28.2%
  against the rules' 28.4%, 1 point 2.5% against 2.3%). Not because it was fitted on photos
  the generator trained on: on 25 val-split photos outside these 20 (its own loss, a*b*),
  a field fitted on 46 other such photos did no better than the shipped one (5 points 26.7%
  against 27.1%, 1 point 0.9% against 0.5%), and every field cut less there than on train
  photos (31%): the generator's errors on photos it never saw are less shared across the
  photo, whatever the field learned from. Refitted with 150 flag-like scenes beside the
  photos (penalty 1, the first point on the cloth in half their draws; rule and figures in
  `color-hints-field-flags.md`): it learned that a saturated point on cloth the model left
  gray stays there, so one point may lend more elsewhere: here 1 point 2.6% -> 3.8%, 5
  points 28.8% -> 28.7%, change outside the segment 0.15 -> 0.35.
- Tried on the 80 tuning photos, each by a rule written before its run (in the commits):
  a hint's a*b* dimmed with L* + 16 as one surface under less light (`4545df4`; 5 points
  35.5 / 35.5 / 35.3% at strength 0 / 0.5 / 1: not taken); a point near the model's color
  spreading across less alike descriptors (`SpreadConfig.loosen`, 0 / 5 / 10 / 20: 35.5 /
  35.6 / 35.7 / 35.9%, 1 point 5.1 -> 5.8%, change outside the segment 0.24 -> 0.33, flags
  unchanged: 20 taken; on these val photos 5 points 28.4% -> 28.7%, 1 point 2.6% both);
  a cap on what each of several points lends through the learned field
  (`BalanceConfig.learned_several_cap`, uncapped / 15 / 25 / 40: 35.9 / 33.4 / 35.1 / 35.7%,
  the photo five points hurt most -28 / -11 / -11 / -25%: 40 taken; here 28.8%). Five
  points still make one of these photos worse (a phone: a yellow screen's residual lent to
  the pink body the model left gray): a point's residual reaches what the encoder shows
  alike, and the field cannot tell the screen's color from the body's. The chroma slope
  of 3+ points before the learned field (gain 0 / 0.5 / 1: 35.7 / 35.9 / 35.4%, worst
  photo -25 / -25 / -39%) missed its rule's 0.3-point bar: not kept.
- On the 71 other val photos (`python -m eval.color_hints.tuning --split val --limit 71`,
  points from generator (5, i)) the shipped settings cut 32.0% with 5 points and 5.1% with
  one: these 20 are a harder draw of photos the generator never saw. Chosen there by rules
  written first, nothing beat the shipped settings by the rules' bar: a coordinate search
  over the field's scale, caps, reach, feature and loosen (best +0.28 points;
  `color-hints-val-tuning.md`), a gate fading several points' loan at pixels unlike every
  point (+0.11; `color-hints-coverage.md`), the field fitted to CIEDE2000 itself (-0.05;
  `color-hints-field-loss.md`), two coverage features (`color-hints-field-coverage.md`), a
  convolutional gate on the field (`color-hints-hintnet.md`), the field fitted on 144
  photos no generator trained on (+0.16, the worst photo -34% against -42%;
  `color-hints-field-unseen.md`). The field's loss on 15 of those 71 photos comes from five
  points that all lie on one surface (a floor, blinds behind a shirt): they agree, and
  their residual is lent as a cast to the object none of them sampled.
- Edits: a fresh run here is ~0.3-0.4 CPU s (one thread, context and retrieval on). An edit
  with one more point runs only the new point's geodesic distance and the final blend (cast,
  slope, field, the edge-snapped layers, the full-size L*a*b* -> RGB): the photo's base run
  keeps steps 2-6, the encoder's descriptors at the spread grid, the L* there and its step
  costs, and each earlier point's distance, descriptor distance and likeness (`SpreadMemo`).
  A point's geodesic search stops past reach + fade (+16 split lengths), beyond which its
  distance changes no weight (the search over the whole grid was most of an edit; the
  output is the same to the 8-bit level). The first hinted run (0 -> 1 point) builds the
  descriptors; the edit with one more hint (1 -> 2 points, a new second point each of the
  two timed runs) is what the acceptance names.
- Timings are CPU seconds (getrusage, this process and its children) on this shared 2-core
  machine (wall time there measures the other work too): read the ratio.
"""
# The tuning grids (train photos only): (the PipelineConfig field, its config, the values).
# The spread: reach and how strict edges are matter most. The cast (no field) and the field
# (uncapped) of several points: `colorizer.pipeline.hint_balance`.
TUNE_GRIDS = {
    "spread": ("hint_spread", SpreadConfig,
               {"edge": (0.5, 1.0), "tone": (12.0, 20.0), "reach": (0.6, 1.0, 1.6)}),
    "cast": ("hint_balance", BalanceConfig,
             {"shrink": (0.5, 1.0, 2.0), "gain": (0.75, 1.0, 1.25), "field_cap": (0.0,)}),
    "field": ("hint_balance", BalanceConfig,
              {"field_feature": (0.3, 0.5, 0.8, 1.2), "field_tone": (10.0, 15.0, 25.0, 40.0),
               "field_cap": (1e9,)}),
    "slope": ("hint_balance", BalanceConfig,
              {"slope_gain": (0.5, 1.0), "slope_shrink": (0.5, 1.0, 2.0, 4.0)}),
    "slope-edge": ("hint_balance", BalanceConfig,
                   {"slope_gain": (1.0,), "slope_shrink": (0.25, 0.125, 0.0)}),
    "one": ("hint_balance", BalanceConfig, {"one_point_cap": (0.0, 4.0, 16.0, 1e9)}),
}
TUNE_FLAGS = slice(6, 12)  # flag scenes 7-12 for the one-point grid (1-6: the acceptance's)


def photos(split: str, limit: int, shared: Path = SHARED_DATASETS) -> list[Path]:
    """The first `limit` photos of `split` of `shared`/photos-train, in the seed-1 shuffle."""
    files = list_photos(shared / TRAIN_PHOTOS, split, VAL_FRACTION)
    order = np.random.default_rng(1).permutation(len(files))
    return [files[i] for i in order[:limit]]


def run_photos(pipe: ColorizationPipeline, split: str, limit: int, log=print,
               shared: Path = SHARED_DATASETS):
    scores = []
    for i, path in enumerate(photos(split, limit, shared)):
        score = score_photo(pipe, path.name, load_truth(path), np.random.default_rng([0, i]))
        scores.append(score)
        log(f"{path.name[:40]:40s} dE {score.de_none:5.2f} -> 1 pt {score.de_one:5.2f}, "
            f"5 pts {score.de_five:5.2f}; bleed {score.bleed:.3f}; edit "
            f"{score.edit_s:.2f} s / fresh {score.fresh_s:.2f} s")
    return scores


def verdicts(summary: dict[str, float], flags: list[dict[str, object]]) -> dict[str, bool]:
    return {
        "5 points cut mean CIEDE2000 by >= 30%": summary["reduction_five_points"] >= 0.30,
        "1 point cuts mean CIEDE2000 by >= 10%": summary["reduction_one_point"] >= 0.10,
        "hinted point within CIEDE2000 5 of its color": summary["at_point"] <= 5.0,
        "its segment within CIEDE2000 10": summary["over_segment"] <= 10.0,
        "change outside the segment <= 1 on average": summary["bleed"] <= 1.0,
        "one point colors the flag (>= 80% of its red cloth reached, mean over scenes)":
            float(np.mean([f["flag_reached"] for f in flags])) >= 0.8 if flags else False,
        "... and nothing beyond it (mean change <= 1)":
            float(np.mean([f["outside_change"] for f in flags])) <= 1.0 if flags else False,
        "an edit with one more hint takes <= 30% of a fresh run (median)":
            summary["edit_ratio_median"] <= 0.30,
    }


def markdown(report: dict) -> str:
    s = report["summary"]
    first_point = (
        f"First point: CIEDE2000 to its color {s['at_point']:.2f} at the point, "
        f"{s['over_segment']:.2f} over its segment (the truth's Felzenszwalb segment, "
        f"{100 * s['segment_share']:.1f}% of the photo on average); change outside the "
        f"segment {s['bleed']:.3f} on average (worst photo {s['bleed_max']:.3f}).")
    edits = (f"Fresh run {s['fresh_s']:.2f} s; first hinted run (0 -> 1 point) "
             f"{s['first_hint_s']:.2f} s, median {100 * s['first_hint_ratio_median']:.1f}% of "
             f"a fresh run (it builds the descriptors at the spread grid, kept for later "
             f"edits); edit with one more hint (1 -> 2 points) {s['edit_s']:.2f} s (mean CPU "
             f"seconds, {report['threads']} torch thread(s), the faster of two runs); edit / "
             f"fresh: median {100 * s['edit_ratio_median']:.1f}%, mean "
             f"{100 * s['edit_ratio_mean']:.1f}%.")
    lines = [f"# Color hints (issue 19) — {report['created']}", "",
             f"`{report['command']}`; pipeline: {report['pipeline']}.", "",
             "## Verdicts", ""]
    lines += [f"- {'PASS' if ok else 'FAIL'}: {name}" for name, ok in report["verdicts"].items()]
    lines += ["", f"## {s['photos']} val-split photos, random points of their true color", "",
              "| | mean CIEDE2000 | reduction |", "|---|---|---|",
              f"| no hints | {s['de_none']:.3f} | |",
              f"| 1 point | {s['de_one_point']:.3f} | {100 * s['reduction_one_point']:.1f}% |",
              f"| 5 points | {s['de_five_points']:.3f} | {100 * s['reduction_five_points']:.1f}% |",
              "", first_point, "", "## Fast edits", "", edits, "", "## One point on a flag", "",
              ("| scene | flag share | red cloth reached | CIEDE2000 to the red | change off "
               "the flag |"), "|---|---|---|---|---|"]
    lines += [f"| {f['scene']} ({f['background'][:30]}) | {100 * f['flag_share']:.1f}% | "
              f"{100 * f['flag_reached']:.1f}% | {f['flag_de_to_hint']:.2f} | "
              f"{f['outside_change']:.3f} |" for f in report["flags"]]
    lines += ["", "![one point on a flag](color-hints-flag.png)", "", NOTES]
    return "\n".join(lines)


def tune(limit: int, which: str, context: bool, shared: Path = SHARED_DATASETS
         ) -> list[dict]:
    """Mean reductions and bleed per grid point on train-split photos (never the val ones)."""
    rows = []
    name, kind, grid = TUNE_GRIDS[which]
    base = ColorizationPipeline.from_pretrained(context=context, exemplars=context)
    for values in itertools.product(*grid.values()):
        settings = replace(kind(), **dict(zip(grid, values)))
        pipe = base.with_config(**{name: settings})
        summary = summarize(run_photos(pipe, "train", limit, lambda _: None, shared))
        rows.append({**dict(zip(grid, values)), **{k: summary[k] for k in (
            "reduction_one_point", "reduction_five_points", "bleed")}})
        if which == "one":  # what one point's field does beyond a flag
            flags = [score_flag(pipe, scene, np.random.default_rng([7, i]))[0] for i, scene
                     in enumerate(flag_scenes(TUNE_FLAGS.stop, shared)[TUNE_FLAGS])]
            rows[-1].update({f"flags_{key}": float(np.mean([f[key] for f in flags]))
                             for key in ("flag_reached", "outside_change")})
        print(rounded(rows[-1], 4), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.color_hints", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=20, help="photos (default 20)")
    parser.add_argument("--flags", type=int, default=6, help="flag scenes (default 6)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: the edit timings are CPU seconds)")
    parser.add_argument("--no-context", action="store_true",
                        help="context and retrieval off (faster; fresh runs are then cheaper)")
    parser.add_argument("--tune", nargs="?", const="spread", choices=sorted(TUNE_GRIDS),
                        help="grid over the spread (default), the cast, the field, the slope "
                             "or one point's field settings, on train photos")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR,
                        help="folder of the report (default eval/results; a --limit other "
                             "than 20 writes elsewhere unless --out is given)")
    add_shared_argument(parser, f"{TRAIN_PHOTOS}/ and flags/")
    args = parse_eval_args(parser, argv)
    shared, asked = shared_datasets(args)
    scenes = args.flags > 0 if not args.tune else args.tune == "one"  # flag scenes
    if problem := absent_data(shared, TRAIN_PHOTOS, *(("flags",) if scenes else ())):
        return missing_data(asked, "color_hints", problem)
    torch.set_num_threads(args.threads)
    if args.tune:
        rows = tune(args.limit, args.tune, not args.no_context, shared)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"color-hints-tuning-{args.tune}.json").write_text(
            json.dumps(rounded(rows), indent=1))
        return 0
    context = not args.no_context
    pipe = ColorizationPipeline.from_pretrained(context=context, exemplars=context)
    scores = run_photos(pipe, "val", args.limit, shared=shared)
    summary = summarize(scores)
    flags, picture = [], None
    for i, scene in enumerate(flag_scenes(args.flags, shared)):
        score, sheet = score_flag(pipe, scene, np.random.default_rng([7, i]))
        flags.append(score)
        picture = picture or sheet
        print(f"flag {scene.id}: reached {score['flag_reached']:.3f}, outside change "
              f"{score['outside_change']:.3f}", flush=True)
    report = {"created": now(), "command": "python -m eval.color_hints " + " ".join(
        argv if argv is not None else sys.argv[1:]),
              "pipeline": f"default weights, context and retrieval {'on' if context else 'off'}",
              "threads": args.threads,
              "spread": asdict(pipe.config.hint_spread),
              "balance": asdict(pipe.config.hint_balance), "targets": TARGETS,
              "summary": summary, "verdicts": verdicts(summary, flags), "flags": flags,
              "photos": [s.to_dict() for s in scores]}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "color-hints.json").write_text(json.dumps(rounded(report), indent=1) + "\n")
    (args.out / "color-hints.md").write_text(markdown(report))
    if picture is not None:
        picture.save(args.out / "color-hints-flag.png")
    print(markdown(report))
    return 0
