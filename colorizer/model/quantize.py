"""Quantized a*b* bins: targets for the classification loss and annealed-mean decoding.

Regression on chroma averages plausible colors into brown; predicting a distribution over
quantized ab bins (Zhang et al. 2016) keeps vivid modes, and the distribution's entropy is a
per-pixel uncertainty for free.
"""

from __future__ import annotations

import math

import torch

from colorizer.model.colorspace import AB_RANGE, rgb_to_lab

GRID_STEP = 10.0


def in_gamut_ab_bins(step: float = GRID_STEP, samples_per_axis: int = 48) -> torch.Tensor:
    """Centers (Q, 2) of the ab grid cells that some in-gamut sRGB color falls into.

    Deterministic: the sRGB cube is sampled on a regular grid, so the same bins come out on
    every machine (313 cells for the 10-unit grid, as in Zhang et al.).
    """
    axis = torch.linspace(0, 1, samples_per_axis, dtype=torch.float64)
    r, g, b = torch.meshgrid(axis, axis, axis, indexing="ij")
    rgb = torch.stack([r, g, b]).reshape(1, 3, -1, 1)
    ab = rgb_to_lab(rgb)[0, 1:, :, 0].T  # (N, 2)
    cells = torch.round(ab / step).to(torch.int64)
    # Unique rows in (a, b) order through one int64 key per row: the same cells in the same
    # order as torch.unique(cells, dim=0), which took 3.4 s of every start-up (1 ms now).
    low = cells.min()
    span = int(cells.max() - low) + 1
    keys = torch.unique((cells[:, 0] - low) * span + (cells[:, 1] - low))
    unique = torch.stack([keys // span, keys % span], dim=1) + low
    centers = unique.to(torch.float32) * step
    keep = centers.abs().max(dim=1).values <= AB_RANGE
    return centers[keep]


def soft_encode(ab: torch.Tensor, bins: torch.Tensor, k: int = 5,
                sigma: float = 5.0) -> torch.Tensor:
    """Soft one-hot targets: (B, 2, H, W) ab -> (B, Q, H, W) over the k nearest bins."""
    b, _, h, w = ab.shape
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)  # (BHW, 2)
    dist = torch.cdist(flat, bins)  # (BHW, Q)
    d_k, idx = dist.topk(k, dim=1, largest=False)
    weights = torch.softmax(-(d_k**2) / (2 * sigma**2), dim=1)
    target = torch.zeros_like(dist).scatter_(1, idx, weights)
    return target.view(b, h, w, -1).permute(0, 3, 1, 2)


def nearest_bin(ab: torch.Tensor, bins: torch.Tensor) -> torch.Tensor:
    """(B, 2, H, W) ab -> (B, H, W) index of the nearest bin."""
    b, _, h, w = ab.shape
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    return torch.cdist(flat, bins).argmin(dim=1).view(b, h, w)


def annealed_mean(logits: torch.Tensor, bins: torch.Tensor, temperature: float) -> torch.Tensor:
    """(B, Q, H, W) logits -> (B, 2, H, W) ab: mean of softmax(logits / T) over bin centers.

    T = 1 is the plain mean (desaturated), T -> 0 the mode (vivid but patchy); Zhang et al.
    found T = 0.38 a good balance.
    """
    return torch.einsum("bqhw,qc->bchw", sharpened(logits, temperature), bins)


def sharpened(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / T) over the bins (dim 1): the distribution both estimators read."""
    return torch.softmax(logits / max(temperature, 1e-3), dim=1)


MEDIAN_STEPS = 16  # Weiszfeld steps: from the annealed mean, a pixel moves < 0.1 a*b* after ~10


def geometric_median(logits: torch.Tensor, bins: torch.Tensor, temperature: float,
                     steps: int = MEDIAN_STEPS) -> torch.Tensor:
    """(B, Q, H, W) logits -> (B, 2, H, W) ab: the geometric median of softmax(logits / T)
    over the bin centers, the color with the least expected a*b* distance to the pixel's.

    Where a pixel has two plausible colors (a sky: blue or white) the mean stops between them
    and the median leans to the heavier one. Weiszfeld's iteration from the annealed mean:
    each step reweights the bins by probability / distance to the current estimate.
    """
    probs = sharpened(logits, temperature)
    estimate = torch.einsum("bqhw,qc->bchw", probs, bins)  # the annealed mean
    centers = bins.to(probs.dtype).view(1, -1, 2, 1, 1)  # (1, Q, 2, 1, 1)
    for _ in range(steps):
        distance = (centers - estimate.unsqueeze(1)).square().sum(dim=2).sqrt()  # (B, Q, H, W)
        # A floor of 0.5 a*b* (a bin is ~10 wide): a bin the estimate sits on does not take
        # all the weight, and the step stays finite.
        weights = probs / distance.clamp_min(0.5)
        estimate = torch.einsum("bqhw,qc->bchw", weights, bins) / weights.sum(dim=1,
                                                                             keepdim=True)
    return estimate


ESTIMATORS = {"annealed_mean": annealed_mean, "median": geometric_median}


def undo_rebalancing(logits: torch.Tensor, log_weights: torch.Tensor,
                     strength: float) -> torch.Tensor:
    """(B, Q, H, W) logits -> logits of the photo's color distribution, rebalancing undone.

    Cross-entropy weighted by w_q is minimised by p_model(q) ~ w_q p(q | photo): the model
    learned to over-predict rare saturated bins. Subtracting log w_q gives back an estimate
    of p(q | photo) (strength 1), whose mean is the least-squares color; intermediate
    strengths keep some of the vivid bias. `log_weights` (Q,) are the training weights' logs.
    """
    if strength == 0.0:
        return logits
    return logits - strength * log_weights.view(1, -1, 1, 1).to(logits.dtype)


def normalized_entropy(logits: torch.Tensor) -> torch.Tensor:
    """(B, Q, H, W) logits -> (B, 1, H, W) entropy / log(Q) in [0, 1] (1 = no idea)."""
    logp = torch.log_softmax(logits, dim=1)
    entropy = -(logp.exp() * logp).sum(dim=1, keepdim=True)
    return entropy / math.log(logits.shape[1])


def rebalancing_weights(prior: torch.Tensor, mix: float = 0.5) -> torch.Tensor:
    """Class weights (Q,) from an empirical bin prior: w ~ 1 / ((1 - mix) p + mix / Q).

    Rare saturated colors get more weight so the loss does not collapse onto the common
    desaturated bins; the weights are normalised so that E_p[w] = 1.
    """
    q = prior.numel()
    p = prior / prior.sum()
    w = 1.0 / ((1 - mix) * p + mix / q)
    return w / (p * w).sum()


def bin_prior_from_rgb(rgb_batches: list[torch.Tensor], bins: torch.Tensor) -> torch.Tensor:
    """Empirical distribution (Q,) of nearest bins over a list of (B, 3, H, W) sRGB batches."""
    counts = torch.zeros(bins.shape[0], dtype=torch.float64)
    for rgb in rgb_batches:
        ab = rgb_to_lab(rgb)[:, 1:]
        idx = nearest_bin(ab, bins).flatten()
        counts += torch.bincount(idx, minlength=bins.shape[0]).to(torch.float64)
    counts += 1.0  # Laplace smoothing: no bin has zero probability
    return (counts / counts.sum()).to(torch.float32)
