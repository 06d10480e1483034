"""Hasler & Suesstrunk (2003) colorfulness: the one definition, for training logs and eval.

colorizer never imports eval, so the statistic lives here and `eval.metrics` re-exports it.
"""

from __future__ import annotations

import numpy as np
import torch


def colorfulness(rgb: np.ndarray | torch.Tensor, channel_axis: int = -1) -> float:
    """Colorfulness M of sRGB in [0, 1], on 0-255 values: sigma_rgyb + 0.3 * mu_rgyb.

    Opponent channels rg = R - G and yb = (R + G) / 2 - B, pooled over every other axis (a
    whole batch counts as one image); population standard deviations. 0 for any gray image,
    about 85 for a flat pure red, and typically 20-60 for natural photos. `rgb` is an
    (H, W, 3) array by default, or e.g. a (B, 3, H, W) tensor with `channel_axis=1`.
    """
    if isinstance(rgb, torch.Tensor):  # float64 on the CPU, as the numpy path computes
        rgb = rgb.detach().cpu().double().numpy()
    if rgb.ndim < 2 or rgb.shape[channel_axis] != 3:
        raise ValueError(f"expected an (H, W, 3) sRGB array (3 channels on axis {channel_axis}), "
                         f"got shape {rgb.shape}")
    x = np.moveaxis(rgb.astype(np.float64) * 255.0, channel_axis, -1)
    rg = x[..., 0] - x[..., 1]
    yb = 0.5 * (x[..., 0] + x[..., 1]) - x[..., 2]
    sigma = np.hypot(rg.std(), yb.std())
    mu = np.hypot(rg.mean(), yb.mean())
    return float(sigma + 0.3 * mu)
