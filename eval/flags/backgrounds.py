"""The photos flags are placed on: the held-out test split of photos-train."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from colorizer.pipeline.imageio import load_image
from colorizer.training.data import list_photos
from eval.common import VAL_FRACTION

LONG_SIDE = 448  # scene size (long side, pixels)


def background_photos(shared: Path) -> list[Path]:
    """The held-out test split of photos-train (never trained on, never tuned on)."""
    folder = shared / "photos-train"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is absent: pass --shared DATASETS_DIR")
    return list_photos(folder, "test", VAL_FRACTION)


def load_background(path: Path) -> np.ndarray:
    """A photo as (H, W, 3) float sRGB with its long side at `LONG_SIDE`."""
    img = Image.fromarray((load_image(path).rgb * 255 + 0.5).astype(np.uint8))
    scale = LONG_SIDE / max(img.size)
    img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    return np.asarray(img, dtype=np.float64) / 255.0
