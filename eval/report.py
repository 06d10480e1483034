"""Evaluation report: colorize the luminance of color photos and compare with the originals.

    python -m eval.report                          # Prokudin-Gorsky plates, default weights
    python -m eval.report --limit 5 --weights runs/lite0-v1/step_1500
    python -m eval.report --dataset val-split      # held-out split of photos-train
    python -m eval.report --data-dir my/photos     # any folder of color photos

On the Prokudin-Gorsky plates two conditioned rows follow the plain model row: the hint
"Russian Empire 1910" (what an archivist would type), and each plate's own color version,
augmented (another crop, mirrored), given as a user exemplar (`--exemplar`): the upper bound
of what an exemplar can lend. `--hint` and `--own-exemplar` add them on other datasets.

Each photo's L* (as an 8-bit gray image, like a scanned black-and-white print) goes through
the pipeline, and the colorized result is compared with the photo. Rows: a gray baseline
(a* = b* = 0), a sepia baseline (one constant a*b*: the mean of the training photos), and one
row per model. Writes `<out>/latest.json` and `<out>/latest.md` for the default dataset
(`latest-<dataset>.*` for the others) and prints the markdown table.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from colorizer.errors import ChronochromeError
from colorizer.model.encoder import load_imagenet_encoder
from colorizer.model.generator import WEIGHTS_FILE
from colorizer.pipeline.colorization import DEFAULT_WEIGHTS, ColorizationPipeline
from colorizer.pipeline.imageio import iter_image_files, load_image
from colorizer.training.data import list_photos
from eval import metrics

log = logging.getLogger("chronochrome.eval")

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "eval" / "results"
SHARED_DATASETS = REPO.parent / "shared" / "datasets"
DEFAULT_DATASET = "prokudin-gorsky"
TRAIN_PHOTOS = "photos-train"
VAL_FRACTION = 0.05  # must match the training config's val_fraction (configs/train/*.json)
MEAN_AB_SUBSET = 300  # training photos averaged for the sepia baseline's constant a*b*
MEAN_AB_CACHE = "train_mean_ab.json"


class DatasetUnavailableError(FileNotFoundError):
    """A named evaluation dataset is not on this machine (../shared is absent)."""


# --- datasets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalDataset:
    """Color photos used as ground truth, in a fixed order (so --limit is reproducible)."""

    name: str
    root: Path
    files: tuple[Path, ...]
    description: str
    hint: str | None = None  # the context an archivist would give the whole set
    own_exemplar: bool = False  # add a row with each photo's augmented color as exemplar


def _image_files(folder: Path) -> list[Path]:
    """Image files in `folder`, sorted; raises ImageNotFoundError when there are none."""
    return iter_image_files([folder])


def _require(folder: Path) -> Path:
    if not folder.is_dir():
        raise DatasetUnavailableError(f"{folder} is absent (it lives in ../shared/datasets)")
    return folder


def _prokudin_gorsky(datasets: Path) -> EvalDataset:
    root = _require(datasets / "prokudin-gorsky")
    return EvalDataset("prokudin-gorsky", root, tuple(_image_files(root)),
                       "Prokudin-Gorsky color plates, Russian Empire ca. 1905-1915",
                       hint="Russian Empire 1910", own_exemplar=True)


def _val_split(datasets: Path) -> EvalDataset:
    root = _require(datasets / TRAIN_PHOTOS)
    files = list_photos(root, "val", VAL_FRACTION)
    return EvalDataset("val-split", root, tuple(files),
                       f"photos-train validation split (half of val_fraction={VAL_FRACTION}); "
                       "checkpoints and operating points are chosen on it: not a test set")


def _heldout(datasets: Path) -> EvalDataset:
    root = _require(datasets / TRAIN_PHOTOS)
    files = list_photos(root, "test", VAL_FRACTION)
    return EvalDataset("heldout", root, tuple(files),
                       f"photos-train test split (the other half of val_fraction={VAL_FRACTION}):"
                       " never trained on, never tuned on")


# A new dataset is one function here: name -> loader of the shared datasets folder.
DATASETS: dict[str, Callable[[Path], EvalDataset]] = {
    "prokudin-gorsky": _prokudin_gorsky,
    "val-split": _val_split,
    "heldout": _heldout,
}


def folder_dataset(folder: str | Path, name: str | None = None) -> EvalDataset:
    """Any folder of color photos as a dataset (named after the folder by default)."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"--data-dir {root} is not a folder of images")
    return EvalDataset(name or root.name, root, tuple(_image_files(root)), f"images in {root}")


