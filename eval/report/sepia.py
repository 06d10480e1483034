"""The sepia baseline's constant chroma: the mean a*b* of training photos, cached."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from colorizer.pipeline.imageio import load_image
from colorizer.training.data import list_photos
from eval import metrics
from eval.common import VAL_FRACTION

MEAN_AB_SUBSET = 300  # training photos averaged for the sepia baseline's constant a*b*
MEAN_AB_CACHE = "train_mean_ab.json"


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
