"""From the generator's color distribution to the photo's a*b*: the decoding that decides how
bold, how balanced and how region-true the colors are.

Three steps, each answering something real photos showed (DESIGN.md, "What real photos taught
us"):

    agreement   where the plausible colors of a pixel point in different directions (red or
                blue?), the annealed mean still picks one and paints a saturated blob. The
                resultant length of the distribution, |E[ab]| / E[|ab|] in [0, 1], says how
                much its hues agree; chroma is multiplied by agreement ** power, so an unsure
                pixel falls toward gray instead of toward a random vivid hue.
    balance     most of the error on real photos is the overall color balance (our outputs
                carried a warm cast, b* +3.6, where real photos average a* -2.8, b* -1.8).
                A predictor (colorizer.model.balance) reads the photo's overall balance from what it
                shows; the output's mean a*b* is moved toward it by `balance_strength`.
    edges       chroma is predicted at stride 4 of the render size; bilinear upsampling lets it
                bleed across edges. A guided filter (He et al. 2010) with the photo's L* as the
                guide makes chroma follow the photo's edges and regions.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

AGREEMENT_EPS = 1e-6
EDGE_GUIDE_MAX_SIDE = 1024  # long side (px) of the guided filter's working size (bounds memory)


@dataclass(frozen=True)
class ChromaConfig:
    """Decoding beyond temperature and chroma scale; the defaults are the operating point
    chosen on the validation split and real-color-dev (eval/operating_point_rules.md)."""

    agreement_power: float = 1.0  # chroma *= hue agreement ** power (0 = off)
    balance_strength: float = 0.0  # 0..1: share of the way to the target overall balance
    # The target: this share of the predicted balance (the rest neutral gray). The predictor
    # learned modern photos' warm balance (b* +5.6); old color film carries casts that the
    # luminance does not show (real-color-dev averages b* -1.6), so 0 means "remove our own
    # cast" and 1 "trust the predictor".
    balance_trust: float = 1.0
    edge_radius: float = 0.03  # guided-filter radius as a share of the long side (0 = off)
    edge_eps: float = 0.01  # guided-filter regularisation, in (L*/100)^2 units

    def __post_init__(self) -> None:
        if self.agreement_power < 0:
            raise ValueError(f"agreement_power must not be negative, got {self.agreement_power}")
        if not 0.0 <= self.balance_strength <= 1.0:
            raise ValueError(f"balance_strength must be within [0, 1], got "
                             f"{self.balance_strength}")
        if not 0.0 <= self.balance_trust <= 1.0:
            raise ValueError(f"balance_trust must be within [0, 1], got {self.balance_trust}")
        if not 0.0 <= self.edge_radius <= 0.1:
            raise ValueError(f"edge_radius must be within [0, 0.1] (a share of the long side), "
                             f"got {self.edge_radius}")
        if self.edge_eps <= 0:
            raise ValueError(f"edge_eps must be positive, got {self.edge_eps}")


def hue_agreement(probs: torch.Tensor, bins: torch.Tensor) -> torch.Tensor:
    """(B, Q, h, w) bin probabilities, (Q, 2) bin centers -> (B, 1, h, w) |E[ab]| / E[|ab|].

    1 when every plausible color has the same hue (or the pixel is surely gray), near 0 when
    the plausible colors cancel out (red and cyan equally likely)."""
    mean = torch.einsum("bqhw,qc->bchw", probs, bins)
    magnitude = torch.einsum("bqhw,q->bhw", probs, bins.norm(dim=1))[:, None]
    return (mean.norm(dim=1, keepdim=True) / (magnitude + AGREEMENT_EPS)).clamp(0, 1)


def shift_balance(ab: torch.Tensor, target: torch.Tensor, strength: float) -> torch.Tensor:
    """Move the mean a*b* of (B, 2, h, w) `ab` a `strength` share of the way to `target`
    (B, 2): a uniform shift, as a cast of the light or the film is."""
    if strength == 0.0:
        return ab
    offset = (target.to(ab) - ab.mean(dim=(2, 3))) * strength
    return ab + offset[:, :, None, None]


def _box(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Mean over the (2r+1)^2 window around each pixel (edges replicated), from cumulative
    sums: the cost does not grow with the radius (avg_pool2d's does, with its square)."""
    size = 2 * radius + 1
    padded = F.pad(x, (radius + 1, radius, radius + 1, radius), mode="replicate")
    padded[..., 0, :] = 0  # the leading row and column of the integral image are zero
    padded[..., :, 0] = 0
    total = padded.double().cumsum(-1).cumsum(-2)
    window = (total[..., size:, size:] - total[..., :-size, size:]
              - total[..., size:, :-size] + total[..., :-size, :-size])
    return (window / (size * size)).to(x.dtype)


def guided_filter(guide: torch.Tensor, source: torch.Tensor, radius: int, eps: float
                  ) -> torch.Tensor:
    """He et al.'s guided filter: `source` (B, C, H, W) smoothed within the regions of `guide`
    (B, 1, H, W, values ~[0, 1]); where the guide has an edge, the output has one too."""
    if radius < 1:
        return source
    mean_i = _box(guide, radius)
    var_i = _box(guide * guide, radius) - mean_i * mean_i
    mean_p = _box(source, radius)
    cov_ip = _box(guide * source, radius) - mean_i * mean_p
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return _box(a, radius) * guide + _box(b, radius)


def chroma_at(ab: torch.Tensor, lightness: torch.Tensor, config: ChromaConfig) -> torch.Tensor:
    """(1, 2, h, w) chroma -> (1, 2, H, W) at the size of `lightness` (1, 1, H, W), following
    the photo's edges when `edge_radius` > 0 (filtered at a long side of at most 1024 px, so
    memory stays bounded for any photo the loader accepts)."""
    height, width = lightness.shape[-2:]
    if config.edge_radius <= 0:
        return F.interpolate(ab, size=(height, width), mode="bilinear", align_corners=False)
    return upsample_chroma(chroma_work(ab, lightness, config)[0], lightness)


def chroma_work(ab: torch.Tensor, lightness: torch.Tensor, config: ChromaConfig
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """`chroma_at` before its last upsampling: (1, 2, h', w') chroma and (1, 1, h', w') L* at
    the filter's working size (long side at most 1024 px), where color hints are blended in.
    The pipeline upsamples the chroma to full size a band of rows at a time (full_size.py)."""
    height, width = lightness.shape[-2:]
    scale = min(1.0, EDGE_GUIDE_MAX_SIDE / max(height, width))
    work = (max(1, round(height * scale)), max(1, round(width * scale)))
    guide = F.interpolate(lightness, size=work, mode="bilinear", antialias=True,
                          align_corners=False)
    up = F.interpolate(ab, size=work, mode="bilinear", align_corners=False)
    if config.edge_radius <= 0:
        return up, guide
    radius = max(1, round(config.edge_radius * max(work)))
    return guided_filter(guide / 100.0, up, radius, config.edge_eps), guide


def upsample_chroma(ab: torch.Tensor, lightness: torch.Tensor) -> torch.Tensor:
    """Working-size chroma (1, 2, h', w') at the size of `lightness` (1, 1, H, W)."""
    size = tuple(lightness.shape[-2:])
    if tuple(ab.shape[-2:]) == size:
        return ab
    return F.interpolate(ab, size=size, mode="bilinear", align_corners=False)
