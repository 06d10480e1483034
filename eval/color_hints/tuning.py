"""A fast tuning set for several points' settings (`BalanceConfig`): train-split photos only.

    python -m eval.color_hints.tuning --limit 80 --grid 'slope_shrink=0.25,1' ...

The acceptance's scoring (photos.py) times every run; tuning needs only the errors, so each
photo's base run (steps 2-6) is computed once and every setting reuses it: the hint step and
the full-size merge alone run per setting. The photos are the train split in the seed-1
shuffle, skipping the first `SKIP` (the 24 the first settings were tuned on stay out, so the
set is new to every knob), and the points are drawn from generator (`SEED`, index): other
places than the acceptance's generator (0, index).

`--split val` tunes on photos the generator never trained on, as the acceptance's are: the
val split in the same shuffle after the acceptance's first `ACCEPTANCE` (71 photos), which
are never read here.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from skimage.color import deltaE_ciede2000

from colorizer.model.hint_field import HintField
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.full_size import merge_full_size
from colorizer.pipeline.hint_balance import BalanceConfig
from colorizer.pipeline.hint_spread import SpreadConfig
from colorizer.pipeline.hint_step import apply_hints
from eval import metrics
from eval.color_hints.flag import flag_scenes, score_flag
from eval.color_hints.photos import (
    POINTS,
    load_truth,
    random_points,
    segment_of,
    truth_hints,
)
from eval.common import (
    RESULTS_DIR,
    SHARED_DATASETS,
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    luminance_input,
    missing_data,
    parse_eval_args,
    pixels,
    rounded,
    shared_datasets,
)

SKIP = 24  # the train photos the earlier settings were chosen on
ACCEPTANCE = 20  # the val photos the acceptance scores (`python -m eval.color_hints`)
SEED = 5  # point placement: generator (SEED, index)
SPREAD = "spread."  # a grid name with this prefix is a SpreadConfig field


@dataclass
class TunePhoto:
    """One train photo with its base run and what every setting is scored against."""

    truth_lab: np.ndarray
    lightness: torch.Tensor
    base: object  # colorizer.pipeline.edits.BaseRun
    hints: list
    segment: np.ndarray
    none_lab: np.ndarray
    de_none: float


def tuning_photos(split: str, limit: int, shared: Path = SHARED_DATASETS) -> list[Path]:
    """The tuning set's paths: `limit` photos of `split` after the ones it must skip."""
    from eval.color_hints.cli import photos  # the cli imports this module's caller

    skip = {"train": SKIP, "val": ACCEPTANCE}[split]
    return photos(split, skip + limit, shared)[skip:]


def prepare(pipe: ColorizationPipeline, limit: int, log=print, split: str = "train",
            shared: Path = SHARED_DATASETS) -> list[TunePhoto]:
    out = []
    for i, path in enumerate(tuning_photos(split, limit, shared)):
        truth = load_truth(path)
        gray = luminance_input(truth)
        plain = pipe(gray)
        prepared = pipe.prepare(gray)
        base = pipe.edits.get(prepared.edit_key)
        points = random_points(np.random.default_rng([SEED, i]), truth.shape[:2], POINTS)
        truth_lab, none_lab = metrics.lab_of(truth), metrics.lab_of(pixels(plain.image))
        out.append(TunePhoto(truth_lab, prepared.lightness, base, truth_hints(truth, points),
                             segment_of(truth, points[0]), none_lab,
                             float(deltaE_ciede2000(truth_lab, none_lab, channel_axis=-1).mean())))
        log(f"{i}: {path.name[:40]} dE {out[-1].de_none:.2f}")
    return out


def output_lab(pipe: ColorizationPipeline, photo: TunePhoto, hints) -> np.ndarray:
    base = photo.base
    hinted = apply_hints(hints, {}, photo.lightness, base.ab_work, base.guide_work, None,
                         pipe.config.hint_spread, base.spread, pipe.config.hint_balance,
                         base.colors.uncertainty, pipe.hint_field,
                         pipe.distribution(base.prediction))
    image = merge_full_size(photo.lightness, hinted.ab, base.colors.uncertainty.float(),
                            base.colors.context_weight.float()).image
    return metrics.lab_of(pixels(image))


