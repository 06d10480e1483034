"""`chronochrome train`: its argument parser and its run (config checks, then the trainer).

The trainer and torch are imported only once the config has passed its checks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from colorizer.errors import ChronochromeError


def add_train_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train a generator from a JSON config",
        description="Train a generator from a JSON config (configs/train/). "
                    "`chronochrome train --config configs/train/smoke.json` tries the trainer "
                    "in seconds. Relative paths in a config inside the repository are from "
                    "its root; in a config elsewhere, from the current folder (output_dir "
                    "defaults to runs/<config name> there). A run resumes from the newest "
                    "checkpoint in its output_dir.")
    p.add_argument("--config", type=Path, required=True, help="e.g. configs/train/lite0-v1.json")
    p.add_argument("--store-class-weights", type=Path, metavar="WEIGHTS_DIR",
                   help="do not train: write the class-rebalancing weights this config's "
                        "training uses into WEIGHTS_DIR (weights saved before the trainer "
                        "stored them), so decoding can undo the rebalancing")


def run_train(args: argparse.Namespace) -> int:
    from colorizer.training.config_check import (
        check_input_paths,
        check_output_dir,
        newest_checkpoint,
    )
    from colorizer.training.train_config import TrainConfig, resolve

    path = args.config
    in_repo = Path(__file__).resolve().parents[2] / path  # the repository root
    if not path.is_file() and not path.is_absolute() and in_repo.is_file():
        path = in_repo  # `configs/train/...` named from outside the repository
    if not path.is_file():
        raise ChronochromeError(f"--config {args.config}: no such file; give the path of a "
                                "training config, e.g. configs/train/lite0-v1.json")
    try:  # every check before a photo is loaded or a file written
        config = TrainConfig.from_json(path)
        check_input_paths(config, resolve)
        if not args.store_class_weights:
            check_output_dir(resolve(config.output_dir))
    except ValueError as exc:
        raise ChronochromeError(f"--config {args.config}: {exc}") from exc
    from colorizer.training.train import store_class_weights, train

    if args.store_class_weights:
        path = store_class_weights(config, args.store_class_weights)
        print(f"class weights of {args.config} written into {path}")
        return 0
    out = resolve(config.output_dir)
    resumed = newest_checkpoint(out)
    if resumed:
        print(f"resuming from {resumed[0]} at step {resumed[1]} of {config.steps}; to start "
              f"afresh, delete {out / 'checkpoints'} or set another output_dir", file=sys.stderr)
    else:
        print(f"training {config.steps} steps into {out}", file=sys.stderr)
    path = train(config)
    print(f"weights written to {path}")
    return 0
