"""Truth against vividness: sweep the pipeline's vividness settings and pick an operating point.

    python -m eval.tradeoff                          # val split, embedded default weights
    python -m eval.tradeoff --apply op.json          # also write the chosen point as its own file
    python -m eval.tradeoff --apply colorizer/weights/default/decoding.json   # ... and adopt it
    python -m eval.tradeoff --shared DIR             # DIR/photos-train (default: ../shared/datasets)

Every (render size, temperature, chroma scale) point is `pipe.with_config(...)` of the pipeline
without context or retrieval: each photo's L* (8-bit gray, as in eval.report) goes through it,
and the output (the 8-bit image a user gets) is scored by mean CIEDE2000 (truth),
colorfulness (vividness) and blue share (warm/cool balance). The prior correction that undoes
the training's class rebalancing is the weights' own (their decoding.json): it is reported,
not swept. The rule for the default operating point, applied on the validation
split only (never on the Prokudin-Gorsky plates or the held-out split):

    among the settings whose mean CIEDE2000 is at least `margin` below the gray baseline's,
    at least `min_vividness` as colorful as the truth and at least `min_blue` of the truth's
    blue share (not warmer than the photos), the one with the lowest CIEDE2000;
    if there is none, among those `margin` below gray the colorfulness closest to the truth's;
    if no setting beats gray by the margin, the one with the lowest CIEDE2000.

Writes `eval/results/tradeoff.json`, `tradeoff.md` and `tradeoff.png` (a scatter plot).
`--apply PATH` writes the weights' operating point with the chosen settings as its own file,
in the format of the weights' `decoding.json` (`DecodingConfig`; `--guided` sets its
`guided_chroma_scale`); written over a weights folder's decoding.json it becomes that model's
default. The weights' config.json (the architecture) is never edited.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from colorizer.pipeline.colorization import DEFAULT_WEIGHTS, ColorizationPipeline
from colorizer.pipeline.decoding import DecodingConfig
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.imageio import load_image
from eval import metrics
from eval.common import (
    RESULTS_DIR,
    add_shared_argument,
    augmented_view,
    configure_logging,
    luminance_input,
    missing_data,
    parse_eval_args,
    pixels,
    shared_datasets,
)
from eval.datasets import DATASETS, DatasetUnavailableError

log = logging.getLogger("chronochrome.eval.tradeoff")

TEMPERATURES = (0.2, 0.25, 0.3, 0.4, 0.5)
CHROMA_SCALES = (1.0, 1.3, 1.6, 2.0, 2.4, 2.8)
# Training crops show 60-100% of a photo's short side at 160-192 px: a photo read at a long
# side near 256-384 px looks to the model as in training; 512 px shows it magnified.
RENDER_SIZES = (256, 320, 384, 512)
MIN_VIVIDNESS = 0.7  # colorfulness / the truth's
MIN_BLUE = 1.0  # blue share / the truth's




@dataclass
class Point:
    render_size: int
    prior_correction: float
    temperature: float
    chroma_scale: float
    ciede2000: list[float]
    colorfulness: list[float]
    blue: list[float]  # blue chroma per image
    chroma: list[float]  # total chroma per image

    def summary(self) -> dict[str, float]:
        return {"render_size": self.render_size, "prior_correction": self.prior_correction,
                "temperature": self.temperature,
                "chroma_scale": self.chroma_scale,
                "ciede2000": float(np.mean(self.ciede2000)),
                "colorfulness": float(np.mean(self.colorfulness)),
                "blue_share": float(sum(self.blue) / max(sum(self.chroma), 1e-9))}



def sweep(pipe: ColorizationPipeline, files: list[Path], render_sizes: Sequence[int | None],
          temperatures: Sequence[float | None] = TEMPERATURES,
          scales: Sequence[float] = CHROMA_SCALES, guided: bool = False
          ) -> tuple[list[Point], dict[str, float]]:
    """Score every (render size, temperature, scale) point through `pipe.with_config`;
    `guided` gives each photo its own augmented color version as exemplar (guided
    colorization when it fits). None: the model's own render size or temperature (each point
    records the value the pipeline reports it used)."""
    # Not a pipeline setting: the model's own, recorded with every point.
    prior = float(pipe.decoding.prior_correction)
    points = [Point(r or 0, prior, t or 0.0, s, [], [], [], [])
              for r in render_sizes for t in temperatures for s in scales]
    pipes = [pipe.with_config(render_size=r, temperature=t, chroma_scale=s)
             for r in render_sizes for t in temperatures for s in scales]
    truth: dict[str, list[float]] = {"ciede2000_gray": [], "colorfulness": [], "blue": [],
                                     "chroma": []}
    for index, path in enumerate(files, 1):
        log.info("[%d/%d] %s", index, len(files), path.name)
        rgb = load_image(path).rgb.astype(np.float64)
        truth_lab = metrics.lab_of(rgb)
        gray_input = luminance_input(rgb)  # 8-bit gray, as in report
        exemplars = ([UserExemplar("own color, augmented", augmented_view(rgb), None)]
                     if guided else [])
        gray = metrics.gray_baseline(rgb)
        truth["ciede2000_gray"].append(metrics.mean_ciede2000(gray, rgb, truth_lab=truth_lab))
        truth["colorfulness"].append(metrics.colorfulness(rgb))
        blue, chroma = metrics.blue_chroma(rgb)
        truth["blue"].append(blue)
        truth["chroma"].append(chroma)
        for point, point_pipe in zip(points, pipes):
            result = point_pipe(gray_input, exemplars=exemplars)
            point.render_size = int(result.settings["render_size"])
            point.temperature = float(result.settings["temperature"])
            score(point, pixels(result.image), rgb, truth_lab)
    reference = {"gray_ciede2000": float(np.mean(truth["ciede2000_gray"])),
                 "truth_colorfulness": float(np.mean(truth["colorfulness"])),
                 "truth_blue_share": float(sum(truth["blue"]) / max(sum(truth["chroma"]), 1e-9))}
    return points, reference


def score(point: Point, pred: np.ndarray, truth: np.ndarray, truth_lab: np.ndarray) -> None:
    """Add one output's CIEDE2000, colorfulness and blue/total chroma to `point`."""
    pred_lab = metrics.lab_of(pred)
    point.ciede2000.append(metrics.mean_ciede2000(pred, truth, truth_lab=truth_lab,
                                                  pred_lab=pred_lab))
    point.colorfulness.append(metrics.colorfulness(pred))
    blue, chroma = metrics.blue_chroma(pred, lab=pred_lab)
    point.blue.append(blue)
    point.chroma.append(chroma)



