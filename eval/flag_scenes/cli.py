"""Flag scenes unlike our training renders: is Soviet red cloth red in photos as they show it?

`python -m eval.flag_scenes`: build the scenes, run the pipeline, write the report files.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from PIL import Image

from eval.common import (
    TRAIN_PHOTOS,
    VAL_FRACTION,
    absent_data,
    add_shared_argument,
    configure_logging,
    missing_data,
    now,
    parse_eval_args,
    parse_setting,
    positive_int,
    rounded,
    shared_datasets,
    with_settings,
)
from eval.flag_scenes.definitions import (
    GRAIN,
    LEAK_DILATE,
    ORTHOCHROMATIC,
    OUT_DIR,
    RED_CHROMA,
    RED_HUE,
    RED_SHARE,
    STRONG_CHROMA,
    TARGETS,
)
from eval.flag_scenes.report import markdown, sheet, sheet_ids
from eval.flag_scenes.scenes import FlagScene, build_scenes
from eval.flag_scenes.scoring import score_scenes
from eval.flags.backgrounds import LONG_SIDE

if TYPE_CHECKING:  # annotations only: the pipeline is imported where it is built
    from colorizer.pipeline.colorization import ColorizationPipeline


def configured(pipe: ColorizationPipeline, changes: dict[str, Any]
               ) -> ColorizationPipeline:
    """`pipe.with_config(...)` with `changes`; "section.field" keys change one field of the
    nested config `pipe.config.section` (a frozen dataclass: unknown fields raise)."""
    return with_settings(pipe, list(changes.items()))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.flag_scenes",
                                description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, default=None,
                   help="a model folder (save_pretrained); default: the embedded weights")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--no-baseline", action="store_true",
                   help="skip the Soviet scenes' no-hint, no-caption condition")
    p.add_argument("--no-context", action="store_true",
                   help="no context encoder (hints still query retrieval; captions go unread)")
    p.add_argument("--set", dest="settings", type=parse_setting, action="append", default=[],
                   metavar="KEY=VALUE",
                   help="pipeline setting for with_config, JSON value (repeatable); "
                        "transfer.KEY sets the transfer config")
    p.add_argument("--scenes", type=positive_int, default=60, help="Soviet scenes (%(default)s)")
    p.add_argument("--controls", type=int, default=30, help="bare photos (%(default)s)")
    p.add_argument("--others", type=int, default=6,
                   help="scenes of each other flag, own hint, report only (%(default)s)")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="at most N scenes of each group (quick runs)")
    p.add_argument("--seed", type=int, default=0, help="scene seed, >= 0 (default: 0)")
    p.add_argument("--long-side", type=positive_int, default=LONG_SIDE,
                   help="scene size, px (default: %(default)s, as flag_bench)")
    p.add_argument("--threads", type=positive_int, default=1,
                   help="torch CPU threads (default: 1, the dev machine is shared)")
    p.add_argument("--out", type=Path, default=OUT_DIR, help="default: eval/results/flag-scenes")
    add_shared_argument(p, f"flags/ and {TRAIN_PHOTOS}/")
    return p


def main(argv: list[str] | None = None,
         pipeline: ColorizationPipeline | None = None) -> dict[str, Any] | int:
    """Run the benchmark and write its files; `pipeline` replaces the one built from --weights.
    Returns the report, or 0 when the data is absent at the default --shared (skipped)."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_eval_args(build_parser(), argv)
    args.shared, asked = shared_datasets(args)
    if problem := absent_data(args.shared, "flags", TRAIN_PHOTOS):
        return missing_data(asked, "flag_scenes", problem)
    configure_logging()
    torch.set_num_threads(args.threads)
    started, clock = now(), time.perf_counter()
    limit = args.limit or max(args.scenes, args.controls, args.others)
    scenes = build_scenes(min(args.scenes, limit), min(args.controls, limit),
                          min(args.others, limit), args.seed, args.shared,
                          long_side=args.long_side)
    if pipeline is None:
        from colorizer.pipeline.colorization import ColorizationPipeline

        pipeline = ColorizationPipeline.from_pretrained(args.weights, device=args.device,
                                                        context=not args.no_context)
    changes = dict(args.settings)
    try:
        pipeline = configured(pipeline, changes)
    except ValueError as exc:  # an unknown or out-of-range --set
        raise SystemExit(f"error: --set: {exc}") from None
    keep, outputs = sheet_ids(scenes), {}

    def on_output(scene: FlagScene, condition: str, image: Image.Image) -> None:
        if scene.id in keep:
            outputs[(scene.id, condition)] = image

    scored = score_scenes(pipeline, scenes, on_output, not args.no_baseline)
    report = rounded(digits=4, value={
        "schema": 1, "command": "python -m eval.flag_scenes " + shlex.join(argv),
        "started_at": started, "finished_at": now(),
        "seconds": time.perf_counter() - clock, "model": pipeline.model_info.to_dict(),
        "pipeline": asdict(pipeline.config) if is_dataclass(pipeline.config) else None,
        "settings": {"seed": args.seed, "limit": args.limit, "device": args.device,
                     "long_side": args.long_side,
                     "context": not args.no_context, "set": changes,
                     "red_hue": list(RED_HUE), "red_chroma": RED_CHROMA,
                     "strong_chroma": STRONG_CHROMA, "red_share": RED_SHARE,
                     "leak_dilate_px": LEAK_DILATE, "orthochromatic": list(ORTHOCHROMATIC),
                     "grain": GRAIN, "targets": TARGETS,
                     "backgrounds": f"photos-train test split (val_fraction={VAL_FRACTION})"},
        **scored,
    })
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "flag_scenes.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False, allow_nan=False) + "\n",
        encoding="utf-8")
    table = markdown(report)
    (args.out / "flag_scenes.md").write_text(table, encoding="utf-8")
    by_id = {r["id"]: r for r in report["records"]}
    sheet(scenes, outputs, by_id).save(args.out / "sheet.png")
    print(table)
    return report
