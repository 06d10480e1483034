"""Evaluation report: colorize the luminance of color photos and compare with the originals.

`python -m eval.report`: evaluate the rows on a dataset, write latest*.json and latest*.md.
"""

from __future__ import annotations

import argparse
import logging
import platform
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from colorizer.errors import ChronochromeError
from colorizer.model.encoder import load_imagenet_encoder
from colorizer.model.generator import WEIGHTS_FILE
from colorizer.pipeline.colorization import DEFAULT_WEIGHTS
from eval.common import (
    PARTIAL_RUNS,
    RESULTS_DIR,
    SHARED_DATASETS,
    TRAIN_PHOTOS,
    configure_logging,
    now,
    parse_eval_args,
    positive_int,
)
from eval.datasets import (
    DATASETS,
    DEFAULT_DATASET,
    DatasetUnavailableError,
    EvalDataset,
    folder_dataset,
)
from eval.report.document import build_report, markdown_table, merge_history, write_report
from eval.report.rows import baseline_rows, evaluate, model_row
from eval.report.sepia import MEAN_AB_CACHE, train_mean_ab

log = logging.getLogger("chronochrome.eval")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.report", description=__doc__.split("\n")[0])
    source = p.add_mutually_exclusive_group()
    # --dataset and --shared default to None so that main can tell a typed one (an absent
    # dataset is then an error) from the defaults (then a note: machines without ../shared).
    source.add_argument("--dataset", choices=sorted(DATASETS), default=None,
                        help=f"named dataset under --shared (default: {DEFAULT_DATASET})")
    source.add_argument("--data-dir", type=Path, help="any folder of color photos instead")
    p.add_argument("--weights", type=Path, action="append", default=None,
                   help="a model folder (save_pretrained); repeat for several rows "
                        "(default: colorizer/weights/default when it exists)")
    p.add_argument("--baselines-only", action="store_true",
                   help="no model rows, not even the default weights")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="first N photos only (quick runs)")
    p.add_argument("--out", type=Path, default=RESULTS_DIR,
                   help=f"default: eval/results (a --limit run: under {PARTIAL_RUNS})")
    p.add_argument("--shared", type=Path, default=None,
                   help="the shared datasets folder (default: ../shared/datasets)")
    p.add_argument("--train-dir", type=Path, default=None,
                   help="photos whose mean a*b* tints the sepia baseline "
                        "(default: <shared>/photos-train)")
    p.add_argument("--sepia-ab", type=float, nargs=2, metavar=("A", "B"), default=None,
                   help="use this constant a*b* for the sepia baseline instead")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--render-size", type=int, default=None, help="pipeline render size")
    p.add_argument("--hint", default=None,
                   help="add a row with this hint for every photo (Prokudin-Gorsky default: "
                        "'Russian Empire 1910'; pass '' for none)")
    p.add_argument("--own-exemplar", action="store_true",
                   help="add a row with each photo's augmented color version as exemplar "
                        "(on by default for Prokudin-Gorsky)")
    p.add_argument("--no-context", dest="context", action="store_false",
                   help="switch context inference off (faster; it cannot see captions here)")
    return p


def _default_weights() -> list[Path]:
    return [DEFAULT_WEIGHTS] if (DEFAULT_WEIGHTS / WEIGHTS_FILE).is_file() else []


def _sepia_ab(args: argparse.Namespace) -> tuple[float, float] | None:
    if args.sepia_ab:
        return tuple(args.sepia_ab)  # type: ignore[return-value]
    train_dir = args.train_dir or args.shared / TRAIN_PHOTOS
    if not train_dir.is_dir():
        log.warning("no sepia baseline: %s is absent (or pass --sepia-ab A B)", train_dir)
        return None
    return train_mean_ab(train_dir, args.out / MEAN_AB_CACHE)


def _run_context(argv: list[str], args: argparse.Namespace, started: str,
                 sepia_ab: tuple[float, float] | None) -> dict[str, Any]:
    return {"command": "python -m eval.report " + shlex.join(argv),
            "started_at": started, "finished_at": now(),
            "settings": {"limit": args.limit, "device": args.device,
                         "render_size": args.render_size, "context": args.context,
                         "sepia_ab": list(sepia_ab) if sepia_ab else None},
            "environment": {"python": platform.python_version(), "torch": torch.__version__,
                            "numpy": np.__version__, "machine": platform.machine()}}


def run_report(args: argparse.Namespace, argv: list[str]) -> Path:
    """Evaluate the rows on the chosen dataset, write the JSON and markdown; returns the JSON."""
    started = now()
    dataset = (folder_dataset(args.data_dir) if args.data_dir
               else DATASETS[args.dataset](args.shared))
    if args.limit:
        dataset = EvalDataset(dataset.name, dataset.root, dataset.files[: args.limit],
                              dataset.description + f" (first {args.limit})")
    weights = [] if args.baselines_only else (
        args.weights if args.weights is not None else _default_weights())
    if not weights and not args.baselines_only:
        log.warning("no model weights found: only baselines (pass --weights FOLDER)")
    hint = (args.hint if args.hint is not None else dataset.hint) or None
    own = args.own_exemplar or dataset.own_exemplar
    variants = [(None, False)] + ([(hint, False)] if hint else []) + ([(None, True)] if own else [])
    models = [model_row(w, args.device, args.render_size, args.context, h, o)  # fail early
              for w in weights for h, o in variants]
    sepia_ab = _sepia_ab(args)
    rows = baseline_rows(sepia_ab) + models

    truth = evaluate(dataset, rows, load_imagenet_encoder(include_head=True))
    report = build_report(dataset, rows, truth, _run_context(argv, args, started, sepia_ab))
    report = merge_history(report, args.out, record=not args.limit and not args.data_dir)
    stem = "latest" if dataset.name == DEFAULT_DATASET else f"latest-{dataset.name}"
    json_path, md_path = write_report(report, args.out, stem)
    print(markdown_table(report))
    log.info("wrote %s and %s", json_path, md_path)
    return json_path


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m eval.report` and `python -m eval report`; returns an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_eval_args(build_parser(), argv)
    configure_logging()
    asked = args.shared is not None or args.dataset is not None
    args.shared = SHARED_DATASETS if args.shared is None else args.shared
    args.dataset = args.dataset or DEFAULT_DATASET
    try:
        run_report(args, argv)
    except DatasetUnavailableError as exc:
        # Typed, an absent dataset is a typo to report; left at the defaults, it is a machine
        # without ../shared (CI), which passes.
        print(f"{'error' if asked else 'eval skipped'}: {exc}; pass --shared PATH or "
              "--data-dir FOLDER", file=sys.stderr)
        return 2 if asked else 0
    except (FileNotFoundError, ChronochromeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
