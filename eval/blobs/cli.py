"""Isolated saturated color blobs on real black-and-white photos (what users see first).

`python -m eval.blobs`: colorize the photos, write blobs.json, blobs.md and worst10.png.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from colorizer.check.blobs import DEFAULT_SETTINGS, dataset_summary
from colorizer.errors import ChronochromeError
from eval.blobs.markdown import markdown_report
from eval.blobs.photos import (
    PhotoResult,
    dataset_files,
    hue_breakdown,
    manifest_tones,
    output_color,
    run_photos,
)
from eval.blobs.sheet import SheetEntry, gray_of, save_sheet
from eval.common import (
    REPO,
    RESULTS_DIR,
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

if TYPE_CHECKING:  # annotations only: the pipeline is imported where it is built
    from colorizer.pipeline.colorization import ColorizationPipeline

log = logging.getLogger("chronochrome.eval.blobs")


DATASET = "historical-bw"
OUT_DIR = RESULTS_DIR / "blobs"
SHEET_COUNT = 10


class SettingError(ValueError):
    """A --set change the pipeline does not accept."""


def pipeline_config(pipe: ColorizationPipeline) -> dict[str, Any]:
    """The pipeline's full run-time config and the operating point it resolves to, as JSON
    (the defaults move; the record should not)."""
    config = getattr(pipe, "config", None)
    record = json.loads(json.dumps(asdict(config), default=str)) if is_dataclass(config) else {}
    decoding = getattr(pipe, "decoding", None)
    if decoding is not None:
        record["decoding"] = decoding.to_dict()
    return record


def code_state() -> dict[str, Any]:
    """The checkout's commit and whether files differ from it: outputs depend on the code."""
    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                                  timeout=30, check=True).stdout.rstrip("\n")
        except (OSError, subprocess.SubprocessError):
            return None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"),
            "modified_files": (None if status is None
                               else [line[3:] for line in status.splitlines()])}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.blobs", description=__doc__.split("\n")[0])
    source = p.add_mutually_exclusive_group()
    source.add_argument("--data-dir", type=Path, default=None,
                        help="folder of photos, in its manifest.csv order when it has one "
                             "(default: --shared's historical-bw)")
    add_shared_argument(source, f"{DATASET}/")
    p.add_argument("--limit", type=positive_int, default=None, help="first N photos only")
    p.add_argument("--out", type=Path, default=OUT_DIR, help="default: eval/results/blobs")
    p.add_argument("--weights", type=Path, default=None,
                   help="a model folder (save_pretrained); default: the embedded weights")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--no-context", dest="context", action="store_false",
                   help="switch context inference off")
    p.add_argument("--no-exemplars", dest="exemplars", action="store_false",
                   help="switch exemplar retrieval off")
    p.add_argument("--set", dest="changes", type=parse_setting, action="append", default=[],
                   metavar="KEY=VALUE",
                   help="pipeline setting, JSON-parsed, for pipe.with_config (repeatable)")
    p.add_argument("--no-sheet", dest="sheet", action="store_false", help="skip worst10.png")
    p.add_argument("--threads", type=positive_int, default=None,
                   help="torch CPU threads (default: torch's own choice)")
    return p


def load_pipeline(args: argparse.Namespace) -> ColorizationPipeline:
    """The pipeline the CLI's user would get, with the --set changes applied."""
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(args.weights, device=args.device,
                                                context=args.context, exemplars=args.exemplars)
    # "section.field" keys change one field of a nested config (transfer.min_presence=0.2),
    # as in eval.flag_scenes and eval.real_photos; a JSON dict for a section changes its fields.
    try:
        return with_settings(pipe, args.changes)
    except ValueError as exc:  # unknown key, or a value the config refuses
        raise SettingError(f"--set: {exc}") from exc


def run(args: argparse.Namespace, argv: Sequence[str]) -> dict[str, Any]:
    """Colorize, measure, write blobs.json / blobs.md / worst10.png; returns the report."""
    started, clock = now(), time.perf_counter()
    if not args.data_dir.is_dir():
        raise FileNotFoundError(f"{args.data_dir} is not a folder of photos")
    files = dataset_files(args.data_dir)[: args.limit]
    pipe = load_pipeline(args)
    settings = DEFAULT_SETTINGS
    rows, summaries, worst = run_photos(pipe, files, settings, manifest_tones(args.data_dir),
                                        SHEET_COUNT)
    report = rounded({
        "schema": 1,
        "command": "python -m eval.blobs " + shlex.join(argv),
        "started_at": started, "finished_at": now(),
        "wall_seconds": time.perf_counter() - clock,
        "dataset": {"name": args.data_dir.name, "path": str(args.data_dir), "count": len(files)},
        "settings": {"model": pipe.model_info.to_dict(),
                     "pipeline": {"context": args.context, "exemplars": args.exemplars,
                                  "device": str(pipe.device), "render_size": pipe.render_size,
                                  "set": dict(args.changes), "hints": None,
                                  "input": "file path (its name is the caption)",
                                  "config": pipeline_config(pipe)},
                     "code": code_state(),
                     "constants": asdict(settings),
                     "score": "100 * sum(area_share * mean_chroma / saturated_chroma) "
                              "over isolated blobs"},
        "summary": dataset_summary(summaries),
        "hue_families": hue_breakdown(rows),
        "output_color": output_color(rows),
        "errors": [row["file"] for row in rows if "error" in row],
        "rows": rows,
    })
    write_outputs(report, worst, args.out, args.sheet)
    return report


def write_outputs(report: dict[str, Any], worst: Sequence[PhotoResult], out: Path,
                  sheet: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "blobs.json").write_text(json.dumps(report, indent=1, allow_nan=False) + "\n")
    (out / "blobs.md").write_text(markdown_report(report))
    if sheet:
        entries = [SheetEntry(p.row["file"], gray_of(p.output), p.output, p.blobs,
                              p.summary.score) for p in worst]
        save_sheet(entries, out / "worst10.png")
    log.info("wrote %s", ", ".join(str(p) for p in sorted(out.glob("blobs.*")) +
                                   ([out / "worst10.png"] if sheet else [])))


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m eval.blobs`; returns an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parse_eval_args(parser, argv)
    if args.data_dir is None:  # --shared's (a --data-dir is used as given)
        shared, asked = shared_datasets(args)
        if problem := absent_data(shared, DATASET):
            return missing_data(asked, "blobs", problem)
        args.data_dir = shared / DATASET
    configure_logging()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        report = run(args, argv)
    except (FileNotFoundError, ChronochromeError, SettingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = report["summary"]
    print(f"photos with isolated blobs: {summary['photos_with_blobs']}/{summary['photos']} = "
          f"{summary['share_with_blobs']:.1%}")
    color = report["output_color"]
    if color["photos"]:
        print(f"output color: mean C* {color['mean_chroma']:.2f} (median "
              f"{color['median_chroma']:.2f}); {color['near_gray']}/{color['photos']} photos "
              f"near gray (mean C* < {color['near_gray_below']:g})")
    return 0
