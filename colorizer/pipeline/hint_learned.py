"""The learned reach of point hints beyond their regions (`hint_balance`'s module docstring,
5): each point's residual lent where the field (`colorizer.model.hint_field`) finds it to
belong, capped. (A leave-one-out check of the field by 3 or more points themselves was
measured and not kept: eval/results/color-hints-loo.md.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.model.generator import ColorGenerator
from colorizer.model.hint_field import FieldInputs, HintField, pair_features
from colorizer.pipeline.color_hints import ColorHint
from colorizer.pipeline.hint_balance import BalanceConfig, grid_cell, point_residuals
from colorizer.pipeline.hint_spread import FeatureMap, SpreadMemo, remember

# The generator's color distribution of a photo, computed only when a field reads it:
# () -> (probabilities (1, Q, h, w), bin centres (Q, 2)).
Distribution = Callable[[], tuple[torch.Tensor, torch.Tensor]]


def color_distribution(generator: ColorGenerator, logits: torch.Tensor,
                       prior_correction: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The distribution the decoding reads (the training's rebalancing undone as far as the
    operating point says) and the bins' a*b*."""
    probs = torch.softmax(generator.corrected_logits(logits, prior_correction).float(), dim=1)
    return probs, generator.ab_bins


def lazy_distribution(generator: ColorGenerator, logits: torch.Tensor | None,
                      prior_correction: float) -> Distribution | None:
    """`color_distribution`, computed only when a field reads it (None: no logits kept)."""
    return None if logits is None else partial(color_distribution, generator, logits,
                                               prior_correction)


def field_inputs(grid: np.ndarray, features: FeatureMap, ab_work: torch.Tensor,
                 uncertainty: torch.Tensor, field: HintField,
                 distribution: Distribution | None = None) -> FieldInputs:
    """What the learned field reads of a photo, from the spread grid's L* and descriptors
    (training builds it the same way: colorizer.training.train_hint_field), and the
    generator's color distribution when the field's config asks for it."""
    if field.config.plausibility and distribution is None:
        raise ValueError("this hint field reads the generator's color distribution; pass "
                         "`distribution` (the pipeline does)")
    return FieldInputs.build(features.unit[None], torch.from_numpy(grid)[None, None],
                             ab_work, uncertainty, field.config.grid,
                             distribution() if field.config.plausibility else None)


def learned_field(points: Sequence[ColorHint], ab_work: torch.Tensor, grid: np.ndarray,
                  features: FeatureMap, effective: torch.Tensor, size: tuple[int, int],
                  field: HintField, memo: SpreadMemo | None, uncertainty: torch.Tensor,
                  config: BalanceConfig, distribution: Distribution | None = None
                  ) -> tuple[torch.Tensor, tuple[str, ...]]:
    """`ab_work` with the learned field's correction where no hint's region decides; what
    each residual lends there at most `config`'s cap for one or several points (0: uncapped),
    as the hand-written field's (a flag's red reads as a cast otherwise)."""
    cap = config.learned_one_point_cap if len(points) == 1 else config.learned_several_cap
    inputs = remember(memo, "field_inputs",
                      (grid.shape, field.config.grid, field.config.plausibility),
                      partial(field_inputs, grid, features, ab_work, uncertainty, field,
                              distribution))
    cells = [grid_cell(p, inputs.lightness.shape, size) for p in points]
    residuals = point_residuals(points, ab_work, size)
    lent = residuals
    if cap > 0:
        lent = residuals * (cap / residuals.norm(dim=1, keepdim=True).clamp_min(1e-9)
                            ).clamp(max=1.0)
    with torch.no_grad():
        correction = field(pair_features(inputs, cells, residuals, field.config.plausibility),
                           lent)
    free = (1.0 - effective.sum(0)).clamp_min(0.0)[None, None].float()  # spread grid
    correction = F.interpolate(correction[None], size=ab_work.shape[-2:], mode="bilinear",
                               align_corners=False)
    free = F.interpolate(free, size=ab_work.shape[-2:], mode="bilinear", align_corners=False)
    correction = (correction * free * config.learned_scale).to(ab_work.dtype)
    mean = float(correction.norm(dim=1).mean())
    several = len(points) > 1
    note = (f"{len(points)} point hint{'s' if several else ''} corrected the colors beyond "
            f"{'their regions' if several else 'its region'} where the learned field found "
            f"{'them' if several else 'it'} to belong (mean a*b* change {mean:.1f})")
    return ab_work + correction, (note,) if mean >= 0.05 else ()
