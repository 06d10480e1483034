"""Flag benchmark (issue 6): does context make a Soviet flag red, and other flags their own colors?

`python -m eval.flag_bench`: build the scenes, run the pipeline, write flags.json and flags.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.common import (
    PARTIAL_RUNS,
    RESULTS_DIR,
    TRAIN_PHOTOS,
    VAL_FRACTION,
    absent_data,
    add_shared_argument,
    configure_logging,
    missing_data,
    now,
    parse_eval_args,
    positive_int,
    rounded,
    shared_datasets,
)
from eval.flag_bench.report import markdown
from eval.flag_bench.scenes import MASK_ERODE, REGION_ERODE, SHARE_RANGE, build_scenes
from eval.flag_bench.scoring import RED_HUE, RED_MIN_CHROMA, per_flag, run_scene, summarize
from eval.flags.backgrounds import LONG_SIDE, background_photos
from eval.flags.designs import CHROMATIC, MIN_REGION_SHARE, OTHERS, SOVIET, load_flag
from eval.flags.measure import CHROMA_RATIO, HUE_TOLERANCE

if TYPE_CHECKING:  # annotations only: the pipeline is imported where it is built
    from colorizer.pipeline.colorization import ColorizationPipeline

log = logging.getLogger("chronochrome.eval.flags")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.flag_bench",
                                description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, default=None,
                   help="a model folder (save_pretrained); default: the embedded weights")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--temperature", type=float, default=None,
                   help="override the model's operating point (default: its config)")
    p.add_argument("--chroma-scale", type=float, default=None,
                   help="override the model's chroma scale (default: its config)")
    p.add_argument("--name", default="flags", help="output stem: <out>/<name>.json/.md")
    p.add_argument("--soviet-scenes", type=positive_int, default=24, help="default: %(default)s")
    p.add_argument("--scenes-per-flag", type=positive_int, default=6,
                   help="scenes of each other design (default: %(default)s)")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="at most N scenes per design (quick runs)")
    p.add_argument("--seed", type=int, default=0, help="scene layout seed (default: 0)")
    p.add_argument("--out", type=Path, default=RESULTS_DIR,
                   help=f"default: eval/results (a --limit run: under {PARTIAL_RUNS})")
    add_shared_argument(p, f"flags/ and {TRAIN_PHOTOS}/")
    p.add_argument("--save-scenes", type=Path, default=None, metavar="DIR",
                   help="write each scene's truth, gray inputs, mask and outputs here")
    return p


def main(argv: list[str] | None = None,
         pipeline: ColorizationPipeline | None = None) -> dict[str, Any] | int:
    """Run the benchmark; `pipeline` replaces the one built from --weights (tests). Returns
    the report, or 0 when the data is absent at the default --shared (skipped)."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_eval_args(build_parser(), argv)
    args.shared, asked = shared_datasets(args)
    if problem := absent_data(args.shared, "flags", TRAIN_PHOTOS):
        return missing_data(asked, "flag_bench", problem)
    configure_logging()
    started, clock = now(), time.perf_counter()
    flags = [load_flag(args.shared / "flags", spec) for spec in (SOVIET, *OTHERS)]
    counts = {SOVIET.file: args.soviet_scenes,
              **{spec.file: args.scenes_per_flag for spec in OTHERS}}
    counts = {k: min(v, args.limit or v) for k, v in counts.items()}
    scenes = build_scenes(flags, background_photos(args.shared), counts, args.seed)
    if pipeline is None:
        from colorizer.pipeline.colorization import ColorizationPipeline

        knobs = {k: v for k, v in (("temperature", args.temperature),
                                   ("chroma_scale", args.chroma_scale)) if v is not None}
        pipeline = ColorizationPipeline.from_pretrained(args.weights, device=args.device,
                                                        context=True, exemplars=True, **knobs)
    if args.save_scenes:
        args.save_scenes.mkdir(parents=True, exist_ok=True)
    records = []
    for index, scene in enumerate(scenes, 1):
        log.info("[%d/%d] %s on %s", index, len(scenes), scene.id, scene.background)
        records.append(run_scene(pipeline, scene, args.save_scenes))
    report = rounded(digits=4, value={
        "schema": 1, "command": "python -m eval.flag_bench " + shlex.join(argv),
        "started_at": started, "finished_at": now(),
        "seconds": time.perf_counter() - clock,
        "model": pipeline.model_info.to_dict(),
        "settings": {"seed": args.seed, "limit": args.limit, "device": args.device,
                     "temperature": args.temperature, "chroma_scale": args.chroma_scale,
                     "long_side": LONG_SIDE, "share_range": list(SHARE_RANGE),
                     "mask_erode_px": MASK_ERODE, "region_erode_px": REGION_ERODE,
                     "red_hue": list(RED_HUE), "red_min_chroma": RED_MIN_CHROMA,
                     "chromatic": CHROMATIC, "min_region_share": MIN_REGION_SHARE,
                     "hue_tolerance": HUE_TOLERANCE, "chroma_ratio": CHROMA_RATIO,
                     "backgrounds": f"photos-train test split (val_fraction={VAL_FRACTION})"},
        "scenes": {"count": len(records), "images": 2 * len(records),
                   "captioned": len(records), "designs": list(counts),
                   "hints": {f.spec.file: f.spec.hint for f in flags}},
        "rows": summarize(records),
        "per_flag": per_flag(records),
        "records": records,
    })
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False,
                                                    allow_nan=False) + "\n", encoding="utf-8")
    table = markdown(report)
    (args.out / f"{args.name}.md").write_text(table, encoding="utf-8")
    print(table)
    return report
