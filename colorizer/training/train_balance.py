"""Fit the color-balance predictor (`colorizer/model/balance.py`) on the generator's encoder maps.

    python -m colorizer.training.train_balance --out colorizer/weights/default

1. Photos: the train splits (by file-name hash, `VAL_FRACTION` as in configs/train/*.json) of
   photos-train and photos-train-extra (loose files; the Tiny-ImageNet tar is skipped); their
   val splits choose the features and the ridge strength. Gray files are skipped.
2. Each photo goes the pipeline's way: L* of the loaded file at the weights' render size,
   `generator.encode`; the maps are pooled (`balance.pool_features`: every stride, mean and
   std) and cached with the true mean a*b* in a .npz under /tmp, so refits take seconds
   (~27 min the first time on one thread). Val and evaluation photos are also decoded, to
   tell whether shifting the output to the prediction helps.
3. Ridge (squared loss) is fitted in closed form for each feature choice and strength; on
   the best features the absolute loss is tried too (~30 s a fit). The predictor with the
   lowest val mean absolute error of mean a*, b* is saved as `balance.safetensors`.
4. Errors are printed for val and, for information only (never fitted or chosen on), for
   real-color-dev and prokudin-gorsky.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from colorizer.model.balance import BALANCE_FILE, BalanceConfig, BalancePredictor
from colorizer.model.generator import WEIGHTS_FILE, ColorGenerator
from colorizer.pipeline.colorization import DEFAULT_WEIGHTS, lightness_at, lightness_of
from colorizer.pipeline.decoding import DecodingConfig
from colorizer.pipeline.imageio import iter_image_files, load_image
from colorizer.training.balance_data import CACHE_DIR, PhotoSet, extract
from colorizer.training.data import list_photos

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
TRAIN_SETS = ("photos-train", "photos-train-extra")
EVAL_SETS = ("real-color-dev", "prokudin-gorsky")  # reported only: never fitted or chosen on
VAL_FRACTION = 0.05  # must match the training configs' val_fraction (configs/train/*.json)
# Feature choices tried on val: deeper maps say "sky", "foliage", "indoor"; shallower ones add
# texture and contrast statistics at a few dozen channels each.
STRIDE_CHOICES = ((32,), (16, 32), (8, 16, 32), (4, 8, 16, 32))
RIDGES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
# The absolute loss weighs residuals by ~1/|r| (~1/6 here), so its useful penalties are lower.
ABSOLUTE_RIDGES = (0.01, 0.03, 0.1, 0.3)


def ridge_predictions(train_x: np.ndarray, train_y: np.ndarray, val_x: np.ndarray,
                      ridges: tuple[float, ...]) -> list[np.ndarray]:
    """Val predictions (N_val, 2) of `BalancePredictor.fit` for every ridge strength at once.

    The same standardization and normal equations as `fit`, with one eigendecomposition of
    the Gram matrix shared by all strengths (the final model is refitted with `fit` itself and
    checked against these numbers).
    """
    x, y = train_x.astype(np.float64), train_y.astype(np.float64)
    mean, std = x.mean(axis=0), np.maximum(x.std(axis=0), 1e-6)
    z, zv = (x - mean) / std, (val_x.astype(np.float64) - mean) / std  # (N, D), (N_val, D)
    n = len(z)
    evals, evecs = np.linalg.eigh(z.T @ z / n)  # (D,), (D, D)
    rhs = evecs.T @ (z.T @ (y - y.mean(axis=0)) / n)  # (D, 2)
    return [zv @ (evecs @ (rhs / (evals + r)[:, None])) + y.mean(axis=0) for r in ridges]


def abs_errors(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """MAE of mean a*, of mean b*, their average, and the mean Euclidean distance in a*b*."""
    diff = np.abs(pred - truth)  # (N, 2)
    return {"a": float(diff[:, 0].mean()), "b": float(diff[:, 1].mean()),
            "ab": float(diff.mean()), "dist": float(np.linalg.norm(pred - truth, axis=1).mean())}


def select_model(train: PhotoSet, val: PhotoSet,
                 log: Callable[[str], None]) -> BalancePredictor:
    """The predictor with the lowest val MAE of mean a*, b*.

    Features and strength are chosen for the squared loss along the ridge path (seconds for
    all of them); the absolute loss, ~30 s a fit, is then tried on those features over
    `ABSOLUTE_RIDGES`.
    """
    best: tuple[float, BalanceConfig] | None = None
    for strides in STRIDE_CHOICES:
        for pool_std in (False, True):
            preds = ridge_predictions(train.features(strides, pool_std), train.truth,
                                      val.features(strides, pool_std), RIDGES)
            maes = [abs_errors(p, val.truth)["ab"] for p in preds]
            log(f"squared, strides {strides} std {pool_std}: val MAE by ridge "
                + " ".join(f"{r:g}:{m:.3f}" for r, m in zip(RIDGES, maes)))
            i = int(np.argmin(maes))
            if best is None or maes[i] < best[0]:
                best = (maes[i], BalanceConfig(strides=strides, pool_std=pool_std,
                                               ridge=RIDGES[i]))
    assert best is not None
    squared_mae, squared = best
    x = torch.from_numpy(train.features(squared.strides, squared.pool_std))
    y = torch.from_numpy(train.truth)
    candidates = [BalancePredictor.fit(x, y, squared)]
    if abs(abs_errors(predict(candidates[0], val), val.truth)["ab"] - squared_mae) > 1e-3:
        raise RuntimeError("BalancePredictor.fit disagrees with the ridge path: a bug")
    for ridge in ABSOLUTE_RIDGES:
        candidates.append(BalancePredictor.fit(x, y, replace(squared, ridge=ridge,
                                                               loss="absolute")))
        log(f"absolute, ridge {ridge:g}: val MAE "
            f"{abs_errors(predict(candidates[-1], val), val.truth)['ab']:.3f}")
    return min(candidates, key=lambda m: abs_errors(predict(m, val), val.truth)["ab"])


def predict(model: BalancePredictor, photos: PhotoSet) -> np.ndarray:
    """(N, 2) predictions from the cached pooled vectors."""
    x = photos.features(model.config.strides, model.config.pool_std)
    with torch.inference_mode():
        return model.forward_pooled(torch.from_numpy(x)).numpy()


def error_rows(photos: PhotoSet, pred: np.ndarray,
               train_mean: np.ndarray) -> dict[str, dict[str, float]]:
    """Errors of the predictor and of the alternatives it should beat."""
    n = len(photos)
    rows = {"predictor": abs_errors(pred, photos.truth),
            "train-mean constant": abs_errors(np.tile(train_mean, (n, 1)), photos.truth),
            "(0, 0)": abs_errors(np.zeros((n, 2)), photos.truth)}
    if photos.generator_ab is not None and photos.output_ab is not None:
        rows["generator decoded ab mean"] = abs_errors(photos.generator_ab, photos.truth)
        rows["generator rendered output mean"] = abs_errors(photos.output_ab, photos.truth)
    return rows


def blend_errors(photos: PhotoSet, pred: np.ndarray) -> dict[float, float]:
    """MAE of mean a*, b* for targets between the generator's rendered mean (w = 0) and the
    predictor (w = 1): how far the pipeline's shift should go where the predictor is unsure."""
    assert photos.output_ab is not None
    return {w: abs_errors(w * pred + (1 - w) * photos.output_ab, photos.truth)["ab"]
            for w in (0.0, 0.25, 0.5, 0.75, 1.0)}


