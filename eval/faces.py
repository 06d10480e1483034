"""Skin on held-out faces: does the generator give people their skin's hue and chroma?

The faces are the `natimg__person_*` crops of `../shared/datasets/photos-train-extra` in the
held-out ('test') half of the file-name-hash split that every training config uses
(`val_fraction` 0.05): set aside before any training on that folder, never trained or tuned
on. Each face is colorized from its L* alone (no hint, no context, no exemplars). Skin pixels
are chosen on the truth: a central ellipse (the crops are centred faces) intersected with
the classic YCbCr skin box (Cr 135-173, Cb 85-127) and L* 20-95, so hair, eyes, background
and specular highlights drop out. Reported: the hue and chroma of the mean skin a*b* over all
faces (prediction against truth), and per face.

    python -m eval.faces [--weights FOLDER] [--shared DIR]   # -> eval/results/faces.{json,md}

Targets (issue #18): mean skin hue within 10 degrees of the truth's, chroma >= 60% of it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.training.data import split_of
from eval import metrics
from eval.common import (
    RESULTS_DIR,
    VAL_FRACTION,
    add_shared_argument,
    luminance_input,
    missing_data,
    now,
    parse_eval_args,
    pixels,
    shared_datasets,
)

FACES = "photos-train-extra"
PATTERN = "natimg__person_"
HUE_TARGET_DEG, CHROMA_TARGET = 10.0, 0.6


def heldout_faces(datasets: Path) -> list[Path]:
    folder = datasets / FACES
    files = sorted(folder.glob(f"{PATTERN}*.jpg")) if folder.is_dir() else []
    return [p for p in files if split_of(p, VAL_FRACTION) == "test"]


def skin_mask(truth: np.ndarray, lightness: np.ndarray) -> np.ndarray:
    """(H, W) bool: skin-colored truth pixels (L* `lightness`) inside the central ellipse."""
    h, w = truth.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    ellipse = ((yy - h / 2) / (0.4 * h)) ** 2 + ((xx - w / 2) / (0.3 * w)) ** 2 <= 1
    r, g, b = (truth[..., i] * 255 for i in range(3))
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    return (ellipse & (cr >= 135) & (cr <= 173) & (cb >= 85) & (cb <= 127)
            & (lightness >= 20) & (lightness <= 95))


def hue_chroma(ab: np.ndarray) -> tuple[float, float]:
    return float(np.degrees(np.arctan2(ab[1], ab[0])) % 360), float(np.hypot(*ab))


def hue_gap(h1: float, h2: float) -> float:
    return float(abs((h1 - h2 + 180) % 360 - 180))


def score(pipe: ColorizationPipeline, files: list[Path]) -> dict:
    rows, pred_ab, true_ab = [], [], []
    for path in files:
        truth = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255.0
        truth_lab = metrics.lab_of(truth)
        mask = skin_mask(truth, truth_lab[..., 0])
        if mask.sum() < 50:
            continue  # too little skin in view to say anything
        pred = pixels(pipe(luminance_input(truth)).image)
        p_ab = metrics.lab_of(pred)[mask][:, 1:].mean(0)
        t_ab = truth_lab[mask][:, 1:].mean(0)
        pred_ab.append(p_ab)
        true_ab.append(t_ab)
        (ph, pc), (th, tc) = hue_chroma(p_ab), hue_chroma(t_ab)
        rows.append({"file": path.name, "skin_pixels": int(mask.sum()), "hue_pred": ph,
                     "hue_truth": th, "chroma_pred": pc, "chroma_truth": tc,
                     "hue_gap": hue_gap(ph, th)})
    (ph, pc), (th, tc) = hue_chroma(np.mean(pred_ab, 0)), hue_chroma(np.mean(true_ab, 0))
    summary = {"faces": len(rows), "hue_pred": ph, "hue_truth": th, "hue_gap": hue_gap(ph, th),
               "chroma_pred": pc, "chroma_truth": tc, "chroma_ratio": pc / tc,
               "median_face_hue_gap": float(np.median([r["hue_gap"] for r in rows]))}
    summary["pass"] = (summary["hue_gap"] <= HUE_TARGET_DEG
                       and summary["chroma_ratio"] >= CHROMA_TARGET)
    return {"summary": summary, "faces": rows}


def write(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "faces.json").write_text(json.dumps(report, indent=2))
    s = report["summary"]
    lines = [f"# Skin on held-out faces ({report['weights']})", "",
             (f"Generated {report['generated']} by `python -m eval.faces`. {s['faces']} held-out "
             f"face crops of {FACES} (test split), colorized from L* alone."), "",
             "| | hue (deg) | chroma C* |", "|---|---:|---:|",
             f"| truth (mean skin a*b*) | {s['hue_truth']:.1f} | {s['chroma_truth']:.1f} |",
             f"| prediction | {s['hue_pred']:.1f} | {s['chroma_pred']:.1f} |", "",
             (f"Hue gap {s['hue_gap']:.1f} deg (target <= {HUE_TARGET_DEG:.0f}; median per face "
             f"{s['median_face_hue_gap']:.1f}), chroma {100 * s['chroma_ratio']:.0f}% of the "
             f"truth's (target >= {100 * CHROMA_TARGET:.0f}%): "
             f"**{'PASS' if s['pass'] else 'FAIL'}**.")]
    (out / "faces.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.faces",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=None, help="default: the embedded")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    add_shared_argument(parser, f"{FACES}/")
    args = parse_eval_args(parser, argv)
    shared, asked = shared_datasets(args)
    files = heldout_faces(shared)
    if not files:
        folder = shared / FACES
        return missing_data(asked, "faces", f"{folder} is absent" if not folder.is_dir() else
                            f"{folder} holds no held-out {PATTERN}*.jpg face crops")
    pipe = ColorizationPipeline.from_pretrained(args.weights, device="cpu", context=False,
                                                exemplars=False)
    report = {"generated": now(), "weights": str(args.weights or "embedded default"),
              **score(pipe, files)}
    write(report, args.out)
    s = report["summary"]
    print(f"faces: {s['faces']}, skin hue gap {s['hue_gap']:.1f} deg, chroma "
          f"{100 * s['chroma_ratio']:.0f}% of truth -> {'PASS' if s['pass'] else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
