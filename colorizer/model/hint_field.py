"""HintField: how far each point hint's residual reaches beyond its own region, learned.

A point hint measures the model's error at one spot: its residual r_k = the hinted a*b* minus
the predicted a*b* there. The hand-written rules of `colorizer.pipeline.hint_balance` (a
shrunken cast, a chroma slope, a capped field over like pixels) reach 28% less error with 5
points on the val photos and, for one point, nothing beyond its region. This head learns the
same question from train photos: for a pixel x and a point k, which share s_k(x) in [0, 1] of
r_k belongs at x, from what the two have in common:

    pair features (x, k): cosine distance of the encoder's descriptors, |L*(x) - L*_k| and
        L*(x) - L*_k (/ 25), the distance apart (/ the grid's diagonal), the model's log
        uncertainty at x and at k (over the photo's mean), its chroma at x and at k (/ 20),
        |r_k| (/ 20), how much the points agree (|mean r| / mean |r|, and r_k's cosine
        with the mean), the number of points (/ 5); with `plausibility` two more: how
        plausible the generator's own distribution finds, at x, x's color moved by r_k, and
        at k the hinted color (`ColorDistribution`: 1 as plausible as the best color there)
    -> MLP (13 or 15 -> 32 -> 32 -> 1) -> sigmoid = s_k(x)
    correction(x) = sum_k s_k(x) r_k / max(1, sum_k s_k(x))

It works on a small grid (long side `grid`, ~80 px: the descriptors are stride-8 maps) and
its correction is upsampled; it costs a few milliseconds per edit. Trained by
`python -m colorizer.training.train_hint_field` (the module says on what, and how one
point's reach is held to the issue's bound on change outside its region); saved as
`hint_field.safetensors` beside the generator's weights, its config in the metadata. The
pipeline uses it when the file is there, else the hand-written rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from colorizer.model.head_io import read_head, save_head
from context.config_io import config_from_dict

HINT_FIELD_FILE = "hint_field.safetensors"
_CONFIG_KEY = "hint_field_config"
PAIR_FEATURES = 13  # pair_features' channels (the list in the module docstring, and a bias)
TONE = 25.0  # L* unit of the tone features
CHROMA = 20.0  # a*b* unit of the chroma and residual features
MAX_POINTS = 5.0  # the point count's unit
PLAUSIBILITY_FEATURES = 2  # with `HintFieldConfig.plausibility`: at the pixel, at the point
PLAUSIBLE_SIGMA = 10.0  # a*b* smoothing of the generator's bin distribution
PLAUSIBLE_FLOOR = 1e-3  # densities this far below the pixel's best color read as 0


@dataclass(frozen=True)
class HintFieldConfig:
    """The head's shape and the grid it works on; saved in the file's metadata."""

    hidden: int = 32
    grid: int = 80  # long side (px) of the grid the field is computed on
    # Two more pair features from the generator's own color distribution (`plausibility`):
    # a field fitted with them needs `FieldInputs` built with the distribution.
    plausibility: bool = False

    def __post_init__(self) -> None:
        if self.hidden < 1 or self.grid < 8:
            raise ValueError(f"hidden must be >= 1 and grid >= 8, got {self.hidden}, "
                             f"{self.grid}")

    @classmethod
    def from_dict(cls, data: dict) -> HintFieldConfig:
        return config_from_dict(cls, data)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FieldInputs:
    """One photo on the field's grid (h, w): what every point's pair features read."""

    unit: torch.Tensor  # (C, h, w) the encoder's descriptors, unit length per pixel
    lightness: torch.Tensor  # (h, w) L*
    ab: torch.Tensor  # (2, h, w) the predicted a*b*
    log_uncertainty: torch.Tensor  # (h, w) log of the model's uncertainty over its mean
    # The generator's color distribution on the grid, for `plausibility` (None: not built)
    colors: ColorDistribution | None = None

    @classmethod
    def build(cls, descriptors: torch.Tensor, lightness: torch.Tensor, ab: torch.Tensor,
              uncertainty: torch.Tensor, grid: int,
              distribution: tuple[torch.Tensor, torch.Tensor] | None = None) -> FieldInputs:
        """From maps of any size ((1, C, ., .), (1, 1, ., .), (1, 2, ., .), (1, 1, ., .)):
        each area-averaged onto the grid whose long side is `grid` (the lightness's shape);
        `distribution` the generator's (probabilities (1, Q, ., .), bin centres (Q, 2))."""
        height, width = lightness.shape[-2:]
        scale = min(1.0, grid / max(height, width))
        shape = (max(1, round(height * scale)), max(1, round(width * scale)))

        def small(x: torch.Tensor) -> torch.Tensor:
            return F.interpolate(x.float().cpu(), size=shape, mode="area")[0]

        u = small(uncertainty)[0].clamp_min(1e-6)
        colors = (None if distribution is None
                  else ColorDistribution.build(small(distribution[0]), distribution[1]))
        return cls(F.normalize(small(descriptors), dim=0), small(lightness)[0], small(ab),
                   torch.log(u / u.mean()), colors)


@dataclass(frozen=True)
class ColorDistribution:
    """The generator's color distribution over its a*b* bins at each grid pixel, smoothed by
    a Gaussian of `PLAUSIBLE_SIGMA` a*b*: how plausible a color is there, relative to the
    pixel's most plausible one."""

    probs: torch.Tensor  # (Q, h, w)
    bins: torch.Tensor  # (Q, 2) a*b* bin centres
    best: torch.Tensor  # (h, w) the smoothed density of the pixel's most plausible bin

    @classmethod
    def build(cls, probs: torch.Tensor, bins: torch.Tensor) -> ColorDistribution:
        bins = bins.float().cpu()
        near = torch.exp(-torch.cdist(bins, bins) ** 2 / (2 * PLAUSIBLE_SIGMA ** 2))  # (Q, Q)
        best = torch.einsum("qhw,qr->rhw", probs, near).amax(0)
        return cls(probs, bins, best)

    def plausible(self, colors: torch.Tensor) -> torch.Tensor:
        """(K, h, w) in [0, 1] for colors (K, 2, h, w): 1 as plausible as the pixel's best
        color, 0 at a density `PLAUSIBLE_FLOOR` of it or less."""
        gap = (self.bins[None, :, :, None, None] - colors[:, None]).pow(2).sum(2)  # (K,Q,h,w)
        density = torch.einsum("qhw,kqhw->khw", self.probs,
                               torch.exp(-gap / (2 * PLAUSIBLE_SIGMA ** 2)))
        ratio = torch.log(density + 1e-6) - torch.log(self.best + 1e-6)[None]
        floor = math.log(PLAUSIBLE_FLOOR)
        return 1.0 - ratio.clamp(floor, 0.0) / floor


def pair_features(inputs: FieldInputs, cells: Sequence[tuple[int, int]],
                  residuals: torch.Tensor, plausibility: bool = False) -> torch.Tensor:
    """(K, h, w, `PAIR_FEATURES` (+ `PLAUSIBILITY_FEATURES`)) for points at `cells` ((row,
    col) on the grid) with `residuals` (K, 2) (module docstring)."""
    unit, lightness, ab = inputs.unit, inputs.lightness, inputs.ab
    h, w = lightness.shape
    count = len(cells)
    rows = torch.tensor([c[0] for c in cells])
    cols = torch.tensor([c[1] for c in cells])
    residuals = residuals.float()
    cosine = 1.0 - torch.einsum("chw,ck->khw", unit, unit[:, rows, cols])
    tone = (lightness[None] - lightness[rows, cols][:, None, None]) / TONE
    yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    apart = torch.sqrt((yy[None] - rows[:, None, None]) ** 2
                       + (xx[None] - cols[:, None, None]) ** 2) / math.hypot(h, w)
    log_u = inputs.log_uncertainty
    u_here = log_u[None].expand(count, h, w)
    u_point = log_u[rows, cols][:, None, None].expand(count, h, w)
    chroma = ab.norm(dim=0)
    norm = residuals.norm(dim=1).clamp_min(1e-6)
    mean = residuals.mean(0)
    agreement = (mean.norm() / norm.mean()).expand(count)
    alignment = (residuals @ mean) / (norm * mean.norm().clamp_min(1e-6))
    per_point = torch.stack([norm / CHROMA, chroma[rows, cols] / CHROMA, agreement, alignment,
                             torch.full((count,), count / MAX_POINTS)], 1)  # (K, 5)
    per_pixel = torch.stack([cosine, tone.abs(), tone, apart, u_here, u_point,
                             (chroma / CHROMA)[None].expand(count, h, w)], -1)
    parts = [per_pixel, per_point[:, None, None, :].expand(count, h, w, 5)]
    if plausibility:
        parts.append(plausibility_features(inputs, rows, cols, residuals))
    return torch.cat([*parts, torch.ones(count, h, w, 1)], -1)


def plausibility_features(inputs: FieldInputs, rows: torch.Tensor, cols: torch.Tensor,
                          residuals: torch.Tensor) -> torch.Tensor:
    """(K, h, w, 2): how plausible the generator finds, at each pixel, its color moved by
    the point's residual, and at the point itself the hinted color."""
    if inputs.colors is None:
        raise ValueError("this hint field reads the generator's color distribution: build "
                         "FieldInputs with `distribution` (the pipeline does when the field's "
                         "config has plausibility)")
    count, (h, w) = len(rows), inputs.lightness.shape
    here = inputs.colors.plausible(inputs.ab[None] + residuals[:, :, None, None])
    at_point = here[torch.arange(count), rows, cols][:, None, None].expand(count, h, w)
    return torch.stack([here, at_point], -1)


class HintField(nn.Module):
    def __init__(self, config: HintFieldConfig | None = None):
        super().__init__()
        self.config = config or HintFieldConfig()
        hidden = self.config.hidden
        inputs = PAIR_FEATURES + (PLAUSIBILITY_FEATURES if self.config.plausibility else 0)
        self.net = nn.Sequential(nn.Linear(inputs, hidden), nn.GELU(),
                                 nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, 1))
        nn.init.constant_(self.net[-1].bias, -3.0)  # start near "reaches nowhere"

    def shares(self, features: torch.Tensor) -> torch.Tensor:
        """(K, h, w) s_k(x) from `pair_features`."""
        return torch.sigmoid(self.net(features)[..., 0])

    def forward(self, features: torch.Tensor, residuals: torch.Tensor) -> torch.Tensor:
        """(2, h, w) the correction: the residuals (K, 2) by their shares, normalised where
        they sum past 1."""
        shares = self.shares(features)
        total = shares.sum(0).clamp_min(1.0)
        return torch.einsum("khw,kc->chw", shares, residuals.float()) / total

    def correction(self, inputs: FieldInputs, cells: Sequence[tuple[int, int]],
                   residuals: torch.Tensor) -> torch.Tensor:
        """(2, h, w) on the grid for points at `cells` with `residuals` (K, 2)."""
        if not len(cells):
            return torch.zeros_like(inputs.ab)
        return self(pair_features(inputs, cells, residuals, self.config.plausibility),
                    residuals)

    # --- persistence ---------------------------------------------------------------------

    def save_pretrained(self, folder: str | Path, metadata: dict | None = None) -> Path:
        """Write `hint_field.safetensors` (config and `metadata` as string metadata)."""
        return save_head(self, self.config.to_dict(), Path(folder) / HINT_FIELD_FILE,
                         _CONFIG_KEY, metadata)

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> HintField:
        """Load `hint_field.safetensors` from folder strictly (every key and shape must match)."""
        config, state = read_head(Path(folder) / HINT_FIELD_FILE, _CONFIG_KEY,
                                  "HintField.save_pretrained",
                                  "train one with `python -m colorizer.training.train_hint_field "
                                  f"--out {folder}`")
        model = cls(HintFieldConfig.from_dict(config))
        model.load_state_dict(state, strict=True)
        return model.eval()
