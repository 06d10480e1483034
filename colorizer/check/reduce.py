"""Reduced copies of an archive-size L* image, so that lining up stays bounded in memory.

A 600-dpi scan is tens of megapixels. Lining it up worked on full-size float64 copies (a
blurred 108 MP original alone is 1.7 GB); features need a few hundred pixels and the
lightness refinement a few megapixels. So registration reads copies of at most
`MAX_WORK_PIXELS` (float32, made by antialiased resizing without a full-size copy) and maps
its transform back to full pixels. Images at or below the limit are used as they are, so
the check's figures for ordinary photos do not change.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.check.refine import centred

MAX_WORK_PIXELS = 4_194_304  # 2048 x 2048: a web copy or an ordinary scan is not reduced


def reduced(lightness: np.ndarray, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`lightness` ((H, W)) at most `limit` pixels (default MAX_WORK_PIXELS), and the matrix
    from its full pixels to the copy's (identity where it is not reduced)."""
    limit = MAX_WORK_PIXELS if limit is None else limit
    h, w = lightness.shape
    if h * w <= limit:
        return lightness, np.eye(3)
    f = math.sqrt(limit / (h * w))
    size = (max(8, math.floor(w * f)), max(8, math.floor(h * f)))
    return shrunk(lightness, size), centred(size[0] / w, size[1] / h)


def shrunk(lightness: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`lightness` resized to `size` (w, h), antialiased, as float32. torch reads the array
    in place and resizes one axis at a time: no full-size float copy is made (PIL's "F"
    image was one, and float64 another)."""
    source = np.ascontiguousarray(lightness, dtype=np.float32)
    tensor = torch.from_numpy(source)[None, None]
    # Bicubic: nearer the Lanczos that PIL gives images below the limit than bilinear is.
    out = F.interpolate(tensor, size=(size[1], size[0]), mode="bicubic", antialias=True,
                        align_corners=False)
    return out[0, 0].numpy()