def markdown(report: dict[str, dict]) -> str:
    """One table: per set and row, MAE of mean a*, b*, their average and the ab distance."""
    lines = ["| set (photos) | row | MAE a* | MAE b* | MAE mean | mean \u0394ab |",
             "|---|---|---:|---:|---:|---:|"]
    for name, entry in report.items():
        for i, (row, e) in enumerate(entry["errors"].items()):
            label = f"{name} ({entry['count']})" if i == 0 else ""
            lines.append(f"| {label} | {row} | {e['a']:.2f} | {e['b']:.2f} | {e['ab']:.2f} "
                         f"| {e['dist']:.2f} |")
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m colorizer.training.train_balance",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True,
                        help=f"folder to write {BALANCE_FILE} into (the generator's folder)")
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS,
                        help="generator whose encoder is read (default: the embedded one)")
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS,
                        help="the shared datasets folder")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1: the machine is shared)")
    parser.add_argument("--limit", type=int, default=0,
                        help="photos per list, for a smoke run (0: all)")
    parser.add_argument("--no-save", action="store_true", help="report only, write nothing")
    return parser


def load_sets(args: argparse.Namespace, generator: ColorGenerator,
              log: Callable[[str], None]) -> tuple[PhotoSet, PhotoSet, dict[str, PhotoSet]]:
    """Train and val splits of TRAIN_SETS (val decoded too), and the evaluation sets."""
    def take(paths: list[Path]) -> list[Path]:
        return paths[:args.limit] if args.limit else paths

    def split(split_name: str, decode: bool) -> PhotoSet:
        return PhotoSet.concat([
            extract(f"{name}-{split_name}",
                    take(list_photos(args.datasets / name, split_name, VAL_FRACTION)),
                    generator, args.weights, decode, log) for name in TRAIN_SETS])

    train, val = split("train", decode=False), split("val", decode=True)
    evals = {name: extract(name, take(iter_image_files([args.datasets / name])), generator,
                           args.weights, True, log) for name in EVAL_SETS}
    return train, val, evals


