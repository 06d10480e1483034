"""Colorize each photo under each condition and score the outputs (nothing is written)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import load_image
from eval import metrics
from eval.common import luminance_input
from eval.real_photos.photos import CONDITIONS, RealPhoto
from eval.real_photos.pixel_stats import context_effect, falsely_red_share, falsely_vivid_share

log = logging.getLogger("chronochrome.eval.real_photos")


@dataclass(frozen=True)
class ConditionScore:
    """What one condition's output scored on one photo."""

    condition: str
    hint: str | None
    ciede2000: float
    colorfulness: float
    colorfulness_ratio: float | None  # / the truth's; None for a colorless truth
    falsely_vivid: float  # share of pixels, 0-1
    falsely_red: float  # share of pixels, 0-1
    mean_a: float
    mean_b: float
    context_effect: float | None  # ΔE00 to the no-hint output; None for `none` itself
    context_effect_outside: float | None  # ... outside the context region, when reported
    seconds: float


@dataclass(frozen=True)
class PhotoScore:
    """One photo's truth figures and its scores under each condition that applies."""

    file: str
    subset: str
    width: int
    height: int
    gray_ciede2000: float  # the gray input against the truth: the bar to beat
    truth_colorfulness: float
    truth_mean_a: float
    truth_mean_b: float
    conditions: tuple[ConditionScore, ...]
    not_applicable: tuple[str, ...] = ()  # conditions skipped (a right hint nobody knows)

    def get(self, condition: str) -> ConditionScore | None:
        return next((c for c in self.conditions if c.condition == condition), None)


@dataclass(frozen=True)
class Truth:
    """A photo loaded once, with what every condition compares against."""

    rgb: np.ndarray  # (H, W, 3) float64 sRGB
    lab: np.ndarray
    gray: Image.Image  # the pipeline's input: L* as 8-bit gray
    gray_ciede2000: float
    colorfulness: float


def load_truth(path: Path) -> Truth:
    """Load a photo and derive its gray input (report.luminance_input, the eval protocol)."""
    rgb = load_image(path).rgb.astype(np.float64)
    lab = metrics.lab_of(rgb)
    gray = luminance_input(rgb)
    gray_rgb = np.repeat(np.asarray(gray, dtype=np.float64)[..., None] / 255.0, 3, axis=2)
    return Truth(rgb, lab, gray, metrics.mean_ciede2000(gray_rgb, rgb, truth_lab=lab),
                 metrics.colorfulness(rgb))


def score_output(condition: str, hint: str | None, out: np.ndarray, out_lab: np.ndarray,
                 truth: Truth, plain_lab: np.ndarray | None, region: np.ndarray | None,
                 seconds: float) -> ConditionScore:
    """Figures of one output (`plain_lab`: the no-hint output's Lab, for the context effect)."""
    cf = metrics.colorfulness(out)
    effect, outside = (None, None)
    if condition != "none" and plain_lab is not None:
        effect, outside = context_effect(out_lab, plain_lab, region)
    return ConditionScore(
        condition=condition, hint=hint,
        ciede2000=metrics.mean_ciede2000(out, truth.rgb, pred_lab=out_lab, truth_lab=truth.lab),
        colorfulness=cf,
        colorfulness_ratio=cf / truth.colorfulness if truth.colorfulness > 1e-9 else None,
        falsely_vivid=falsely_vivid_share(out_lab, truth.lab),
        falsely_red=falsely_red_share(out_lab, truth.lab),
        mean_a=float(out_lab[..., 1].mean()), mean_b=float(out_lab[..., 2].mean()),
        context_effect=effect, context_effect_outside=outside, seconds=seconds)


PhotoCallback = Callable[[RealPhoto, PhotoScore, dict[str, Image.Image]], None]


def score_photo(pipe: ColorizationPipeline, photo: RealPhoto,
                conditions: Sequence[str] = CONDITIONS
                ) -> tuple[PhotoScore, dict[str, Image.Image]]:
    """Colorize one photo under each condition; returns its score and the images (truth, gray
    and one output per condition run) for contact sheets."""
    truth = load_truth(photo.path)
    images = {"truth": Image.fromarray(np.round(truth.rgb * 255).astype(np.uint8), "RGB"),
              "gray": truth.gray}
    # `none` first: the hinted outputs are compared with it.
    ordered = sorted(conditions, key=lambda c: c != "none")
    plain_lab, scores = None, {}
    for condition in ordered:
        if not photo.applies(condition):
            continue
        hint = photo.hint(condition)
        start = time.perf_counter()
        result = pipe(truth.gray, hints=hint)
        seconds = time.perf_counter() - start
        out = np.asarray(result.image.convert("RGB"), dtype=np.float64) / 255.0
        out_lab = metrics.lab_of(out)
        scores[condition] = score_output(condition, hint, out, out_lab, truth, plain_lab,
                                         getattr(result, "context_region", None), seconds)
        if condition == "none":
            plain_lab = out_lab
        images[condition] = result.image
    height, width = truth.rgb.shape[:2]
    score = PhotoScore(
        file=photo.file, subset=photo.subset, width=width, height=height,
        gray_ciede2000=truth.gray_ciede2000, truth_colorfulness=truth.colorfulness,
        truth_mean_a=float(truth.lab[..., 1].mean()), truth_mean_b=float(truth.lab[..., 2].mean()),
        conditions=tuple(scores[c] for c in conditions if c in scores),
        not_applicable=tuple(c for c in conditions if not photo.applies(c)))
    return score, images


def score_dataset(pipe: ColorizationPipeline, photos: Sequence[RealPhoto],
                  conditions: Sequence[str] = CONDITIONS,
                  on_photo: PhotoCallback | None = None) -> list[PhotoScore]:
    """Score every photo (nothing is written). `on_photo(photo, score, images)` sees each
    photo's images as it is done, e.g. to keep thumbnails, so they are never all in memory."""
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        raise ValueError(f"unknown conditions {sorted(unknown)}; expected some of {CONDITIONS}")
    scores = []
    for index, photo in enumerate(photos, 1):
        score, images = score_photo(pipe, photo, conditions)
        scores.append(score)
        log.info("[%d/%d] %s  ΔE00 gray %.2f | %s", index, len(photos), photo.file,
                 score.gray_ciede2000,
                 " | ".join(f"{c.condition} {c.ciede2000:.2f}" for c in score.conditions))
        if on_photo is not None:
            on_photo(photo, score, images)
    return scores