def score(pipe: ColorizationPipeline, photos: list[TunePhoto]) -> dict[str, float]:
    """Mean 1- and 5-point reductions (ratios of means, as the acceptance) and the first
    point's change outside its segment."""
    none, one, five, bleed = [], [], [], []
    for photo in photos:
        one_lab = output_lab(pipe, photo, photo.hints[:1])
        five_lab = output_lab(pipe, photo, photo.hints)
        none.append(photo.de_none)
        one.append(float(deltaE_ciede2000(photo.truth_lab, one_lab, channel_axis=-1).mean()))
        five.append(float(deltaE_ciede2000(photo.truth_lab, five_lab, channel_axis=-1).mean()))
        change = deltaE_ciede2000(photo.none_lab, one_lab, channel_axis=-1)
        bleed.append(float(change[~photo.segment].mean()))
    half = len(photos) // 2
    return {"reduction_one_point": 1 - np.mean(one) / np.mean(none),
            "reduction_five_points": 1 - np.mean(five) / np.mean(none),
            # the two halves: a choice that generalises helps both
            "five_first_half": 1 - np.mean(five[:half]) / np.mean(none[:half]),
            "five_second_half": 1 - np.mean(five[half:]) / np.mean(none[half:]),
            "one_first_half": 1 - np.mean(one[:half]) / np.mean(none[:half]),
            "one_second_half": 1 - np.mean(one[half:]) / np.mean(none[half:]),
            # the photo five points hurt most (do no harm: what a mean hides)
            "five_worst": float(min(1 - f / n for f, n in zip(five, none))),
            "bleed": float(np.mean(bleed)), "de_none": float(np.mean(none))}


def parse_grid(items: list[str]) -> dict[str, tuple[float, ...]]:
    """['name=v1,v2', ...] -> {name: (v1, v2)}."""
    grid = {}
    for item in items:
        name, values = item.split("=")
        grid[name] = tuple(float(v) for v in values.split(","))
    return grid


def settings(chosen: dict[str, float]) -> tuple[BalanceConfig, SpreadConfig]:
    """The defaults with a grid point's values: `spread.NAME` a `SpreadConfig` field, any
    other name a `BalanceConfig` one (an unknown name: a TypeError)."""
    spread = {k.removeprefix(SPREAD): v for k, v in chosen.items() if k.startswith(SPREAD)}
    balance = {k: v for k, v in chosen.items() if not k.startswith(SPREAD)}
    return replace(BalanceConfig(), **balance), replace(SpreadConfig(), **spread)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.color_hints.tuning",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=80, help="photos (default 80)")
    parser.add_argument("--split", choices=("train", "val"), default="train",
                        help="train: photos the earlier settings were not chosen on; val: "
                             "the val photos outside the acceptance's 20 (module docstring)")
    parser.add_argument("--flags", action="store_true",
                        help="also one point on flag scenes 7-12 (always with --field)")
    parser.add_argument("--grid", nargs="*", default=[],
                        help="BalanceConfig fields, e.g. field_cap=5,10, or SpreadConfig ones as "
                             "spread.reach=1,1.6 (default: the defaults)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON rows: a bare file name goes under eval/results/, a path "
                             "with a folder is taken as given")
    parser.add_argument("--field", nargs="*", default=None,
                        help="learned hint fields to compare (folders with "
                             "hint_field.safetensors; 'none': the hand-written rules)")
    add_shared_argument(parser, f"{TRAIN_PHOTOS}/ and flags/")
    args = parse_eval_args(parser, argv)
    shared, asked = shared_datasets(args)
    out = args.out and (RESULTS_DIR / args.out if args.out.parent == Path() else args.out)
    if out and not out.parent.is_dir():  # say so now, not after the whole run
        parser.error(f"--out {args.out}: folder {out.parent} does not exist")
    scenes = args.flags or args.field is not None  # flag scenes 7-12 too
    if problem := absent_data(shared, TRAIN_PHOTOS, *(("flags",) if scenes else ())):
        return missing_data(asked, "color_hints.tuning", problem)
    torch.set_num_threads(1)
    pipe = ColorizationPipeline.from_pretrained()
    pipe.edits.size = args.limit + 1  # every photo's base run stays
    photos = prepare(pipe, args.limit, split=args.split, shared=shared)
    grid = parse_grid(args.grid)
    fields = {"default": pipe.hint_field} if args.field is None else {
        f: None if f == "none" else HintField.from_pretrained(f) for f in args.field}
    rows = []
    for (name, field), values in itertools.product(fields.items(),
                                                   itertools.product(*grid.values())):
        chosen = dict(zip(grid, values))
        balance, spread = settings(chosen)
        variant = pipe.with_config(hint_balance=balance, hint_spread=spread)
        variant.hint_field = field
        row = {"field": name, **chosen, **score(variant, photos)}
        if scenes:  # flag scenes 7-12 (1-6: the acceptance's)
            flags = [score_flag(variant, scene, np.random.default_rng([7, i]))[0]
                     for i, scene in enumerate(flag_scenes(12, shared)[6:12])]
            row.update({f"flags_{key}": float(np.mean([f[key] for f in flags]))
                        for key in ("flag_reached", "outside_change")})
        rows.append(rounded(row, 4))
        print(rows[-1], flush=True)
    if out:
        out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
