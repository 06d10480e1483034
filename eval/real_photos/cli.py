"""Real-photo benchmark: old color photographs, their luminance in, three hint conditions.

`python -m eval.real_photos`: score the datasets, write their reports, sheets and summary.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from colorizer.errors import ChronochromeError
from colorizer.pipeline.colorization import ColorizationPipeline
from eval.common import (
    PARTIAL_RUNS,
    RESULTS_DIR,
    SHARED_DATASETS,
    configure_logging,
    now,
    parse_eval_args,
    parse_setting,
    positive_int,
    with_settings,
)
from eval.real_photos.document import build_report
from eval.real_photos.markdown import markdown_report, write_summary
from eval.real_photos.photos import CONDITIONS, DATASETS, RealPhoto
from eval.real_photos.scoring import PhotoScore, score_dataset
from eval.real_photos.sheets import SheetRow, sheet_row, write_sheets

log = logging.getLogger("chronochrome.eval.real_photos")


OUT_DIR = RESULTS_DIR / "real"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.real_photos",
                                description=__doc__.split("\n")[0])
    # --dataset and --shared default to None so that main can tell a typed one (an absent
    # dataset is then an error) from the defaults (then a note: machines without ../shared).
    p.add_argument("--dataset", choices=[*DATASETS, "all"], default=None, help="default: all")
    p.add_argument("--limit", type=positive_int, default=None, help="first N photos only")
    p.add_argument("--out", type=Path, default=OUT_DIR,
                   help=f"default: eval/results/real (a --limit run: under {PARTIAL_RUNS})")
    p.add_argument("--weights", type=Path, default=None,
                   help="a model folder (default: the embedded weights)")
    p.add_argument("--no-context", dest="context", action="store_false",
                   help="context inference off (hints then reach only exemplar retrieval)")
    p.add_argument("--no-exemplars", dest="exemplars", action="store_false",
                   help="exemplar retrieval off (hints then reach only the context encoder)")
    p.add_argument("--no-sheets", dest="sheets", action="store_false",
                   help="skip the contact sheets")
    p.add_argument("--set", dest="settings", type=parse_setting, action="append", default=[],
                   metavar="KEY=VALUE",
                   help="pipeline setting for pipe.with_config, VALUE as JSON; repeatable "
                        "(e.g. temperature=0.3, transfer.photo_size=384)")
    p.add_argument("--shared", type=Path, default=None,
                   help="the shared datasets folder (default: ../shared/datasets)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--threads", type=positive_int, default=None,
                   help="torch CPU threads (default: torch's choice)")
    return p



def run_dataset(name: str, pipe: ColorizationPipeline, args: argparse.Namespace,
                argv: Sequence[str]) -> Path:
    """Score one dataset, write its JSON, markdown and sheets; returns the JSON path."""
    started, clock = now(), time.perf_counter()
    root = args.shared / name
    photos = DATASETS[name](root)[: args.limit]
    sheet_rows: list[SheetRow] = []

    def keep_thumbnails(photo: RealPhoto, score: PhotoScore,
                        images: dict[str, Image.Image]) -> None:
        if args.sheets:
            sheet_rows.append(sheet_row(photo, score, images))

    scores = score_dataset(pipe, photos, CONDITIONS, keep_thumbnails)
    info = pipe.model_info
    run = {"command": "python -m eval.real_photos " + shlex.join(argv),
           "started_at": started, "finished_at": now(),
           "wall_seconds": time.perf_counter() - clock,
           "model": info.to_dict(),
           "settings": {"limit": args.limit, "context": args.context,
                        "exemplars": args.exemplars,
                        "device": str(pipe.device), "render_size": pipe.render_size,
                        "overrides": dict(args.settings), "conditions": list(CONDITIONS),
                        "pipeline_config": asdict(pipe.config),
                        "decoding": pipe.decoding.to_dict(), "fingerprint": pipe.fingerprint},
           "environment": {"python": platform.python_version(), "torch": torch.__version__,
                           "numpy": np.__version__, "machine": platform.machine(),
                           "threads": torch.get_num_threads()}}
    report = build_report(name, root, photos, scores, run)
    args.out.mkdir(parents=True, exist_ok=True)
    json_path = args.out / f"{name}.json"
    json_path.write_text(json.dumps(report, indent=1, allow_nan=False, ensure_ascii=False) + "\n")
    (args.out / f"{name}.md").write_text(markdown_report(report))
    if args.sheets:
        title = (f"{name} · {info.name} {info.version} · under each row: ΔE00 vs truth "
                 "(lower is better)")
        pages = write_sheets(sheet_rows, args.out, name, title)
        log.info("wrote %d contact sheet page(s) for %s", len(pages), name)
    return json_path


def datasets_to_run(args: argparse.Namespace) -> list[str]:
    """The datasets to score, present under args.shared (set here to its default if unset).

    Asked for (--shared or --dataset typed), a dataset that is absent raises
    FileNotFoundError, so that a typo fails; with both left at their defaults an absent one
    is a note on stderr, so that machines without ../shared still pass. Of `all`, those
    present run and the others are noted.
    """
    asked = args.shared is not None or args.dataset is not None
    args.shared = SHARED_DATASETS if args.shared is None else args.shared
    args.dataset = args.dataset or "all"
    if asked and not args.shared.is_dir():
        raise FileNotFoundError(f"--shared {args.shared} is not a folder (it holds "
                                f"{', '.join(DATASETS)})")
    names = list(DATASETS) if args.dataset == "all" else [args.dataset]
    available = [n for n in names if (args.shared / n / "manifest.csv").is_file()]
    missing = [n for n in names if n not in available]
    if asked and missing and (args.dataset != "all" or not available):
        raise FileNotFoundError(f"{', '.join(str(args.shared / n) for n in missing)}: absent "
                                "(no manifest.csv); pass --shared DATASETS_DIR")
    for name in missing:
        print(f"real-photo benchmark: {name} skipped, {args.shared / name} is absent",
              file=sys.stderr)
    return available


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m eval.real_photos`; returns an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_eval_args(build_parser(), argv)
    configure_logging()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        available = datasets_to_run(args)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not available:
        return 0
    try:
        pipe = ColorizationPipeline.from_pretrained(args.weights, device=args.device,
                                                    context=args.context,
                                                    exemplars=args.exemplars)
        try:
            pipe = with_settings(pipe, args.settings)
        except ValueError as exc:  # an unknown or out-of-range --set
            print(f"error: --set: {exc}", file=sys.stderr)
            return 2
        for name in available:
            log.info("wrote %s", run_dataset(name, pipe, args, argv))
    except (FileNotFoundError, ChronochromeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(write_summary(args.out).read_text())
    return 0