# --- the sepia baseline's constant chroma --------------------------------------------------


def train_mean_ab(train_dir: Path, cache: Path, count: int = MEAN_AB_SUBSET) -> tuple[float, float]:
    """Mean (a*, b*) of `count` evenly spaced training-split photos, cached in `cache`.

    Each photo's mean a*b* weighs equally. The cache is reused only when it was computed
    from the same file names, so a changed training folder recomputes it.
    """
    photos = list_photos(train_dir, "train", VAL_FRACTION)
    step = max(1, len(photos) / count)
    subset = [photos[int(i * step)] for i in range(min(count, len(photos)))]
    names = [p.name for p in subset]
    if cache.is_file():
        cached = json.loads(cache.read_text())
        if cached.get("files") == names:
            return tuple(cached["mean_ab"])  # type: ignore[return-value]
    per_image = [metrics.lab_of(load_image(p).rgb)[..., 1:].mean(axis=(0, 1)) for p in subset]
    mean_ab = tuple(round(float(v), 4) for v in np.mean(per_image, axis=0))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({
        "mean_ab": list(mean_ab), "count": len(subset), "val_fraction": VAL_FRACTION,
        "source": train_dir.name, "files": names}, indent=1) + "\n")
    return mean_ab  # type: ignore[return-value]


# --- rows ----------------------------------------------------------------------------------


@dataclass
class Row:
    """One way of colorizing, and what it scored image by image."""

    label: str
    kind: str  # "baseline" or "model"
    colorize: Callable[[np.ndarray], np.ndarray]  # truth (H, W, 3) -> prediction (H, W, 3)
    model: dict[str, str] | None = None
    per_image: list[dict[str, Any]] = field(default_factory=list)
    palette: metrics.Palette = field(default_factory=metrics.Palette)
    seconds: float = 0.0


def luminance_input(truth: np.ndarray) -> Image.Image:
    """What the colorizer sees: the photo's L* as an 8-bit gray image."""
    gray = metrics.gray_baseline(truth)[..., 0]
    return Image.fromarray((gray * 255.0 + 0.5).astype(np.uint8), "L")


def _as_8bit(rgb: np.ndarray) -> np.ndarray:
    """Quantise like a saved image, so baselines and the pipeline's output compare evenly."""
    return np.round(np.clip(rgb, 0, 1) * 255.0) / 255.0


