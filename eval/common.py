"""What every benchmark shares: where things live, the gray input, JSON rounding, argparse types.

No benchmark imports another benchmark's module for these; each imports them from here.
"""

from __future__ import annotations

import argparse
import json
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
