"""The color balance that several point hints agree on: one shift of the whole photo's a*b*.

Most of the colorizer's error on a photo is a shared offset (a cast: everything a little too
warm, too gray), and each point hint measures the error where it is: its residual

    r_k = a*b* of the hint  -  the predicted a*b* at the point (median of 3 x 3 working px)

When several points agree, their mean residual m is evidence of that cast, and the photo is
shifted by it everywhere before the points' own regions are painted:

    shift = gain x max(0, 1 - shrink x (v / K) / |m|^2) x m
    v = sum_k |r_k - m|^2 / (K - 1)      (the residuals' spread; v / K: the variance of m)

a positive-part James-Stein factor: points that disagree (a red flag and a blue sky) say
little about a shared cast and shift nothing; points that agree shift by their mean. One point
alone (K = 1) is no evidence of a cast (it cannot tell a cast from its own object's color) and
shifts nothing: its hint stays within its region. Only point hints with a color count (an
area or a reference says what a region is, not how wrong the model is at one spot).

`SpreadConfig.balance` (gain) and `balance_shrink` were chosen on train-split photos (the
rule and figures at their definitions); the acceptance's val photos were never used.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from colorizer.pipeline.color_hints import ColorHint, Hint, Point
from colorizer.pipeline.hint_spread import SpreadConfig, hint_ab

PATCH = 1  # the predicted a*b* at a point: the median of (2 PATCH + 1)^2 working pixels


def point_residuals(hints: Sequence[Hint], ab_work: torch.Tensor, size: tuple[int, int]
                    ) -> torch.Tensor:
    """(K, 2) hinted minus predicted a*b* at each color point hint; `ab_work` (1, 2, h, w)
    the working-size colors of an image of `size` (w, h) px (hint coordinates)."""
    width, height = size
    h, w = ab_work.shape[-2:]
    out = []
    for hint in hints:
        if not (isinstance(hint, ColorHint) and isinstance(hint.where, Point)):
            continue
        row = min(h - 1, int(hint.where.y * h / height))
        col = min(w - 1, int(hint.where.x * w / width))
        patch = ab_work[0, :, max(0, row - PATCH):row + PATCH + 1,
                        max(0, col - PATCH):col + PATCH + 1].reshape(2, -1).double()
        out.append(torch.tensor(hint_ab(hint.rgb), dtype=torch.float64)
                   - patch.median(dim=1).values)
    return torch.stack(out) if out else torch.zeros(0, 2, dtype=torch.float64)


def balance_shift(residuals: torch.Tensor, config: SpreadConfig) -> tuple[float, float]:
    """(a*, b*) shift of the whole photo that the residuals (K, 2) agree on (module
    docstring); (0, 0) for fewer than 2 points or when they disagree."""
    count = len(residuals)
    if count < 2 or config.balance == 0:
        return 0.0, 0.0
    mean = residuals.mean(dim=0)
    spread = float(((residuals - mean) ** 2).sum()) / (count - 1)
    strength = float((mean ** 2).sum())
    if strength <= 1e-12:
        return 0.0, 0.0
    factor = max(0.0, 1.0 - config.balance_shrink * (spread / count) / strength)
    shift = config.balance * factor * mean
    return float(shift[0]), float(shift[1])


def balance_note(shift: tuple[float, float], points: int) -> tuple[str, ...]:
    """What the report says about a shift (nothing when there is none)."""
    if shift == (0.0, 0.0):
        return ()
    note = (f"{points} point hints agree on a color cast: the whole photo was shifted by "
            f"a* {shift[0]:+.1f}, b* {shift[1]:+.1f} before their regions were painted")
    return (note,)
