"""Rows of the report: baselines and models, and what each scored image by image."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import load_image
from eval import metrics
from eval.common import augmented_view, luminance_input
from eval.datasets import EvalDataset

log = logging.getLogger("chronochrome.eval")


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


def _as_8bit(rgb: np.ndarray) -> np.ndarray:
    """Quantise like a saved image, so baselines and the pipeline's output compare evenly."""
    return np.round(np.clip(rgb, 0, 1) * 255.0) / 255.0


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
