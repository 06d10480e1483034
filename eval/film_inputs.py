"""Does training through old emulsions help? Real color photos as old film would have seen them.

    python -m eval.film_inputs [--weights A --weights B ...] [--limit N] [--out DIR]
                               [--shared DIR]   # the datasets (default: ../shared/datasets)

Issue #18 asks whether training inputs made through the spectral responses of old emulsions
(colorizer/training/film.py) help. Our real-photo benchmarks feed each photo's L*, which is
what panchromatic film records and what a model trained on L* alone has always seen; a
model trained on old emulsions is made for photos whose grays are not L* (a red flag dark,
a blue sky white). So each photo of the validation split, real-color-dev and the
Prokudin-Gorsky plates (long side 384 px) is given to each model as four films would have
recorded it (`FILM_RESPONSES`: the eye's L*, early panchromatic, orthochromatic,
blue-sensitive), decoded at the model's own operating point (its decoding.json), and only
the chroma is scored: the output's a*b* under the truth's L* against the truth (CIEDE2000),
since the film's tones are the input's and the same for every model. Gray: the truth's L*
with a*b* = 0. Nothing is chosen here; it reports.

Writes eval/results/film-inputs/film-inputs.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from skimage.color import deltaE_ciede2000

from colorizer.pipeline.colorization import DEFAULT_WEIGHTS, ColorizationPipeline
from colorizer.pipeline.frame import generator_view
from colorizer.training.film import FILM_RESPONSES, film_lightness
from eval import metrics
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    missing_data,
    parse_eval_args,
    shared_datasets,
    write_json_and_markdown,
)
from eval.datasets import DATASETS
from eval.operating_point import Photo, _resized, colorize, real_color_dev_files

OUT = RESULTS_DIR / "film-inputs"
FOLDERS = (TRAIN_PHOTOS, "real-color-dev", "prokudin-gorsky")  # what it reads of --shared


def photo_sets(shared: Path, limit: int | None) -> dict[str, list[Path]]:
    pg = sorted(p for p in (shared / "prokudin-gorsky").iterdir()
                if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    sets = {"val": list(DATASETS["val-split"](shared).files),
            "real-color-dev": real_color_dev_files(shared / "real-color-dev"),
            "prokudin-gorsky": pg}
    return {k: v[:limit] for k, v in sets.items()}


@torch.inference_mode()
def chroma_error(pipe: ColorizationPipeline, truth: np.ndarray, film: str,
                 truth_lab: np.ndarray | None = None) -> float:
    """Mean CIEDE2000 of the model's a*b* (on `film`'s gray of `truth`) under the truth's L*
    (`truth_lab`: its `metrics.lab_of`, when the caller keeps it across films and models)."""
    rgb = torch.from_numpy(truth).float().permute(2, 0, 1)[None]
    lightness = film_lightness(rgb, film)
    # The generator's view as the pipeline makes it (`colorize` below clears the frame).
    features = pipe.generator.encode(generator_view(lightness, pipe.render_size,
                                                    pipe.decoding.frame_fill))
    logits, _ = pipe.generator.logits_from_features(features)
    photo = Photo("", "", truth, lightness, logits, features, 0.0, 0.0)
    pred_lab = metrics.lab_of(colorize(pipe, photo))
    truth_lab = metrics.lab_of(truth) if truth_lab is None else truth_lab
    pred_lab[..., 0] = truth_lab[..., 0]  # the film's tones are not the model's doing
    return float(np.mean(deltaE_ciede2000(truth_lab, pred_lab, channel_axis=-1)))


def run(weights: list[Path], sets: dict[str, list[Path]]) -> dict:
    truths = {name: [(t, metrics.lab_of(t)) for t in map(_resized, files)]
              for name, files in sets.items()}
    gray = {name: float(np.mean([metrics.mean_ciede2000(metrics.gray_baseline(t), t,
                                                        truth_lab=lab) for t, lab in ts]))
            for name, ts in truths.items()}
    rows = []
    for folder in weights:
        pipe = ColorizationPipeline.from_pretrained(folder, device="cpu", context=False,
                                                    exemplars=False)
        for film in FILM_RESPONSES:
            errors = {name: float(np.mean([chroma_error(pipe, t, film, lab) for t, lab in ts]))
                      for name, ts in truths.items()}
            rows.append({"weights": str(folder), "version": pipe.model_info.version, "film": film,
                         "de": errors})
            print(rows[-1], flush=True)
    return {"gray": gray, "n": {k: len(v) for k, v in sets.items()}, "rows": rows}


def markdown(result: dict) -> list[str]:
    names = list(result["gray"])
    lines = ["# Old emulsions as input: chroma error per film (CIEDE2000 under the truth's L*)",
             "", "`python -m eval.film_inputs`; what it measures is in its docstring.", "",
             "| weights | film | " + " | ".join(f"{n} ({result['n'][n]})" for n in names)
             + " |", "|---|---|" + "---:|" * len(names),
             "| gray (a*b* = 0) | any | " + " | ".join(f"{result['gray'][n]:.2f}" for n in names)
             + " |"]
    for r in result["rows"]:
        lines.append(f"| {r['version']} | {r['film']} | "
                     + " | ".join(f"{r['de'][n]:.2f}" for n in names) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, action="append", default=None,
                   help="weights folder (repeatable; default: the embedded weights)")
    p.add_argument("--limit", type=int, default=None, help="at most N photos a set")
    p.add_argument("--out", type=Path, default=OUT)
    add_shared_argument(p, ", ".join(FOLDERS))
    args = parse_eval_args(p, argv)
    shared, asked = shared_datasets(args)
    weights = args.weights or [DEFAULT_WEIGHTS]
    missing = [w for w in weights if not (w / "model.safetensors").is_file()]
    if missing:
        print(f"error: no model.safetensors in {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    if problem := absent_data(shared, *FOLDERS):
        return missing_data(asked, "film_inputs", problem)
    torch.set_num_threads(1)
    result = run(weights, photo_sets(shared, args.limit))
    write_json_and_markdown(args.out, "film-inputs", result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
