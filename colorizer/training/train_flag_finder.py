"""Train the flag/banner cloth finder (`colorizer/model/flag_finder.py`) on synthetic scenes.

    python -m colorizer.training.train_flag_finder --out colorizer/weights/default

1. Photos: the train split (`list_photos(..., "train", 0.05)`) of photos-train; a share of
   them, chosen by another byte of the file name's hash, is held out of finder training and
   builds this module's own validation scenes. Never the val or test split (those score the
   colorizer; the val split's photos only serve the leak check below, without flags).
2. Scenes, drawn here and only here (never eval/flag_scenes.py, which must stay unlike them):
   0-6 cloths on a photo cropped to 512 x 384 (the pipeline's render size), each 1-30% of
   the photo: the flags folder's designs (all of them, rasterised with resvg), plain cloths,
   cloths with a star, stripes or a border, text banners (Latin and Cyrillic words);
   a projective warp, folds (sines of random direction, shaded), the sag of a hung banner, a
   pole, occlusion by a patch of another photo. Half of the scenes have no cloth at all
   (the finder must stay silent on most photos), half of those drawn from photos with much
   red in them (red objects that are not flags).
   Film: panchromatic L*, orthochromatic or blue-sensitive (red dark), contrast, blur, grain.
   With `--hard-negatives N` (flag_finder_mining.py), a first-round finder (fitted here,
   or `--mine-with FOLDER`) scores `--probe` fit photos as the pipeline sees them, and N
   flag-free scenes are drawn again from the `--mined` most cloth-like: what it confused
   with cloth becomes a negative of the final fit (`--mine-extra`: the probed photos drawn
   from photos-train-extra's train-split buildings and streets too). With `--uniforms SHARE`, that share of
   the cloths is plain uniform cloth in a military dye (`flag_finder_cloth.uniform_cloth`;
   measured for the check, not shipped: eval/results/check-finder-v3.md). With
   `--lettering SHARE`, that share of the flag-free scenes has words painted on the photo
   itself (a slide's title card): lettering that is not cloth.
3. The frozen generator's encoder maps of each scene (`ColorGenerator.encode`, the pipeline's
   step 3) are cached in memory; the target of each stride-8 cell is its share of visible
   cloth. The head is fitted by class-balanced BCE with Adam on the cached maps (cached in
   ~/.cache/chronochrome/training/flag-finder too, or under $CHRONOCHROME_CACHE, so a refit
   skips the drawing and encoding).
4. Reported: CPU time, cell precision/recall on the held-out scenes, and the thresholds'
   effect there and on val-split photos without flags (what the finder fires on there is
   what could leak color for a hint like "USSR 1950").

The cloths are drawn in `flag_finder_cloth.py`, the scenes made, split and encoded in
`flag_finder_scenes.py`, the head fitted and scored in `flag_finder_fit.py`; this module is
the command line, and re-exports their names.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from colorizer.model.flag_finder import FlagFinder, FlagFinderConfig
from colorizer.model.generator import ColorGenerator
from colorizer.training.data import list_photos

# The scene maker and the fit live in their own modules; their names stay importable from here
# (tests and notebooks use `train_flag_finder.place_cloth`, `.fit`, ...).
from colorizer.training.flag_finder_cloth import (
    FONT_DIR,
    FONTS,
    SCENE_H,
    SCENE_W,
    WORDS,
    Placed,
    draw_pole,
    drawn_cloth,
    load_designs,
    place_cloth,
    rasterize_svg,
)
from colorizer.training.flag_finder_fit import (
    cell_scores,
    channel_statistics,
    evidence,
    fit,
    pipeline_view_check,
    predict,
    report,
    val_photo_maps,
)
from colorizer.training.flag_finder_mining import hard_negative_scenes, joined, mine
from colorizer.training.flag_finder_scenes import (
    CACHE_DIR,
    CACHE_VERSION,
    HOLDOUT,
    PANCHROMATIC,
    VAL_FRACTION,
    Cached,
    Scene,
    build_cached,
    cached_scenes,
    cell_targets,
    encode_scenes,
    film_lightness,
    finder_split,
    load_scene_photo,
    make_scene,
    red_share,
)

__all__ = [
    "CACHE_DIR", "CACHE_VERSION", "DEFAULT_DATASETS", "DEFAULT_WEIGHTS", "FONTS", "FONT_DIR",
    "HOLDOUT", "PANCHROMATIC", "REPO", "SCENE_H", "SCENE_W", "VAL_FRACTION", "WORDS", "Cached",
    "Placed", "Scene", "build_cached", "cached_scenes", "cell_scores", "cell_targets",
    "channel_statistics", "draw_pole", "drawn_cloth", "encode_scenes", "evidence",
    "film_lightness", "finder_split", "fit", "load_designs", "load_scene_photo", "main",
    "make_scene", "pipeline_view_check", "place_cloth", "predict", "rasterize_svg", "red_share",
    "report", "val_photo_maps",
]

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
DEFAULT_WEIGHTS = REPO / "colorizer" / "weights" / "default"
PROG = "python -m colorizer.training.train_flag_finder"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS,
                   help="generator weights whose (frozen) encoder the finder reads")
    p.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    p.add_argument("--scenes", type=int, default=2000, help="training scenes")
    p.add_argument("--val-scenes", type=int, default=300, help="held-out scenes")
    p.add_argument("--val-photos", type=int, default=300,
                   help="flag-free val-split photo views (the ~100 photos, several films)")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--top-cells", type=int, default=12)
    p.add_argument("--hard-negatives", type=int, default=0,
                   help="flag-free scenes drawn from the fit photos a first-round finder "
                        "takes for cloth (flag_finder_mining.py); 0: none (flag-finder-v1)")
    p.add_argument("--probe", type=int, default=1000,
                   help="fit photos the first-round finder scores for --hard-negatives")
    p.add_argument("--mined", type=int, default=150,
                   help="most cloth-like of the probed photos that the negatives are drawn from")
    p.add_argument("--mine-extra", action="store_true",
                   help="also mine photos-train-extra's train-split buildings and streets "
                        "(the finder took church walls for cloth: rule 34)")
    p.add_argument("--mine-with", type=Path, default=None,
                   help="a folder with a first-round flag_finder.safetensors (default: fit one)")
    p.add_argument("--uniforms", type=float, default=0.0,
                   help="share of the training scenes' cloths drawn as plain uniform cloth "
                        "(flag_finder_cloth.uniform_cloth); 0: none (flag-finder-v1)")
    p.add_argument("--lettering", type=float, default=0.0,
                   help="share of the flag-free training scenes with words painted on the "
                        "photo's own ground (flag_finder_cloth.photo_lettering); 0: none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--evaluate", action="store_true",
                   help="only score the finder saved in --out on the held-out scenes and "
                        "val-split photos (threshold choice)")
    return p


def _frozen_generator(weights: Path) -> ColorGenerator:
    generator = ColorGenerator.from_pretrained(weights).eval()
    for param in generator.parameters():
        param.requires_grad_(False)
    return generator


@dataclass(frozen=True)
class _Sources:
    """What the scenes are drawn from (step 1 and 2 of the module docstring)."""

    fit: list[Path]  # train-split photos the finder trains on
    holdout: list[Path]  # train-split photos of its own held-out scenes
    reds: list[Path]  # fit photos with much red: the hard negatives
    designs: list[np.ndarray]  # the flags folder's designs, rasterised


def _sources(datasets: Path, seed: int) -> _Sources:
    train_photos = list_photos(datasets / "photos-train", "train", VAL_FRACTION)
    fit_photos = [q for q in train_photos if finder_split(q) == "fit"]
    hold_photos = [q for q in train_photos if finder_split(q) == "holdout"]
    rng = np.random.default_rng(seed)
    # Hard negatives come from a random 800 of the fit photos, not all of them.
    probe = [fit_photos[i] for i in rng.permutation(len(fit_photos))[:800]]
    reds = [q for q in probe if red_share(q) > 0.03]
    designs = load_designs(datasets / "flags")
    print(f"{len(fit_photos)} fit / {len(hold_photos)} held-out photos, {len(reds)} red "
          f"negatives, {len(designs)} designs", flush=True)
    return _Sources(fit_photos, hold_photos, reds, designs)


def _encoded(args: argparse.Namespace, generator: ColorGenerator, sources: _Sources,
             strides: tuple[int, ...]) -> tuple[Cached | None, Cached, Cached]:
    """Training scenes (None with --evaluate), held-out scenes and the flag-free val-split
    photo views, each encoded once and cached under /tmp by its count and seed."""
    variant = (f"-u{args.uniforms:g}" if args.uniforms > 0 else "") + \
        (f"-l{args.lettering:g}" if args.lettering > 0 else "")  # "": v1's cache key as before
    train = None if args.evaluate else cached_scenes(
        f"train-{args.scenes}-{args.seed}{variant}", lambda: build_cached(
            generator, sources.fit, sources.reds, sources.designs, args.scenes, args.seed,
            strides, uniforms=args.uniforms, lettering=args.lettering))
    held = cached_scenes(f"held-{args.val_scenes}-{args.seed}", lambda: build_cached(
        generator, sources.holdout, sources.reds[:0], sources.designs, args.val_scenes,
        args.seed + 1, strides))
    negatives = cached_scenes(f"val-{args.val_photos}-{args.seed}", lambda: Cached(
        val_photo_maps(generator, args.datasets / "photos-train", args.val_photos,
                       strides, args.seed + 2), torch.zeros(args.val_photos, 1, 1, 1)))
    # The val photos have no cloth targets: rebuild their targets from the maps' own count.
    maps = negatives.maps
    return train, held, Cached(maps, torch.zeros(len(maps[8]), 1, 1, 1))


def architecture(datasets: Path) -> list[Path]:
    """photos-train-extra's train-split buildings and streets (its held-out half never)."""
    photos = list_photos(datasets / "photos-train-extra", "train", VAL_FRACTION)
    return [q for q in photos if q.name.startswith(("intel__buildings", "intel__street"))]


