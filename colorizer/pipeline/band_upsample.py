"""Bilinear upsampling of small maps to a photo's full size, a band of rows at a time.

Split in two as `F.interpolate(..., mode="bilinear", align_corners=False)` is separable:
along the width (`widen`), then along the height (`rows_of`), so a band of output rows needs
only the few small rows it reads (`band_of`). The merge (full_size.py) colors the photo band by
band this way, and the result's maps make their rows the same way when read
(upsampled_map.py): the same floats either way.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def widen(small: torch.Tensor, width: int) -> torch.Tensor:
    """(1, C, h, w) -> (1, C, h, width): the first, cheap half of the bilinear upsampling."""
    return F.interpolate(small.float(), size=(small.shape[-2], width), mode="bilinear",
                         align_corners=False)


def source_rows(h: int, height: int, band: slice) -> tuple[torch.Tensor, torch.Tensor,
                                                             torch.Tensor]:
    """For rows `band` of `height` upsampled from `h` rows: the source rows above and below
    each, and the weight of the one below. As F.interpolate takes them:
    (row + 0.5) * h / height - 0.5, clamped at 0."""
    scale = torch.tensor(h / height, dtype=torch.float32)
    rows = torch.arange(band.start, band.stop, dtype=torch.float32)
    src = ((rows + 0.5) * scale - 0.5).clamp(min=0)
    top = src.long()
    bottom = (top + 1).clamp(max=h - 1)
    return top, bottom, (src - top).view(1, 1, -1, 1)


def rows_of(wide: torch.Tensor, height: int, band: slice) -> torch.Tensor:
    """Rows `band` of `wide` (1, C, h, W) upsampled to `height` rows: (1, C, len(band), W)."""
    top, bottom, weight = source_rows(wide.shape[-2], height, band)
    return wide[:, :, top] * (1 - weight) + wide[:, :, bottom] * weight


def band_of(small: torch.Tensor, height: int, width: int, band: slice) -> torch.Tensor:
    """Rows `band` of `small` (1, C, h, w) upsampled to (height, width): (1, C, len(band), W),
    the floats of `rows_of(widen(small, width), height, band)`, widening only the source rows
    the band reads. Each output value of `widen` comes from its own source row alone (the
    height is kept, so the row below has weight 0), hence a slice of rows widens alike."""
    top, bottom, weight = source_rows(small.shape[-2], height, band)
    first, last = int(top[0]), int(bottom[-1]) + 1  # rows grow with the band: an interval
    wide = widen(small[:, :, first:last], width)
    # The expression of `rows_of`, each product made in its gathered rows (in place): two
    # new (1, C, rows, W) tensors a band instead of five, the same ops on the same values.
    upper = wide[:, :, top - first].mul_(1 - weight)
    return upper.add_(wide[:, :, bottom - first].mul_(weight))