def build_report(model: BalancePredictor, train: PhotoSet,
                 sets: dict[str, PhotoSet]) -> dict[str, dict]:
    """Per set: errors of the predictor and its alternatives, blends, mean balances."""
    train_mean = train.truth.mean(axis=0)
    report = {}
    for name, photos in sets.items():
        pred = predict(model, photos)
        assert photos.output_ab is not None
        report[name] = {"count": len(photos), "errors": error_rows(photos, pred, train_mean),
                        "blend": blend_errors(photos, pred),
                        "mean_pred": _rounded(pred.mean(axis=0)),
                        "mean_truth": _rounded(photos.truth.mean(axis=0)),
                        "mean_output": _rounded(photos.output_ab.mean(axis=0))}
    return report


def print_report(report: dict[str, dict]) -> None:
    print(markdown(report))
    print("\nMAE of mean a*, b* when the target is w * predictor + (1 - w) * generator output:")
    for name, entry in report.items():
        print(f"  {name}: " + " ".join(f"w={w:g}: {e:.2f}" for w, e in entry["blend"].items()))
    for name, entry in report.items():
        print(f"{name}: mean a*b* predicted {entry['mean_pred']}, true {entry['mean_truth']}, "
              f"generator output {entry['mean_output']}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.0f} s] {message}", flush=True)

    generator = ColorGenerator.from_pretrained(args.weights)
    train, val, evals = load_sets(args, generator, log)
    extraction = train.seconds + val.seconds + sum(s.seconds for s in evals.values())
    log(f"features of {len(train)} train and {len(val)} val photos ready; extracting them "
        f"took {extraction:.0f} s (kept in {CACHE_DIR})")
    fit_started = time.perf_counter()
    model = select_model(train, val, log)
    fit_seconds = time.perf_counter() - fit_started
    check_live(model, generator, DecodingConfig.load(args.weights).render_size,
               args.datasets / EVAL_SETS[0], evals[EVAL_SETS[0]])
    report = build_report(model, train, {"val": val, **evals})
    print(f"\nphotos: {len(train)} train, {len(val)} val; feature extraction {extraction:.0f} s,"
          f" fit and selection {fit_seconds:.0f} s; config {model.config.to_dict()}; "
          f"train mean a*b* {_rounded(train.truth.mean(axis=0))}")
    print_report(report)
    if not args.no_save:
        path = model.save_pretrained(args.out, metadata={
            "version": "balance-v1",
            "generator_sha256": hashlib.sha256(
                (args.weights / WEIGHTS_FILE).read_bytes()).hexdigest(),
            "command": ("python -m colorizer.training.train_balance "
                        + " ".join(argv or sys.argv[1:])),
            "train_photos": len(train), "val_photos": len(val),
            "extraction_seconds": round(extraction), "fit_seconds": round(fit_seconds),
            "report": json.dumps(report)})
        log(f"wrote {path}")
    return 0


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 2) for v in values]


def check_live(model: BalancePredictor, generator: ColorGenerator, render_size: int, folder: Path,
               photos: PhotoSet, count: int = 3) -> None:
    """The saved module on freshly encoded photos must give what the cached vectors gave:
    guards the contract between `pool_features` and the cache's layout."""
    cached = predict(model, photos)[:count]
    for i, name in enumerate(photos.names[:count]):
        lightness = lightness_of(load_image(folder / name))
        with torch.inference_mode():
            live = model(generator.encode(lightness_at(lightness, render_size)))
        if not np.allclose(live[0].numpy(), cached[i], atol=1e-3):
            raise RuntimeError(f"{name}: live prediction {live[0].tolist()} differs from the "
                               f"cached one {cached[i].tolist()}")


if __name__ == "__main__":
    raise SystemExit(main())
