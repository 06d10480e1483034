"""The exemplars' side of the dense matching (`correspondence.py`): the encoder's luminance
descriptors, an exemplar's cells that take part (its object's, not a flag's ground), and a
cache of them between calls."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import rgb_to_lab
from colorizer.model.encoder import EfficientNetLite0

# What an exemplar's cells are cached under: its pixels' SHA-1, mode, size, the matching size
# and the device.
CacheKey = tuple[str, str, tuple[int, int], int, str]


def descriptors(encoder: EfficientNetLite0, lightness: torch.Tensor) -> torch.Tensor:
    """(1, 1, H, W) L* -> (1, C, H/8, W/8) unit-length matching descriptors."""
    return descriptors_of(encoder.lightness_maps(lightness))


def descriptors_of(maps: dict[int, torch.Tensor]) -> torch.Tensor:
    """The encoder's maps (by stride) -> (1, C, H/8, W/8) unit-length matching descriptors."""
    fine = maps[8]
    coarse = F.interpolate(maps[16], size=fine.shape[-2:], mode="bilinear", align_corners=False)

    def centred(f: torch.Tensor) -> torch.Tensor:
        # Centring per image removes what all cells share (overall exposure, film grain), so
        # the cosine compares what differs between regions.
        return F.normalize(f - f.mean(dim=(2, 3), keepdim=True), dim=1)

    return torch.cat([centred(fine), centred(coarse)], dim=1) / np.sqrt(2.0)


def exemplar_lab(image: Image.Image, size: int, device: torch.device
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """A PIL image -> (1, 3, h, w) CIELAB with its long side at `size`, aspect kept, and
    (1, 1, h, w) opacity: a rendered flag's alpha marks its cloth (1 everywhere without one)."""
    w, h = image.size
    scale = size / max(w, h)
    shape = (max(32, round(w * scale)), max(32, round(h * scale)))
    rgb = np.asarray(image.convert("RGB").resize(shape, Image.BICUBIC), dtype=np.float32) / 255.0
    lab = rgb_to_lab(torch.from_numpy(rgb).permute(2, 0, 1)[None].to(device))
    if "A" not in image.getbands():
        return lab, torch.ones_like(lab[:, :1])
    alpha = np.asarray(image.getchannel("A").resize(shape, Image.BILINEAR), dtype=np.float32)
    return lab, torch.from_numpy(alpha / 255.0)[None, None].to(device)


@dataclass(frozen=True)
class ExemplarCells:
    """An exemplar's cells that take part in matching (its object's, not a flag's ground)."""

    keys: torch.Tensor  # (C, Ne) unit descriptors
    lightness: torch.Tensor  # (Ne,) L* / 100
    ab: torch.Tensor  # (Ne, 2) mean a*b*


def exemplar_cells(encoder: EfficientNetLite0, image: Image.Image, size: int,
                   device: torch.device) -> ExemplarCells:
    """`image`'s matching cells at long side `size` (its keys, L* and a*b*): the cells mostly
    covered by its object (alpha), or all of them when none is."""
    lab, opacity = exemplar_lab(image, size, device)
    keys = descriptors(encoder, lab[:, :1])
    cells = keys.shape[-2:]
    # Only cells that are mostly the exemplar's object (not a flag's gray ground).
    keep = F.adaptive_avg_pool2d(opacity, cells).flatten() >= 0.5
    if not bool(keep.any()):
        keep = torch.ones_like(keep)
    return ExemplarCells(
        keys=keys.flatten(2)[0][:, keep],
        lightness=F.adaptive_avg_pool2d(lab[:, :1], cells).flatten()[keep] / 100.0,
        ab=F.adaptive_avg_pool2d(lab[:, 1:], cells).flatten(2)[0].T[keep],
    )


class ExemplarCache:
    """The cells of exemplar images already matched, by content: a batch colorized with one
    hint retrieves the same flags for every photo, and encoding them is a third of the
    transfer's cost when none of them is in the photo. Least recently used entries go first;
    safe to share between threads."""

    def __init__(self, capacity: int = 32):
        if capacity < 1:
            raise ValueError(f"exemplar cache capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._items: OrderedDict[CacheKey, ExemplarCells] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, image: Image.Image, size: int, device: torch.device,
            compute: Callable[[], ExemplarCells]) -> ExemplarCells:
        """The cells of `image` at `size` on `device`, from `compute()` when not cached."""
        key: CacheKey = (hashlib.sha1(image.tobytes()).hexdigest(), image.mode, image.size, size,
               str(device))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        cells = compute()
        with self._lock:
            self._items[key] = cells
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return cells
