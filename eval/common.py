"""What every benchmark shares: where things live, the gray input, JSON rounding, argparse types.

No benchmark imports another benchmark's module for these; each imports them from here.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

# The --set parsing every benchmark shares (the training tools use it too, so it lives there).
from colorizer.pipeline.config_edits import (  # noqa: F401  (re-exported)
    config_changes,
    parse_setting,
    parse_settings,
    with_settings,
)
from eval import metrics

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "eval" / "results"
SHARED_DATASETS = REPO.parent / "shared" / "datasets"
TRAIN_PHOTOS = "photos-train"
VAL_FRACTION = 0.05  # must match the training config's val_fraction (configs/train/*.json)

# Where a partial run (--limit N) writes when its --out was left at a default under
# eval/results: the committed reports are whole runs only. Same layout as eval/results.
PARTIAL_RUNS = Path(tempfile.gettempdir()) / "chronochrome-eval-partial"

JSONValue = TypeVar("JSONValue")


def luminance_input(truth: np.ndarray) -> Image.Image:
    """What the colorizer sees: the photo's L* as an 8-bit gray image."""
    gray = metrics.gray_baseline(truth)[..., 0]
    return Image.fromarray((gray * 255.0 + 0.5).astype(np.uint8), "L")


def augmented_view(truth: np.ndarray) -> Image.Image:
    """The photo's own color, as another view: a centred 80% crop, mirrored, resized back.
    Geometry changes, colors do not: what a user's color print of the same scene gives."""
    h, w = truth.shape[:2]
    top, left = int(h * 0.1), int(w * 0.1)
    crop = truth[top : h - top, left : w - left][:, ::-1]
    img = Image.fromarray((np.clip(crop, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")
    return img.resize((w, h), Image.BICUBIC)


def pixels(image: Image.Image) -> np.ndarray:
    """A PIL image (a pipeline output) as (H, W, 3) float sRGB in [0, 1]."""
    return np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0


def rounded(value: JSONValue, digits: int = 5) -> JSONValue:
    """Floats rounded for a readable, diff-friendly JSON (the figures carry no more)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, digits) for v in value]
    return value


def positive_int(text: str) -> int:
    """argparse type: a positive integer."""
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def now() -> str:
    """The current UTC time, to the second, as the reports record it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_json_and_markdown(out: Path, stem: str, result: dict, lines: list[str]) -> None:
    """Write a small report as OUT/STEM.json (the figures) and OUT/STEM.md (`lines`), and
    print the markdown: what the sweeps that choose a rule leave behind."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    (out / f"{stem}.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def print_and_write(out: Path, text: str) -> None:
    """Print a markdown report and write it to `out` (its folder made): the one-table evals'
    last step."""
    print(text, end="")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")


def configure_logging(level: int = logging.INFO, fmt: str = "%(message)s") -> None:
    """Log to stderr for a benchmark's `main`, without faiss's start-up lines (it logs which
    CPU builds it tried, "Could not load library with AVX512 support", as if they failed)."""
    logging.basicConfig(level=level, format=fmt)
    quiet_faiss()


def quiet_faiss() -> None:
    """faiss logs which CPU builds it tried, in lines that read like failures (the chronochrome
    command line hides them too)."""
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)


def out_problem(out: Path, *, folder: bool = True) -> str | None:
    """Why `out` cannot be written as the folder (or the file) a benchmark's --out names;
    None when it can."""
    if folder and out.exists() and not out.is_dir():
        return f"--out {out} is a file; --out names a folder (created when absent)"
    if not folder and out.is_dir():
        return f"--out {out} is a folder; --out names a file"
    parent = next((p for p in out.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        return f"--out {out}: {parent} is a file, not a folder"
    return None


def fail(message: str) -> SystemExit:
    """Print one `error: ...` line; the SystemExit(2) to raise, as argparse does."""
    print(f"error: {message}", file=sys.stderr)
    return SystemExit(2)


def add_shared_argument(parser: argparse.ArgumentParser, holds: str) -> None:
    """`--shared DIR`, the shared datasets folder, as eval.report and eval.real_photos take it.
    Its default is None so that `shared_datasets` can tell a typed folder from the default."""
    parser.add_argument("--shared", type=Path, default=None, metavar="DIR",
                        help=f"the shared datasets folder, holding {holds} "
                             "(default: ../shared/datasets)")


def shared_datasets(args: argparse.Namespace) -> tuple[Path, bool]:
    """(the shared datasets folder, whether --shared was typed). A typed --shared that is not
    a folder is a typo: one `error:` line and exit 2 (SystemExit) before any work. The default
    may be absent (a machine without ../shared): the benchmark then says so and skips."""
    if args.shared is None:
        return SHARED_DATASETS, False
    if not args.shared.is_dir():
        raise fail(f"--shared {args.shared} is not a folder")
    return args.shared, True


def absent_data(shared: Path, *folders: str) -> str | None:
    """Why the shared datasets folder `shared` cannot serve a benchmark that reads its
    `folders`: the first that is absent or holds no file; None when every one is there."""
    for name in folders:
        folder = shared / name
        if not folder.is_dir():
            return f"{folder} is absent"
        if not any(p.is_file() for p in folder.iterdir()):
            return f"{folder} holds no file"
    return None


def missing_data(asked: bool, name: str, message: str) -> int:
    """What a benchmark does when its data is absent: with --shared typed, an `error:` line
    and exit 2 (SystemExit); at the default, a `NAME skipped: ...` line and exit code 0."""
    if asked:
        raise fail(message)
    print(f"{name} skipped: {message}")
    return 0


def parse_eval_args(parser: argparse.ArgumentParser, argv: list[str] | None,
                    *, out_is_folder: bool = True) -> argparse.Namespace:
    """`parser.parse_args(argv)`, then the checks every benchmark shares, before any work:

    1. A partial run (--limit given) whose --out was left at its default under eval/results
       writes under PARTIAL_RUNS instead, and says so: the committed results stay whole runs.
       An --out the user typed, eval/results included, is used as given.
    2. --out must be writable as a folder (or a file, `out_is_folder=False`): otherwise one
       `error:` line and exit 2 (SystemExit), not a traceback after the work.
    """
    args = parser.parse_args(argv)
    out = getattr(args, "out", None)
    if out is None:
        return args
    limit = getattr(args, "limit", None)
    # argparse keeps a non-string default as the very object; a typed --out is a new Path.
    if (limit and limit != parser.get_default("limit") and out is parser.get_default("out")
            and Path(out).is_relative_to(RESULTS_DIR)):
        args.out = PARTIAL_RUNS / Path(out).relative_to(RESULTS_DIR)
        print(f"partial run (--limit {limit}): writing to {args.out}, not eval/results "
              "(pass --out to choose)", file=sys.stderr)
    if problem := out_problem(Path(args.out), folder=out_is_folder):
        raise fail(problem)
    return args