def augmented_view(truth: np.ndarray) -> Image.Image:
    """The photo's own color, as another view: a centred 80% crop, mirrored, resized back.
    Geometry changes, colors do not: what a user's color print of the same scene gives."""
    h, w = truth.shape[:2]
    top, left = int(h * 0.1), int(w * 0.1)
    crop = truth[top : h - top, left : w - left][:, ::-1]
    img = Image.fromarray((np.clip(crop, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")
    return img.resize((w, h), Image.BICUBIC)


def model_row(weights: Path, device: str, render_size: int | None, context: bool,
              hint: str | None = None, own_exemplar: bool = False) -> Row:
    """A row colorizing through the full pipeline with `weights`.

    The input is a bare gray image: no caption (a plate's file name or title would leak its
    ground truth), so context comes only from what inference sees and from `hint`, which
    needs the context encoder. With `own_exemplar` the photo's augmented color version goes
    in as a user exemplar.
    """
    from colorizer.pipeline.guidance import UserExemplar

    use_context = context or hint is not None
    settings = {"render_size": render_size} if render_size else {}
    pipe = ColorizationPipeline.from_pretrained(weights, device=device, context=use_context,
                                                exemplars=use_context, **settings)
    info = pipe.model_info

    def colorize(truth: np.ndarray) -> np.ndarray:
        refs = ([UserExemplar("own color, augmented", augmented_view(truth), None)]
                if own_exemplar else [])
        result = pipe(luminance_input(truth), hints=hint, exemplars=refs)
        return np.asarray(result.image, dtype=np.float64) / 255.0

    label = f"{Path(weights).name} {info.version}"
    if hint:
        label += f" + hint '{hint}'"
    if own_exemplar:
        label += " + own exemplar"
    return Row(label, "model", colorize, model=info.to_dict())


def baseline_rows(mean_ab: tuple[float, float] | None) -> list[Row]:
    """Gray (no chroma), and sepia (one constant a*b*) when `mean_ab` is known."""
    rows = [Row("gray baseline", "baseline", metrics.gray_baseline)]
    if mean_ab is not None:
        rows.append(Row("sepia baseline", "baseline",
                        lambda truth: metrics.sepia_baseline(truth, mean_ab)))
    return rows


# --- scoring -------------------------------------------------------------------------------


def score_image(row: Row, name: str, truth: np.ndarray, truth_lab: np.ndarray,
                truth_hist: np.ndarray, encoder: torch.nn.Module) -> None:
    """Colorize one photo with `row`, record its per-image figures and pooled statistics."""
    start = time.perf_counter()
    pred = _as_8bit(row.colorize(truth))
    row.seconds += time.perf_counter() - start
    pred_lab = metrics.lab_of(pred)
    hist, blue_share = row.palette.add(pred, encoder, pred_lab)
    row.per_image.append({
        "file": name,
        "psnr_db": metrics.psnr(pred, truth),
        "ssim": metrics.ssim(pred, truth),
        "ciede2000": metrics.mean_ciede2000(pred, truth, pred_lab=pred_lab, truth_lab=truth_lab),
        "colorfulness": row.palette.cf[-1],
        "hue_js_bits": metrics.hue_divergence(hist, truth_hist),
        "blue_share": blue_share,
    })


def summarize(row: Row, truth: metrics.Palette) -> dict[str, Any]:
    """Dataset-level figures of one row: means of per-image figures, pooled palettes."""
    def mean(key: str) -> float:
        return float(np.mean([r[key] for r in row.per_image]))

    pal = row.palette
    return {
        "psnr_db": mean("psnr_db"),
        "ssim": mean("ssim"),
        "ciede2000": mean("ciede2000"),
        "colorfulness": mean("colorfulness"),
        "colorfulness_gap": mean("colorfulness") - float(np.mean(truth.cf)),
        "hue_js_bits": metrics.hue_divergence(pal.hue_hist, truth.hue_hist),
        "blue_share": pal.blue_share,
        "blue_share_gap": pal.blue_share - truth.blue_share,
        # A covariance needs two samples; with few images the distance is mostly noise.
        "frechet_encoder": (metrics.frechet_distance(np.stack(pal.features),
                                                     np.stack(truth.features))
                            if len(pal.features) >= 2 else None),
        "seconds_per_image": row.seconds / max(1, len(row.per_image)),
    }


def evaluate(dataset: EvalDataset, rows: list[Row],
             encoder: torch.nn.Module) -> metrics.Palette:
    """Run every row over every photo (filling the rows); returns the truth's palette."""
    truth_palette = metrics.Palette()
    for index, path in enumerate(dataset.files, 1):
        log.info("[%d/%d] %s", index, len(dataset.files), path.name)
        truth = load_image(path).rgb.astype(np.float64)
        truth_lab = metrics.lab_of(truth)
        truth_hist, _ = truth_palette.add(truth, encoder, truth_lab)
        for row in rows:
            score_image(row, path.name, truth, truth_lab, truth_hist, encoder)
    return truth_palette


# --- output --------------------------------------------------------------------------------

COLUMNS = (  # (key, header, format)
    ("psnr_db", "PSNR dB ↑", "{:.2f}"),
    ("ssim", "SSIM ↑", "{:.4f}"),
    ("ciede2000", "ΔE00 ↓", "{:.2f}"),
    ("colorfulness", "CF", "{:.1f}"),
    ("colorfulness_gap", "ΔCF", "{:+.1f}"),
    ("hue_js_bits", "hue JS bits ↓", "{:.3f}"),
    ("blue_share", "blue share", "{:.3f}"),
    ("frechet_encoder", "FD enc ↓", "{:.1f}"),
)


def markdown_table(report: dict[str, Any]) -> str:
    """The report's rows as a markdown table, with the ground truth's own figures last."""
    data = report["dataset"]
    lines = [f"## chronochrome eval: {data['name']} ({data['count']} images)", "",
             "| row | " + " | ".join(h for _, h, _ in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for row in report["rows"]:
        cells = [_cell(row["metrics"].get(k), fmt) for k, _, fmt in COLUMNS]
        lines.append(f"| {row['label']} | " + " | ".join(cells) + " |")
    for row in report.get("history", []):
        cells = [_cell(row["metrics"].get(k), fmt) for k, _, fmt in COLUMNS]
        lines.append(f"| {row['label']} (earlier version) | " + " | ".join(cells) + " |")
    truth = report["truth"]
    truth_cells = {"colorfulness": f"{truth['colorfulness']:.1f}",
                   "blue_share": f"{truth['blue_share']:.3f}"}
    lines.append("| ground truth | " + " | ".join(truth_cells.get(k, "—")
                                                   for k, _, _ in COLUMNS) + " |")
    lo, hi = metrics.BLUE_HUE_RANGE
    lines += ["", (f"`{report['command']}` at {report['finished_at']}. "
                   "ΔCF: colorfulness (Hasler-Suesstrunk) minus the truth's; hue JS: "
                   "Jensen-Shannon divergence of pooled chroma-weighted hue histograms; blue "
                   f"share: pooled chroma in hues {lo:.0f}-{hi:.0f}°; FD enc: Fréchet distance "
                   "in ImageNet Lite0 pooled features (compare our own versions only)."), ""]
    return "\n".join(lines)


def _cell(value: float | None, fmt: str) -> str:
    return "—" if value is None else fmt.format(value)


def build_report(dataset: EvalDataset, rows: list[Row], truth: metrics.Palette,
                 context: dict[str, Any]) -> dict[str, Any]:
    """The JSON document: dataset, run context, truth figures, and figures per row."""
    return rounded({
        "schema": 1,
        "dataset": {"name": dataset.name, "description": dataset.description,
                    "path": str(dataset.root), "count": len(dataset.files),
                    "files": [p.name for p in dataset.files]},
        **context,
        "truth": {"colorfulness": float(np.mean(truth.cf)),
                  "blue_share": truth.blue_share,
                  "hue_histogram": [round(float(v), 2) for v in truth.hue_hist]},
        "rows": [{"label": row.label, "kind": row.kind, "model": row.model,
                  "metrics": summarize(row, truth), "per_image": row.per_image}
                 for row in rows],
    })


def rounded(value: Any, digits: int = 5) -> Any:
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


def merge_history(report: dict[str, Any], out: Path, record: bool) -> dict[str, Any]:
    """Keep every model version's figures per dataset, so progress stays visible.

    `history-<dataset>.json` maps a model row's label (name + version) to its figures; a
    full run (`record`) adds or refreshes its own rows. Versions not in this run are listed
    in the report under `history`.
    """
    path = out / f"history-{report['dataset']['name']}.json"
    history = json.loads(path.read_text()) if path.is_file() else {}
    current = {row["label"] for row in report["rows"]}
    if record:
        for row in report["rows"]:
            if row["kind"] == "model":
                history[row["label"]] = {"metrics": row["metrics"], "model": row["model"],
                                         "finished_at": report["finished_at"]}
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(history, indent=1) + "\n")
    earlier = [{"label": label, **entry} for label, entry in sorted(history.items())
               if label not in current]
    return {**report, "history": earlier}


def write_report(report: dict[str, Any], out: Path, stem: str) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=1, allow_nan=False) + "\n")
    md_path.write_text(markdown_table(report))
    return json_path, md_path


# --- command line --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.report", description=__doc__.split("\n")[0])
    source = p.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=sorted(DATASETS), default=DEFAULT_DATASET,
                        help="named dataset under --shared (default: %(default)s)")
    source.add_argument("--data-dir", type=Path, help="any folder of color photos instead")
    p.add_argument("--weights", type=Path, action="append", default=None,
                   help="a model folder (save_pretrained); repeat for several rows "
                        "(default: colorizer/weights/default when it exists)")
    p.add_argument("--baselines-only", action="store_true",
                   help="no model rows, not even the default weights")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="first N photos only (quick runs)")
    p.add_argument("--out", type=Path, default=RESULTS_DIR, help="default: eval/results")
    p.add_argument("--shared", type=Path, default=SHARED_DATASETS,
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


def positive_int(text: str) -> int:
    """argparse type: a positive integer."""
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


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
            "started_at": started, "finished_at": _now(),
            "settings": {"limit": args.limit, "device": args.device,
                         "render_size": args.render_size, "context": args.context,
                         "sepia_ab": list(sepia_ab) if sepia_ab else None},
            "environment": {"python": platform.python_version(), "torch": torch.__version__,
                            "numpy": np.__version__, "machine": platform.machine()}}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_report(args: argparse.Namespace, argv: list[str]) -> Path:
    """Evaluate the rows on the chosen dataset, write the JSON and markdown; returns the JSON."""
    started = _now()
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
    """Entry point of `python -m eval.report` and `chronochrome eval`; returns an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        run_report(args, argv)
    except DatasetUnavailableError as exc:
        print(f"eval skipped: {exc}; pass --shared PATH or --data-dir FOLDER", file=sys.stderr)
        return 0
    except (FileNotFoundError, ChronochromeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