def choose(summaries: list[dict], reference: dict, margin: float,
           min_vividness: float = MIN_VIVIDNESS, min_blue: float = MIN_BLUE) -> dict:
    """The documented rule (see the module docstring)."""
    ok = [p for p in summaries if p["ciede2000"] <= reference["gray_ciede2000"] - margin]
    balanced = [p for p in ok
                if p["colorfulness"] >= min_vividness * reference["truth_colorfulness"]
                and p["blue_share"] >= min_blue * reference["truth_blue_share"]]
    if balanced:
        return min(balanced, key=lambda p: p["ciede2000"])
    if ok:
        target = reference["truth_colorfulness"]
        return min(ok, key=lambda p: (abs(p["colorfulness"] - target), p["ciede2000"]))
    return min(summaries, key=lambda p: p["ciede2000"])


# --- output --------------------------------------------------------------------------------


def markdown(summaries: list[dict], reference: dict, chosen: dict, dataset: str) -> str:
    lines = [f"Trade-off on `{dataset}` ({reference['count']} photos): gray baseline ΔE00 "
             f"{reference['gray_ciede2000']:.2f}, truth colorfulness "
             f"{reference['truth_colorfulness']:.1f}, truth blue share "
             f"{reference['truth_blue_share']:.3f}. Chroma scale "
             + ("confidence-weighted (applies in full at uncertainty 1, not at 0)."
                if reference.get("confidence_weighted") else "uniform."), "",
             ("| render size | prior correction | temperature | chroma scale | ΔE00 ↓ "
              "| colorfulness | CF / truth | blue share |"),
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in summaries:
        mark = " **(default)**" if p is chosen else ""
        lines.append(f"| {p['render_size']} | {p['prior_correction']:.1f} | "
                     f"{p['temperature']:.2f} | "
                     f"{p['chroma_scale']:.2f}{mark} | "
                     f"{p['ciede2000']:.2f} | {p['colorfulness']:.1f} | "
                     f"{p['colorfulness'] / reference['truth_colorfulness']:.0%} | "
                     f"{p['blue_share']:.3f} |")
    return "\n".join(lines) + "\n"


def plot(summaries: list[dict], reference: dict, chosen: dict, path: Path) -> None:
    """Scatter of CIEDE2000 (x) against colorfulness (y), one color per prior correction."""
    w, h, pad = 720, 480, 60
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    xs = [p["ciede2000"] for p in summaries] + [reference["gray_ciede2000"]]
    ys = [p["colorfulness"] for p in summaries] + [0.0, reference["truth_colorfulness"]]
    x0, x1 = min(xs) - 0.5, max(xs) + 0.5
    y0, y1 = 0.0, max(ys) * 1.1

    def at(x: float, y: float) -> tuple[float, float]:
        return (pad + (x - x0) / (x1 - x0) * (w - 2 * pad),
                h - pad - (y - y0) / (y1 - y0) * (h - 2 * pad))

    draw.rectangle([pad, pad, w - pad, h - pad], outline="black")
    draw.text((w // 2 - 60, h - pad + 25), "mean CIEDE2000 (lower = truer)", fill="black")
    draw.text((5, pad - 30), "colorfulness (higher = more vivid)", fill="black")
    for frac in (0.0, 0.5, 1.0):
        draw.text((pad - 40, at(x0, y0 + frac * (y1 - y0))[1] - 6),
                  f"{y0 + frac * (y1 - y0):.0f}", fill="black")
        draw.text((at(x0 + frac * (x1 - x0), y0)[0] - 10, h - pad + 5),
                  f"{x0 + frac * (x1 - x0):.1f}", fill="black")
    gx, _ = at(reference["gray_ciede2000"], 0)
    draw.line([gx, pad, gx, h - pad], fill=(150, 150, 150), width=1)
    draw.text((gx + 3, pad + 3), "gray", fill=(120, 120, 120))
    _, ty = at(x0, reference["truth_colorfulness"])
    draw.line([pad, ty, w - pad, ty], fill=(0, 140, 0), width=1)
    draw.text((pad + 3, ty - 14), "truth colorfulness", fill=(0, 120, 0))
    palette = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
               (148, 103, 189), (140, 86, 75)]
    groups = sorted({p["prior_correction"] for p in summaries})
    for p in summaries:
        color = palette[groups.index(p["prior_correction"]) % len(palette)]
        x, y = at(p["ciede2000"], p["colorfulness"])
        r = 7 if p is chosen else 4
        draw.ellipse([x - r, y - r, x + r, y + r], fill=color,
                     outline="black" if p is chosen else color)
    for i, a in enumerate(groups):
        draw.ellipse([w - pad - 130, pad + 8 + i * 16, w - pad - 122, pad + 16 + i * 16],
                     fill=palette[i % len(palette)])
        draw.text((w - pad - 116, pad + 5 + i * 16), f"correction {a}", fill="black")
    img.save(path)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.tradeoff", description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--dataset", default="val-split", choices=["val-split"],
                   help="operating points are chosen on the validation split only")
    p.add_argument("--limit", type=int, default=0, help="use the first N photos (0 = all)")
    p.add_argument("--margin", type=float, default=0.2,
                   help="required ΔE00 advantage over the gray baseline")
    p.add_argument("--min-vividness", type=float, default=MIN_VIVIDNESS,
                   help="required colorfulness / the truth's (default: %(default)s)")
    p.add_argument("--min-blue", type=float, default=MIN_BLUE,
                   help="required blue share / the truth's (default: %(default)s)")
    p.add_argument("--render-sizes", type=int, nargs="+", default=list(RENDER_SIZES),
                   help="long sides to sweep (default: %(default)s)")
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    add_shared_argument(p, "photos-train (its validation split)")
    p.add_argument("--apply", type=Path, default=None, metavar="PATH",
                   help="write the chosen settings to PATH as a flat JSON of with_config "
                        "settings (render_size, temperature, chroma_scale; guided: "
                        "chroma_scale); the weights' config.json is never edited")
    p.add_argument("--guided", action="store_true",
                   help="the operating point for guided colorization: each photo gets its own "
                        "augmented color as exemplar; only the chroma scale is swept (at the "
                        "model's render size and temperature), for use when a user gives "
                        "exemplars")
    return p


def operating_point(saved: DecodingConfig, chosen: dict[str, float], guided: bool
                    ) -> DecodingConfig:
    """The weights' operating point `saved` with the chosen settings: what `--apply` writes."""
    if guided:
        return replace(saved, guided_chroma_scale=chosen["chroma_scale"])
    return replace(saved, render_size=int(chosen["render_size"]),
                   temperature=chosen["temperature"], chroma_scale=chosen["chroma_scale"])


def main(argv: list[str] | None = None) -> int:
    args = parse_eval_args(build_parser(), argv)
    configure_logging()
    shared, asked = shared_datasets(args)
    try:
        dataset = DATASETS[args.dataset](shared)
    except (DatasetUnavailableError, ValueError) as exc:  # ValueError: no photo in the split
        return missing_data(asked, "tradeoff", str(exc))
    files = list(dataset.files[: args.limit] if args.limit else dataset.files)
    pipe = ColorizationPipeline.from_pretrained(args.weights, device="cpu", context=False,
                                                exemplars=False)
    if args.guided:  # the model's render size and temperature: None leaves them to it
        points, reference = sweep(pipe, files, (None,), temperatures=(None,), guided=True)
    else:
        points, reference = sweep(pipe, files, args.render_sizes)
    reference["count"] = len(files)
    # A property of the weights (how the chroma scale applies), reported with the table.
    reference["confidence_weighted"] = pipe.decoding.confidence_weighted
    summaries = [p.summary() for p in points]
    chosen = choose(summaries, reference, args.margin, args.min_vividness, args.min_blue)
    write_outputs(args, dataset.name, dataset.description, summaries, reference, chosen)
    print(f"chosen: render size {chosen['render_size']}, prior correction "
          f"{chosen['prior_correction']}, temperature "
          f"{chosen['temperature']}, chroma scale {chosen['chroma_scale']}")
    if args.apply:
        point = operating_point(pipe.saved_decoding, chosen, args.guided)
        args.apply.parent.mkdir(parents=True, exist_ok=True)
        point.write(args.apply)
        print(f"wrote the operating point {json.dumps(point.to_dict())} to {args.apply}")
    return 0


def write_outputs(args: argparse.Namespace, name: str, description: str,
                  summaries: list[dict], reference: dict, chosen: dict) -> None:
    """tradeoff[-guided].json, .md and .png in --out; prints the table."""
    args.out.mkdir(parents=True, exist_ok=True)
    document = {"dataset": name, "description": description,
                "weights": str(args.weights), "margin": args.margin,
                "min_vividness": args.min_vividness, "min_blue": args.min_blue,
                "reference": reference, "points": summaries, "chosen": chosen,
                "rule": "among points with ΔE00 <= gray ΔE00 - margin, colorfulness >= "
                        "min_vividness x the truth's and blue share >= min_blue x the truth's, "
                        "the lowest ΔE00; else among those below gray by the margin the "
                        "colorfulness closest to the truth's; else the lowest ΔE00"}
    stem = "tradeoff-guided" if args.guided else "tradeoff"
    document["guided"] = args.guided
    (args.out / f"{stem}.json").write_text(json.dumps(document, indent=1) + "\n")
    table = markdown(summaries, reference, chosen, name)
    (args.out / f"{stem}.md").write_text(table)
    plot(summaries, reference, chosen, args.out / f"{stem}.png")
    print(table)


if __name__ == "__main__":
    sys.exit(main())
