"""Training data: any folder of color photos, held in memory, cropped and flipped per batch.

Augmentations are geometric only (crop, scale, flip) and applied to the RGB photo before it
is split into L* (input) and a*b* (target), so they can never change the color relation
between input and target.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.errors import TrainingDataError
from colorizer.pipeline.imageio import SUPPORTED_SUFFIXES, load_image


def split_of(path: Path, val_fraction: float) -> str:
    """'train', 'val' or 'test' from a hash of the file name: stable across machines and runs.

    A `val_fraction` share of the photos is never trained on; it is halved (by another byte
    of the hash) into 'val', where checkpoints and operating points are chosen, and 'test',
    the held-out photos the report scores and nothing is tuned on.
    """
    digest = hashlib.sha1(path.name.encode()).digest()
    if digest[0] / 256.0 >= val_fraction:
        return "train"
    return "val" if digest[1] % 2 == 0 else "test"


def list_photos(folder: str | Path, split: str, val_fraction: float) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise TrainingDataError(
            f"training data folder {folder} does not exist: set data_dir in the train config")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
    chosen = [p for p in files if split_of(p, val_fraction) == split]
    if not chosen:
        raise TrainingDataError(f"no {split} images in {folder} (val_fraction={val_fraction}): "
                                "point data_dir in the train config at a folder of photos")
    return chosen


@dataclass
class PhotoBank:
    """Color photos as uint8 arrays (H, W, 3), resized so the short side is `short_side`."""

    images: list[np.ndarray]
    paths: list[Path]
    # Relative sampling weight per photo; empty = uniform (and the same draws as before
    # weights existed, so older runs reproduce).
    weights: list[float] = field(default_factory=list)
    _probs: torch.Tensor | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        if self.weights:
            if len(self.weights) != len(self.images):
                raise ValueError(f"{len(self.weights)} sampling weights for "
                                 f"{len(self.images)} photos")
            self._probs = torch.tensor(self.weights, dtype=torch.float64)

    @classmethod
    def load(cls, paths: list[Path], short_side: int, limit: int | None = None) -> PhotoBank:
        images, kept = [], []
        for path in paths[:limit] if limit else paths:
            loaded = load_image(path)
            if not loaded.is_color:
                continue  # a gray photo teaches nothing about color
            img = Image.fromarray((loaded.rgb * 255 + 0.5).astype(np.uint8))
            scale = short_side / min(img.size)
            img = img.resize(
                (max(short_side, round(img.width * scale)),
                 max(short_side, round(img.height * scale))),
                Image.BICUBIC,
            )
            images.append(np.array(img))  # writable: torch.from_numpy needs that
            kept.append(path)
        return cls(images=images, paths=kept)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, size: int, crop: int, generator: torch.Generator) -> torch.Tensor:
        """Random scaled crops with random flips: (B, 3, crop, crop) sRGB in [0, 1]."""
        out = [self.crop(self.pick(generator), crop, generator) for _ in range(size)]
        return torch.stack(out).clamp(0, 1)

    def pick(self, generator: torch.Generator) -> int:
        """A random photo index, by the sampling weights when there are any."""
        if self._probs is None:
            return int(torch.randint(len(self.images), (1,), generator=generator))
        return int(torch.multinomial(self._probs, 1, generator=generator))

    def crop(self, idx: int, crop: int, generator: torch.Generator) -> torch.Tensor:
        """One random scaled crop of photo `idx`, maybe flipped: (3, crop, crop)."""
        img = torch.from_numpy(self.images[idx]).permute(2, 0, 1).float() / 255.0
        _, h, w = img.shape
        # Crop a window between 60% and 100% of the short side, then resize to `crop`.
        frac = 0.6 + 0.4 * float(torch.rand(1, generator=generator))
        win = max(crop // 2, int(min(h, w) * frac))
        win = min(win, h, w)
        top = int(torch.randint(h - win + 1, (1,), generator=generator))
        left = int(torch.randint(w - win + 1, (1,), generator=generator))
        patch = img[:, top : top + win, left : left + win].unsqueeze(0)
        patch = F.interpolate(patch, size=(crop, crop), mode="bilinear", antialias=True,
                              align_corners=False)
        if float(torch.rand(1, generator=generator)) < 0.5:
            patch = patch.flip(-1)
        return patch[0].clamp(0, 1)

    def center_batch(self, indices: list[int], crop: int) -> torch.Tensor:
        """Deterministic center crops for validation: (B, 3, crop, crop)."""
        out = []
        for idx in indices:
            img = torch.from_numpy(self.images[idx]).permute(2, 0, 1).float() / 255.0
            _, h, w = img.shape
            s = min(h, w)
            patch = img[:, (h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]
            out.append(F.interpolate(patch[None], size=(crop, crop), mode="bilinear",
                                     antialias=True, align_corners=False))
        return torch.cat(out).clamp(0, 1)
