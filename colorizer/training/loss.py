"""The training targets and loss: L* in, a*b* at the logits' stride out, and the rebalanced
soft cross-entropy over the a*b* bins (Zhang et al. 2016)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from colorizer.model.colorspace import rgb_to_lab
from colorizer.model.quantize import soft_encode


def lab_targets(rgb: torch.Tensor, stride: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    """sRGB batch -> (L* input (B,1,H,W), ab target at the logits' stride (B,2,H/s,W/s))."""
    lab = rgb_to_lab(rgb)
    ab = F.avg_pool2d(lab[:, 1:], stride)
    return lab[:, :1], ab


def classification_loss(
    logits: torch.Tensor, ab: torch.Tensor, bins: torch.Tensor, class_weights: torch.Tensor,
    pixel_weights: torch.Tensor | None = None,
) -> torch.Tensor:
    """Rebalanced soft cross-entropy; weight of a pixel = weight of its target's main bin,
    times `pixel_weights` (B, h, w) when given."""
    target = soft_encode(ab, bins)  # (B, Q, h, w)
    pixel_w = class_weights[target.argmax(1)]  # (B, h, w)
    if pixel_weights is not None:
        pixel_w = pixel_w * pixel_weights
    ce = -(target * torch.log_softmax(logits, dim=1)).sum(1)
    return (ce * pixel_w).sum() / pixel_w.sum()