def _fitted(args: argparse.Namespace, generator: ColorGenerator, sources: _Sources,
            train: Cached, config: FlagFinderConfig) -> FlagFinder:
    """The finder fitted on the training scenes; with --hard-negatives, fitted again with
    flag-free scenes of the fit photos a first-round finder takes for cloth."""
    if args.hard_negatives <= 0:
        return fit(train, config, args.epochs, args.seed)
    first = (FlagFinder.from_pretrained(args.mine_with) if args.mine_with is not None
             else fit(train, config, args.epochs, args.seed))
    pool = sources.fit + (architecture(args.datasets) if args.mine_extra else [])
    key = (f"hard-{args.hard_negatives}-{args.probe}-{args.mined}-{args.seed}"
           + ("-x" if args.mine_extra else ""))
    hard = cached_scenes(key, lambda: hard_negative_scenes(
        generator, mine(generator, first, pool, args.probe, args.mined,
                        args.top_cells, args.seed + 3),
        sources.fit, args.hard_negatives, args.seed + 4, config.strides))
    return fit(joined(train, hard), config, args.epochs, args.seed)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    start_wall, start_cpu = time.time(), time.process_time()
    config = FlagFinderConfig()
    generator = _frozen_generator(args.weights)
    sources = _sources(args.datasets, args.seed)
    train, held, negatives = _encoded(args, generator, sources, config.strides)
    print(f"scenes encoded: {time.time() - start_wall:.0f} s", flush=True)
    model = FlagFinder.from_pretrained(args.out) if train is None else _fitted(
        args, generator, sources, train, config)
    scores = report(predict(model, held), held.targets, predict(model, negatives),
                    args.top_cells)
    seconds_cpu = time.process_time() - start_cpu
    seconds = time.time() - start_wall
    figures: dict[str, object] = {
        **scores, "wall_s": round(seconds), "cpu_s": round(seconds_cpu), "scenes": args.scenes,
        "val_scenes": args.val_scenes, "val_photos": args.val_photos, "epochs": args.epochs}
    print(json.dumps(figures, indent=1))
    if args.evaluate:
        checks = pipeline_view_check(generator, model, args.datasets / "photos-train",
                                     args.top_cells, (0.7, 0.9),
                                     ((0.96, 0.98), (0.99, 0.995), (0.995, 0.998)))
        print(json.dumps(checks, indent=1))
        return 0
    path = model.save_pretrained(args.out, metadata={
        "command": " ".join([PROG, *(argv or sys.argv[1:])]), "figures": json.dumps(figures)})
    print(f"wrote {path} ({seconds:.0f} s wall, {seconds_cpu:.0f} s CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
