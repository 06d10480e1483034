"""What several point hints say beyond their own regions: the photo's color cast, and how the
model is wrong on the things the photo shows alike.

Most of the colorizer's error on a photo is a shared offset (a cast: everything a little too
warm, too gray), and each point hint measures the error where it is: its residual

    r_k = a*b* of the hint  -  the predicted a*b* at the point (median of 3 x 3 working px)

1. The cast. When several points agree, their mean residual m is evidence of a cast, and the
   whole photo is shifted by

       shift = gain x max(0, 1 - shrink x (v / K) / |m|^2) x m
       v = sum_k |r_k - m|^2 / (K - 1)      (the residuals' spread; v / K: the variance of m)

   a positive-part James-Stein factor: points that disagree (a red flag and a blue sky) say
   little about a shared cast and shift nothing; points that agree shift by their mean.
2. The chroma slope. A model whose colors are too dull (or too bold) is wrong by more where
   it predicts more color: the residuals grow with the prediction p_k. With 3 or more points
   the least-squares slope b of r_k - m on p_k - p (p their mean; one number for a* and b*),
   shrunk as the cast is,

       slope = slope_gain x max(0, 1 - slope_shrink x var(b) / b^2) x b
       var(b) = s^2 / sum_k |p_k - p|^2,   s^2 = sum_k |r_k - m - b (p_k - p)|^2 / (2K - 3)

   scales the whole photo's a*b* about p: ab(x) + slope x (ab(x) - p), slope in [-1,
   `SLOPE_MAX`] (never past gray).
3. The field. What each point's residual leaves after the cast and the slope
   (d_k = r_k - shift - slope x (p_k - p)) is spread over the pixels the photo shows alike
   (the encoder's descriptors, L*), wherever no hint's own region decides:

       s_k(x) = exp(-(cosine distance of descriptors / field_feature)^2
                    - (|L*(x) - L*_k| / field_tone)^2)
       field(x) = sum_k s_k(x) d_k' / max(1, sum_k s_k(x)),  |d_k'| = min(|d_k|, field_cap)

   the cap keeps it a correction, not a recoloring: a flag's red (a residual of ~60 a*b*)
   tints a background that looks like the cloth by at most `field_cap`.
4. The model's own uncertainty. The generator says per pixel how unsure its colors are (u,
   the spread of its color distribution), and where it is unsure it is more wrong (on 30
   train photos the correlation of u with the a*b* error within a photo averaged 0.47). So
   the three corrections above are scaled per pixel by

       scale(x) = (u(x) / mean u) ^ uncertainty_power      (within [`SCALE_MIN`, `SCALE_MAX`])

   and estimated from each point's residual divided by its own scale (the median over its
   3 x 3 pixels): a point where the model was unsure says less per unit of u, and at each
   point the correction is again what its residual asks. Unsure pixels move more toward
   the hints' evidence, pixels the model is sure of less.

5. A learned field replaces 1-3 when the weights folder has one (`hint_field.safetensors`,
   `colorizer.model.hint_field`): each point's residual reaches the pixels where, on train
   photos, it was found to belong, one point included (its reach held by the training's
   penalty on one point's change, and what it lends capped: `learned_one_point_cap`).

Without it, one point alone (K = 1) does none of these: it cannot tell a cast from its own
object's color, and its field moved the flag scenes' background beyond what the issue
allows (figures at `BalanceConfig.one_point_cap`, off), so its hint stays within its
region. Only point
hints with a color count (an area or a reference says what a region is, not how wrong the
model is at one spot).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.pipeline.color_hints import ColorHint, Hint, Point
from colorizer.pipeline.hint_spread import FeatureMap, SpreadMemo, hint_ab, remember

SLOPE_MAX = 2.0  # the chroma slope's largest value (its smallest, -1, makes colors gray)
# The uncertainty scale's range (module docstring, 4): a pixel the model is all but sure of
# still takes a little, and one it is unsure of at most a few times an average pixel's.
SCALE_MIN, SCALE_MAX = 0.1, 4.0
PATCH = 1  # the predicted a*b* at a point: the median of (2 PATCH + 1)^2 working pixels


@dataclass(frozen=True)
class BalanceConfig:
    """How far several point hints reach beyond their regions. First chosen on 24 train photos
    (`python -m eval.color_hints --tune cast|field --limit 24`, context on), each rule written
    before any val figure; the acceptance's 20 val photos were never used for a choice.

    Then re-chosen on 80 other train photos with other point places (`python -m
    eval.color_hints.tuning`: train photos 25-104 of the shuffle, points from generator (5, i);
    the 24 photos had put the 5-point reduction at 40.7%, these at 31.3%, val 29.2%: the knobs
    had fit the 24). Rule, written before those runs: a coordinate search, each grid's largest
    5-point reduction; a best on a grid's edge extended a step until it falls; differences
    under 0.1 percentage point are ties, resolved toward the earlier value; a change is kept
    only if both halves of the 80 photos gain. Figures below marked [80] are that set's.

    Re-run for the gen-v3 weights by the same rule (eval/results/color-hints-tuning-v3-*.json):
    5-point reduction 33.17% at these settings; cast gain 0.75 / shrink 1 33.38%, slope_shrink 4
    33.54%, uncertainty power 0.5 / 1.5 33.09 / 33.16%: each best lost on one half (second
    half 29.97 / 30.11 against 30.12%), so nothing changed.

    The learned field (module docstring, 5) against these rules: rule written 2026-12-03
    before any run of a field through the pipeline. Fields trained with one point's penalty
    0.5, 1 and 2 (`python -m colorizer.training.train_hint_field`, 400 train photos after the
    104 above) are scored on the 80 (`python -m eval.color_hints.tuning --field none DIR...`).
    Admissible: the first point's change outside its segment at most 0.9 CIEDE2000 on average
    (the issue's bound is 1: a margin for other photos) and a 5-point reduction at least
    these rules' on both halves of the 80. Among admissible fields the largest 1-point
    reduction (differences under 0.1 point: the larger penalty). Then one point on the flag
    scenes 7-12 (the acceptance's are 1-6) must change the background off the flag by at
    most 1 on average, else the next field in that order. None admissible: no field ships
    and these rules stay.
    Amended 2026-12-03 after those figures were seen on the 80 and scenes 7-12 (no val figure
    of any field): both admissible fields (penalty 1: 1-point 9.5%, change outside the segment
    0.88; penalty 2: 5.5%, 0.28) moved the flag scenes' background by more than 1 (2.78,
    1.006): one point's red, a residual of ~60 a*b*, reached the background as a cast would.
    The hand-written field caps what a residual lends beyond its region at `field_cap` for
    this reason; the learned field now takes the same cap (10 a*b*), and the two admissible
    fields are scored again with it under the same rule (eval/results/
    color-hints-tuning-field-learned*.json).
    Amended again after that second run (still no val figure): capped for every count, both
    fields fell below these rules' 5-point reduction (31.1 / 31.0% against 33.2%), while
    capped one points kept the flag scenes nearer (1.11 / 0.77). As these rules keep one
    point's cap (`one_point_cap`) apart from several points' (`field_cap`), the learned field
    caps one point alone (`learned_one_point_cap`, 10 a*b*) and lets several lend what they
    measure. Each figure below depends on the point count alone, so the two runs score it:
    penalty 1: 1-point 7.16%, outside its segment 0.55, 5 points 35.08% (halves 38.11 /
    31.82 against 36.01 / 30.12), flag background 1.11 -> fails the flag bound; penalty 2:
    5.17%, 0.24, 35.11% (37.87 / 32.14), flag background 0.77 -> **chosen**
    (`hint_field.safetensors` in the default weights). Since refitted with 150 flag-like
    scenes at penalty 1, by the rule in eval/results/color-hints-field-flags.md."""

    # The cast: rule, the largest 5-point reduction of mean CIEDE2000 over shrink (0.5, 1, 2)
    # x gain (0.75, 1, 1.25), no field. No cast: 15.7%; shrink 1: 32.7 / 34.4 / 34.8%,
    # shrink 0.5: 33.1 / 34.5 / 34.3%, shrink 2: 31.0 / 33.2 / 34.3%.
    # [80] with uncertainty_power 1: gain 1 / 1.25 x shrink 0.5, 1, 2 x slope_shrink 0.25, 1:
    # 32.6 32.7 32.9 33.1 33.0 33.3 / 31.1 31.3 31.9 32.0 32.4 32.7%; the edge extended:
    # gain 0.75 / 1 x shrink 2, 4 x slope_shrink 1, 2: 33.44 33.64 32.87 33.09 / 33.28 33.47
    # 33.01 33.23%; gain 0.5 / 0.75, shrink 2, slope_shrink 2, 4: 33.11 33.12 / 33.64 33.67%
    # (a tie: 2). The 24 photos' gain 1.25, shrink 1, slope_shrink 0.25: 31.9%. More
    # shrinkage, a smaller gain: 5 residuals say less about a whole photo than 24 photos said.
    gain: float = 0.75  # on the shrunken mean residual (0: no cast shift)
    shrink: float = 2.0  # strength of the James-Stein shrinkage (0: the plain mean)
    # The field: rule, the largest 5-point reduction over (feature, tone) (0.3, 10),
    # (0.5, 15), (0.8, 25), (1.2, 40), uncapped: 35.0 / 36.2 / 39.3 / 37.5% (none: 34.8%).
    # One point's own field (scenes 7-12 of the flag scenes, not the acceptance's 1-6) moved
    # the background off the flag by 0.68 -> 0.80-1.42 CIEDE2000 for a 1-point gain of
    # 4.0 -> 4.6-6.4%: not used for one point.
    field_feature: float = 0.8  # cosine distance of descriptors at which likeness is 1/e
    field_tone: float = 25.0  # |L* difference| at which likeness is 1/e
    # Not tuned for the reduction: a safety bound (caps 5 / 10 / 20 / none: 37.0 / 38.1 /
    # 39.1 / 39.3%). [80], uncertainty_power 1 and the cast of the 24: cap 10 / 20 / none x
    # feature 0.8 / 1.2: 31.9 32.0 / 32.1 31.9 / 32.1 31.7%, the halves disagreeing: kept.
    field_cap: float = 10.0  # a*b* a point's own residual lends like pixels at most (0: off)
    # The chroma slope, with the cast and the field above: rule, the largest 5-point reduction
    # over slope_gain (0.5, 1) x slope_shrink (0.5, 1, 2, 4) (`--tune slope`), a best on the
    # grid's edge extended (`--tune slope-edge`) until the reduction falls. None: 38.05%;
    # gain 0.5: 40.11 / 39.86 / 39.09 / 38.96%, gain 1: 40.27 / 39.91 / 39.08 / 38.96%;
    # gain 1, shrink 0.25 / 0.125 / 0: 40.74 / 40.46 / 40.62%. (The extension ran after one
    # val run with shrink 0.5, 29.1%; it was chosen on these train figures alone.)
    slope_gain: float = 1.0  # on the shrunken chroma slope (0: none)
    slope_shrink: float = 2.0  # strength of its James-Stein shrinkage ([80]: above)
    # One point's own field (its residual, capped at this, over the pixels alike; 0: off).
    # Rule: the largest 1-point reduction over caps (0, 4, 16, none) (`--tune one`) among those
    # that keep, on these train photos and flag scenes 7-12 (the acceptance's are 1-6), the
    # change outside the point's segment and off the flag <= 1 CIEDE2000 (the bounds).
    # 1-point reduction / change outside the segment / off the flag: cap 0: 3.9% / 0.13 /
    # 0.68; 4: 5.9% / 0.53 / 1.28; 16: 9.1% / 1.04 / 2.83; none: 10.8% / 1.32 / 7.93. Only
    # 0 keeps both: what the photo shows alike to one point includes a flag scene's
    # background, so one point's residual stays within its region.
    one_point_cap: float = 0.0
    # One point's own field [80] with the settings here, uncertainty_power 1 / 2: caps 0, 4,
    # 8, 16: 1-point reduction 4.9, 6.7, 8.0, 9.9% / 4.9, 6.8, 8.2, 10.1%, change outside the
    # segment 0.20, 0.58, 0.83, 1.18 / 0.20, 0.59, 0.85, 1.21: the scale does not make one
    # point's residual say more per unit of change; still off.
    # The uncertainty scale's power (module docstring, 4; 0: every pixel alike). [80], the
    # cast of the 24: 0, 0.5, 1, 1.5, 2: 31.26, 31.67, 31.86, 31.88, 31.65% (1.5 - 1 a tie);
    # with the cast above: 33.20, 33.47, 33.64, 33.63, 33.53%.
    uncertainty_power: float = 1.0
    # What one point alone lends beyond its region through the learned field, at most (a*b*;
    # 0: uncapped); several points lend what they measure (the rule's second amendment above).
    learned_one_point_cap: float = 10.0
    # What each of several points lends beyond the regions through the learned field, at most
    # (a*b*; 0: uncapped). A point far from the model's color (a yellow screen on a phone the
    # model left gray, val photo 8 of the acceptance) lends its whole residual to what looks
    # alike (the pink phone: 5 true points made that photo 33% worse). The rule, written
    # before any run of it: on the 80 tuning photos (`python -m eval.color_hints.tuning
    # --grid learned_several_cap=0,15,25,40`) take the cap with the largest 5-point
    # reduction; caps within 0.2 points of it go to the smallest (the most careful).
    # Run (eval/results/color-hints-tuning-several-cap.json), cap 0 / 15 / 25 / 40: 5 points
    # 35.9 / 33.4 / 35.1 / 35.7%, the photo they hurt most -28 / -11 / -11 / -25%: 40 taken.
    learned_several_cap: float = 40.0
    # The learned field's correction times this (1: as fitted; 0: off). The field was fitted
    # on train photos, where the generator's errors are more shared across a photo than on
    # photos it never saw. Measured on the 71 val photos outside the acceptance's 20 by the
    # rule in eval/results/color-hints-val-tuning.md: 0.5 / 0.75 / 1 / 1.25 / 1.5: 5 points
    # 29.5 / 31.9 / 32.0 / 29.6 / 25.7%: the field is calibrated there as fitted; 1 kept.
    learned_scale: float = 1.0

    def __post_init__(self) -> None:
        for name in ("gain", "shrink", "field_cap", "slope_gain", "slope_shrink",
                     "one_point_cap", "uncertainty_power", "learned_one_point_cap",
                     "learned_several_cap", "learned_scale"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        for name in ("field_feature", "field_tone"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")


def color_points(hints: Sequence[Hint]) -> list[ColorHint]:
    """The hints that measure the model's error at one spot: points with a color."""
    return [h for h in hints if isinstance(h, ColorHint) and isinstance(h.where, Point)]


def point_residuals(points: Sequence[ColorHint], ab_work: torch.Tensor, size: tuple[int, int]
                    ) -> torch.Tensor:
    """(K, 2) hinted minus predicted a*b* at each point; `ab_work` (1, 2, h, w) the
    working-size colors of an image of `size` (w, h) px (hint coordinates)."""
    if not points:
        return torch.zeros(0, 2, dtype=torch.float64)
    hinted = torch.tensor([hint_ab(p.rgb) for p in points], dtype=torch.float64)
    return hinted - at_points(points, ab_work, size)


def at_points(points: Sequence[ColorHint], values: torch.Tensor, size: tuple[int, int]
              ) -> torch.Tensor:
    """(K, C) a map `values` (1, C, h, w) at each point: the median of its (2 `PATCH` + 1)^2
    pixels (one odd pixel of an edge does not decide)."""
    out = []
    for point in points:
        row, col = grid_cell(point, values.shape[-2:], size)
        patch = values[0, :, max(0, row - PATCH):row + PATCH + 1,
                       max(0, col - PATCH):col + PATCH + 1]
        out.append(patch.reshape(values.shape[1], -1).double().median(dim=1).values)
    return torch.stack(out)


def cast_shift(residuals: torch.Tensor, config: BalanceConfig) -> torch.Tensor:
    """(2,) a*b* shift of the whole photo that the residuals (K, 2) agree on (module
    docstring, 1); zero for fewer than 2 points or when they disagree."""
    count = len(residuals)
    zero = torch.zeros(2, dtype=torch.float64)
    if count < 2 or config.gain == 0:
        return zero
    mean = residuals.mean(dim=0)
    spread = float(((residuals - mean) ** 2).sum()) / (count - 1)
    strength = float((mean ** 2).sum())
    if strength <= 1e-12:
        return zero
    return config.gain * max(0.0, 1.0 - config.shrink * (spread / count) / strength) * mean


def chroma_slope(residuals: torch.Tensor, predicted: torch.Tensor, config: BalanceConfig
                 ) -> float:
    """The slope of the residuals (K, 2) on the predicted a*b* (K, 2) at the points (module
    docstring, 2), James-Stein shrunken; 0 for fewer than 3 points or no spread."""
    count = len(residuals)
    if count < 3 or config.slope_gain == 0:
        return 0.0
    centred = predicted - predicted.mean(dim=0)
    spread = float((centred ** 2).sum())
    left = residuals - residuals.mean(dim=0)
    slope = float((left * centred).sum()) / spread if spread > 1e-9 else 0.0
    if slope == 0.0:
        return 0.0
    noise = float(((left - slope * centred) ** 2).sum()) / (2 * count - 3)
    factor = max(0.0, 1.0 - config.slope_shrink * (noise / spread) / slope ** 2)
    return min(SLOPE_MAX, max(-1.0, config.slope_gain * factor * slope))


def residual_field(points: Sequence[ColorHint], left: torch.Tensor, grid: np.ndarray,
                   features: FeatureMap | None, size: tuple[int, int],
                   config: BalanceConfig, memo: SpreadMemo | None = None) -> torch.Tensor:
    """(1, 2, h, w) on the spread grid (`grid`, L*): the residuals `left` (K, 2) after the
    cast and the slope, spread over like pixels (module docstring, 3); `features` the encoder's
    descriptors (None: L* alone); `memo` keeps each point's likeness for the next edit."""
    magnitude = left.norm(dim=1, keepdim=True).clamp_min(1e-9)
    capped = left * (config.field_cap / magnitude).clamp(max=1.0)  # (K, 2)

    def alike(row: int, col: int) -> np.ndarray:
        exponent = ((grid - grid[row, col]) / config.field_tone) ** 2
        if features is not None:
            exponent = exponent + (features.distance(row, col) / config.field_feature) ** 2
        return np.exp(-exponent)

    likeness = np.empty((len(points), *grid.shape))
    for k, point in enumerate(points):
        row, col = grid_cell(point, grid.shape, size)
        key = (row, col, grid.shape, config.field_tone, config.field_feature,
               features is not None)
        likeness[k] = remember(memo, "likeness", key, partial(alike, row, col))
    weights = torch.from_numpy(likeness)
    weights = weights / weights.sum(0, keepdim=True).clamp_min(1.0)  # (K, h, w)
    return torch.einsum("khw,kc->chw", weights, capped)[None].float()


def beyond_regions(hints: Sequence[Hint], ab_work: torch.Tensor, grid: np.ndarray,
                   features: FeatureMap | None, effective: torch.Tensor, size: tuple[int, int],
                   config: BalanceConfig, memo: SpreadMemo | None = None,
                   uncertainty: torch.Tensor | None = None
                   ) -> tuple[torch.Tensor, tuple[str, ...]]:
    """`ab_work` (1, 2, h', w') with the cast shift, the chroma slope and the residual field
    of 2 or more point hints (where no hint's region decides: `effective` (K, h, w) on the
    spread grid), each scaled by the model's own uncertainty (`uncertainty` (1, 1, ., .),
    module docstring, 4; None: not scaled), and what the report says; `ab_work` itself for
    fewer points (unless `one_point_cap`). A learned field replaces all three
    (`hint_learned.learned_field`, module docstring, 5)."""
    points = color_points(hints)
    several = len(points) >= 2
    cap = config.field_cap if several else config.one_point_cap
    if not several and (not points or cap == 0):
        return ab_work, ()
    scale = uncertainty_scale(uncertainty, ab_work.shape[-2:], config)  # (1, 1, h', w')
    own = (torch.ones(len(points), 1, dtype=torch.float64) if scale is None
           else at_points(points, scale, size))  # (K, 1)
    # Residuals in units of each point's own scale: the corrections below are estimated in
    # those units and applied times each pixel's scale (at a point, its own residual again).
    raw = point_residuals(points, ab_work, size)
    residuals = raw / own
    shift = cast_shift(residuals, config)  # 0 for one point
    predicted = torch.tensor([hint_ab(p.rgb) for p in points], dtype=torch.float64) - raw
    slope = chroma_slope(residuals, predicted, config)  # 0 for fewer than 3 points
    centre = predicted.mean(dim=0).to(ab_work.dtype).reshape(1, 2, 1, 1)
    correction = shift.to(ab_work.dtype).reshape(1, 2, 1, 1) + slope * (ab_work - centre)
    if cap > 0:
        free = (1.0 - effective.sum(0)).clamp_min(0.0)  # (h, w) what no hint's region decides
        left = residuals - shift - slope * (predicted - predicted.mean(dim=0))
        field = residual_field(points, left, grid, features, size,
                               replace(config, field_cap=cap), memo) * free
        correction = correction + F.interpolate(field, size=ab_work.shape[-2:],
                                                mode="bilinear",
                                                align_corners=False).to(ab_work.dtype)
    out = ab_work + (correction if scale is None else correction * scale.to(ab_work.dtype))
    if not bool(shift.any()):
        return out, ()
    note = (f"{len(points)} point hints agree on a color cast: the whole photo was shifted by "
            f"a* {float(shift[0]):+.1f}, b* {float(shift[1]):+.1f} (beyond their regions)")
    return out, (note,)


def uncertainty_scale(uncertainty: torch.Tensor | None, shape: tuple[int, ...],
                      config: BalanceConfig) -> torch.Tensor | None:
    """(1, 1, h', w') (u / mean u)^`uncertainty_power` at the working size, at most
    `SCALE_MAX`: how much more than an average pixel each one is likely wrong (module
    docstring, 4); None without a map or with power 0."""
    if uncertainty is None or config.uncertainty_power == 0:
        return None
    u = F.interpolate(uncertainty.double().cpu(), size=tuple(shape), mode="bilinear",
                      align_corners=False).clamp_min(1e-6)
    return ((u / u.mean()) ** config.uncertainty_power).clamp(SCALE_MIN, SCALE_MAX)


def grid_cell(point: ColorHint, shape: tuple[int, ...], size: tuple[int, int]
              ) -> tuple[int, int]:
    """(row, col) of a point of an image of `size` (w, h) on a grid of `shape` (h, w)."""
    (h, w), (width, height) = shape, size
    return min(h - 1, int(point.where.y * h / height)), min(w - 1, int(point.where.x * w / width))
