"""Choose the decoding operating point on the validation split and real-color-dev together.

    python -m eval.operating_point            # sweep, write eval/results/operating-point.*

The rule, written down (2026-12-02) before the Prokudin-Gorsky and held-out figures of any
new point were looked at, and every later rule with its result: `eval/operating_point_rules.md`
(each report carries a copy). Those two sets are only reported (`python -m eval.real_photos`,
`python -m eval.report --dataset heldout`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from colorizer.check.blobs import BlobSummary, blob_summary, dataset_summary, find_blobs
from colorizer.model.colorspace import lab_to_rgb_keep_luminance
from colorizer.pipeline.chroma import ChromaConfig, chroma_at
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.decoding import decoding_fields
from colorizer.pipeline.frame import clear_frame, generator_view
from eval import metrics
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    missing_data,
    parse_eval_args,
    rounded,
    shared_datasets,
)
from eval.datasets import DATASETS
from eval.operating_point_rule import PER_PHOTO, admissible, choose, gain
from eval.real_photos.pixel_stats import falsely_red_share

RULES_FILE = Path(__file__).with_name("operating_point_rules.md")
EVAL_SIDE = 384  # long side (px) at which points are scored (the val photos' own size)
VIVID_CHROMA, TRUTH_DULL = 40.0, 20.0

GRID = {
    "temperature": (0.25, 0.38),
    "chroma_scale": (1.5, 2.0, 2.5),
    "agreement_power": (0.0, 0.5, 1.0),
    "balance_strength": (0.0, 0.5, 1.0),
    "balance_trust": (0.0, 0.5),
}


def rules_text() -> str:
    """The written rules (and their results), as every report carries them."""
    return RULES_FILE.read_text(encoding="utf-8").strip()


@dataclass
class Photo:
    """One photo's truth and the generator's no-context prediction, computed once."""

    name: str
    subset: str  # "val" | "real"
    truth: np.ndarray  # (H, W, 3) sRGB in [0, 1] at EVAL_SIDE
    lightness: torch.Tensor  # (1, 1, H, W) L* of the truth
    logits: torch.Tensor
    features: dict[int, torch.Tensor]
    gray_de: float
    truth_cf: float


def _resized(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        rgb = img.convert("RGB")
        scale = EVAL_SIDE / max(rgb.size)
        if scale < 1:
            rgb = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)),
                             Image.LANCZOS)
        return np.asarray(rgb, dtype=np.float64) / 255.0


def historical_bw_files(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


def real_color_dev_files(root: Path) -> list[Path]:
    with (root / "manifest.csv").open(encoding="utf-8") as handle:
        return [root / row["file"] for row in csv.DictReader(handle)]


def sweep_pipe(weights: str | Path | None, render_size: int | None = None
               ) -> ColorizationPipeline:
    """The pipeline a sweep scores: no context (rule 1), at the weights' render size or the
    one given (rule 24)."""
    pipe = ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False)
    return pipe if render_size is None else pipe.with_config(render_size=render_size)


@torch.inference_mode()
def prepare(pipe: ColorizationPipeline, files: list[tuple[Path, str]], mirror: bool = False
            ) -> list[Photo]:
    """Each photo's truth and no-context prediction; with `mirror` (rule 7), the logits
    averaged with those of the mirror image, mirrored back."""
    photos = []
    for path, subset in files:
        truth = _resized(path)
        lab = metrics.lab_of(truth)
        lightness = torch.from_numpy(lab[..., 0]).float()[None, None]
        small = generator_view(lightness, pipe.render_size, pipe.decoding.frame_fill)
        features = pipe.generator.encode(small)
        logits, _ = pipe.generator.logits_from_features(features)
        if mirror:
            flipped, _ = pipe.generator.logits_from_features(pipe.generator.encode(small.flip(-1)))
            logits = (logits + flipped.flip(-1)) / 2
        if subset == "bw":  # a black-and-white photo: nothing to compare with
            photos.append(Photo(path.name, subset, truth, lightness, logits, features, 0.0, 0.0))
            continue
        gray = metrics.gray_baseline(truth)
        photos.append(Photo(path.name, subset, truth, lightness, logits, features,
                            metrics.mean_ciede2000(gray, truth), metrics.colorfulness(truth)))
    return photos


@torch.inference_mode()
def colorize(pipe: ColorizationPipeline, photo: Photo) -> np.ndarray:
    """The pipeline's own decoding and merge for a photo whose logits are cached."""
    ab, _ = pipe.decode(photo.logits, photo.features)
    ab = clear_frame(chroma_at(ab, photo.lightness, pipe.decoding.chroma), photo.lightness,
                     pipe.decoding.frame_fill)
    rgb = lab_to_rgb_keep_luminance(photo.lightness, ab)
    eight_bit = (rgb[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)
    return eight_bit.astype(np.float64) / 255.0  # scored as the 8-bit image a user gets


def falsely_vivid(pred_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    vivid = np.hypot(pred_lab[..., 1], pred_lab[..., 2]) >= VIVID_CHROMA
    dull = np.hypot(truth_lab[..., 1], truth_lab[..., 2]) < TRUTH_DULL
    return float((vivid & dull).mean())


def score_point(pipe: ColorizationPipeline, photos: list[Photo]) -> dict[str, Any]:
    rows: dict[str, dict[str, list[float]]] = {}
    blobs: list[BlobSummary] = []
    for photo in photos:
        pred = colorize(pipe, photo)
        pred_lab, truth_lab = metrics.lab_of(pred), metrics.lab_of(photo.truth)
        if photo.subset == "bw":  # no truth: only blobs are counted
            blobs.append(blob_summary(find_blobs(pred)))
            continue
        acc = rows.setdefault(photo.subset, {"de": [], "gray": [], "cf": [], "tcf": [],
                                             "vivid": [], "red": [], "name": []})
        acc["name"].append(photo.name)
        acc["de"].append(metrics.mean_ciede2000(pred, photo.truth))
        acc["gray"].append(photo.gray_de)
        acc["cf"].append(metrics.colorfulness(pred))
        acc["tcf"].append(photo.truth_cf)
        acc["vivid"].append(falsely_vivid(pred_lab, truth_lab))
        acc["red"].append(falsely_red_share(pred_lab, truth_lab))
    out = {}
    for subset, acc in rows.items():
        out[subset] = {"de": float(np.mean(acc["de"])), "gray": float(np.mean(acc["gray"])),
                       "cf_ratio": float(np.mean(acc["cf"]) / max(np.mean(acc["tcf"]), 1e-6)),
                       "falsely_vivid": float(np.mean(acc["vivid"])),
                       "falsely_red": float(np.mean(acc["red"])),
                       "falsely_red_worst": float(np.max(acc["red"])),
                       PER_PHOTO: {n: d - g for n, d, g in
                                   zip(acc["name"], acc["de"], acc["gray"], strict=True)}}
    if blobs:
        out["bw"] = {"blob_share": dataset_summary(blobs)["share_with_blobs"]}
    return out


# Operating-point fields a run cannot override (`PipelineConfig`): only the weights' saved
# decoding.json holds them, so a sweep sets them on the point's pipeline directly.
SAVED_ONLY = ("prior_correction", "estimator", "frame_fill")


def point_pipe(pipe: ColorizationPipeline, point: dict[str, float]) -> ColorizationPipeline:
    chroma = {k: v for k, v in point.items() if k in ChromaConfig.__dataclass_fields__}
    saved = {k: v for k, v in point.items() if k in SAVED_ONLY}
    other = {k: v for k, v in point.items() if k not in chroma and k not in saved}
    out = pipe.with_config(chroma=chroma, **other)
    if saved:
        out.decoding = replace(out.decoding, **saved)
    return out


def sweep(pipe: ColorizationPipeline, photos: list[Photo], grid: dict[str, tuple]
          ) -> list[dict[str, Any]]:
    rows = []
    names = list(grid)
    for values in itertools.product(*grid.values()):
        point = dict(zip(names, values))
        scores = score_point(point_pipe(pipe, point), photos)
        rows.append({"point": point, "scores": scores})
        brief = {k: {f: v for f, v in s.items() if f != PER_PHOTO} for k, s in scores.items()}
        print(json.dumps(rounded({"point": point, "gain": gain(scores), **brief}, 3)),
              flush=True)
    return rows


def markdown(rows: list[dict[str, Any]], chosen: dict[str, Any] | None, why: str) -> str:
    picked = json.dumps(chosen["point"]) if chosen else "none"
    lines = ["# Operating point (validation split + real-color-dev, no hint)", "",
             rules_text(), "",
             f"**Chosen** ({why}): `{picked}`", "",
             ("| point | val ΔE00 (gray) | val CF % | real ΔE00 (gray) | real CF % | "
              "real falsely vivid % | real falsely red % (worst photo) | "
              "bw photos with blobs % | mean ΔE00 - gray | admissible |"),
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: gain(r["scores"])):
        v, re_ = r["scores"]["val"], r["scores"]["real"]
        red = (f"{100 * re_['falsely_red']:.3f} ({100 * re_['falsely_red_worst']:.1f})"
               if "falsely_red" in re_ else "—")  # sweeps before rule 9 did not score it
        lines.append(f"| {json.dumps(r['point'])} | {v['de']:.2f} ({v['gray']:.2f}) | "
                     f"{100 * v['cf_ratio']:.0f} | {re_['de']:.2f} ({re_['gray']:.2f}) | "
                     f"{100 * re_['cf_ratio']:.0f} | {100 * re_['falsely_vivid']:.3f} | {red} | "
                     f"{100 * r['scores'].get('bw', {}).get('blob_share', float('nan')):.1f} | "
                     f"{gain(r['scores']):+.3f} | {'yes' if admissible(r['scores']) else ''} |")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval.operating_point", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default=None, help="weights folder (default: embedded)")
    parser.add_argument("--limit", type=int, default=None, help="photos per set (quick runs)")
    parser.add_argument("--grid", default=None,
                        help='JSON dict replacing the grid, e.g. \'{"edge_radius": [0, 0.01]}\'')
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--from-logs", type=Path, nargs="+", default=None,
                        help="write the report from the JSON lines earlier sweeps printed "
                             "(one per point) instead of sweeping")
    parser.add_argument("--apply", type=Path, default=None, metavar="DECODING_JSON",
                        help="write the chosen point into this decoding.json (the weights' "
                             "operating point), e.g. colorizer/weights/default/decoding.json")
    parser.add_argument("--cache", type=Path, default=None, help="folder to keep the "
                        "photos' predictions between sweeps")
    parser.add_argument("--mirror", action="store_true", help="average each photo's "
                        "logits with its mirror image's (rule 7)")
    parser.add_argument("--render-size", type=int, default=None,
                        help="long side (px) the generator runs at (default: the weights' "
                             "own, decoding.json; rule 24 compares sizes)")
    parser.add_argument("--red-guard", action="store_true", help="choose only among points "
                        "within rule 8's red bounds (rule 9)")
    parser.add_argument("--frame-fill", choices=("on", "off"), default=None,
                        help="the generator reads the photo without its black frame (rules "
                             "56-57; default: the weights' decoding.json)")
    add_shared_argument(parser, f"{TRAIN_PHOTOS}, real-color-dev and historical-bw")
    return parse_eval_args(parser, argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    shared, asked = shared_datasets(args)
    if not args.from_logs and (problem := absent_data(shared, TRAIN_PHOTOS, "real-color-dev",
                                                      "historical-bw")):
        return missing_data(asked, "operating_point", problem)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    fill = {} if args.frame_fill is None else {"frame_fill": args.frame_fill == "on"}
    pipe = point_pipe(sweep_pipe(args.weights, args.render_size), fill)
    if args.from_logs:
        rows = rows_from_logs(args.from_logs)
        write_report(rows, {}, pipe, args.out, 0.0, args.red_guard)
        return 0
    val = [(p, "val") for p in DATASETS["val-split"](shared).files]
    real = [(p, "real") for p in real_color_dev_files(shared / "real-color-dev")]
    bw = [(p, "bw") for p in historical_bw_files(shared / "historical-bw")]
    if args.limit:
        val, real, bw = val[:args.limit], real[:args.limit], bw[:args.limit]
    start = time.perf_counter()
    key = hashlib.sha1(json.dumps([pipe.model_info.sha256, pipe.render_size, EVAL_SIDE,
                                   [str(p) for p, _ in val + real + bw], args.mirror,
                                   pipe.decoding.frame_fill]
                                  ).encode()).hexdigest()
    cached = args.cache / f"operating-point-{key[:16]}.pt" if args.cache else None
    if cached and cached.is_file():  # the generator's predictions do not depend on the point
        photos = torch.load(cached, weights_only=False)
    else:
        photos = prepare(pipe, val + real + bw, args.mirror)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            torch.save(photos, cached)
    grid = ({k: tuple(v) for k, v in json.loads(args.grid).items()} if args.grid else GRID)
    grid = {**grid, "frame_fill": (fill["frame_fill"],)} if fill else grid  # named in its rows
    rows = sweep(pipe, photos, grid)
    chosen = write_report(rows, grid, pipe, args.out, time.perf_counter() - start,
                          args.red_guard)
    if args.apply and chosen:
        apply_point(chosen["point"], args.apply)
    return 0


def apply_point(point: dict[str, Any], path: Path) -> None:
    """Write a chosen point into a decoding.json: `DecodingConfig`'s own fields (chroma
    scale, prior correction, estimator, ...) at the top, the rest under "chroma"; every other
    setting of the file is kept."""
    decoding = json.loads(path.read_text())
    top_level = decoding_fields() - {"chroma"}  # a field the file may not hold yet
    for key, value in point.items():
        if key in top_level:
            decoding[key] = value
        else:
            decoding.setdefault("chroma", {})[key] = value
    path.write_text(json.dumps(decoding, indent=2) + "\n")
    print(f"applied to {path}")


def rows_from_logs(paths: list[Path]) -> list[dict[str, Any]]:
    """Rows from the lines `sweep` prints, the first of each point kept."""
    rows, seen = [], set()
    for path in paths:
        for line in path.read_text().splitlines():
            if not line.startswith('{"point"'):
                continue
            data = json.loads(line)
            key = json.dumps(data["point"], sort_keys=True)
            if key not in seen:
                seen.add(key)
                rows.append({"point": data["point"],
                             "scores": {k: v for k, v in data.items()
                                        if k in ("val", "real", "bw")}})
    return rows


def write_report(rows: list[dict[str, Any]], grid: dict[str, Any], pipe: ColorizationPipeline,
                 out: Path, seconds: float, red_guard: bool = False) -> dict[str, Any] | None:
    chosen, why = choose(rows, red_guard)
    out.mkdir(parents=True, exist_ok=True)
    report = {"rule": rules_text(), "grid": grid,
              "base": asdict(pipe.decoding.chroma), "render_size": pipe.render_size,
              "weights": pipe.model_info.to_dict(),
              "chosen": chosen, "why": why, "rows": rows, "seconds": round(seconds, 1)}
    (out / "operating-point.json").write_text(json.dumps(rounded(report, 4), indent=1))
    (out / "operating-point.md").write_text(markdown(rows, chosen, why))
    if chosen:
        print(f"chosen ({why}): {json.dumps(chosen['point'])} -> "
              f"{json.dumps(rounded(chosen['scores'], 3))}")
    else:
        print(f"chosen: none ({why})")
    return chosen


if __name__ == "__main__":
    raise SystemExit(main())
