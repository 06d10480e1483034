"""How likely our model finds a colorization's colors, pixel by pixel, given what it sees.

The generator predicts, at every cell of its output grid (stride 4 of the render size), a
distribution over a*b* bins for the photo's L*. A colorization's a*b* there has a
probability under it; a color is judged against the most likely one of the same cell:

    window  bins within WINDOW a*b* units of each other pooled (a color between two bins is
            not unlikely), so p(ab) = sum of the probabilities of the bins near ab
    ratio   p(observed ab) / max over colors c of p(c), in [0, 1]: 1 = the model's own best
            color, 0.01 = a hundred times less likely than that

The ratio map is what `likelihood` findings, the blob filter and the knowledge findings'
evidence read. Skin: the probability mass the model puts on skin tones (SKIN_HUE, SKIN_CHROMA)
says where it sees skin; a color there that skin never has is an `unlikely skin` finding.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage as ndi

WINDOW = 15.0  # a*b* units: bins this close to a color count as that color
SKIN_HUE = (20.0, 85.0)  # CIELAB hue of skin, degrees (all complexions, in any light)
SKIN_CHROMA = (8.0, 45.0)  # C* of skin
# Colors skin never has: hue outside this wider range, or far more saturated.
SKIN_POSSIBLE_HUE = (0.0, 100.0)
SKIN_MAX_CHROMA = 60.0
SKIN_GRAY_CHROMA = 10.0  # below this C* a color is grayish: a gray face is not reported


def window_matrix(bins: torch.Tensor, radius: float = WINDOW) -> torch.Tensor:
    """(Q, Q) float: 1 where two bins are within `radius` a*b* units."""
    return (torch.cdist(bins.float(), bins.float()) <= radius).float()


def pooled(probs: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """(Q, h, w) probabilities -> (Q, h, w) probability of each bin's neighbourhood."""
    q, h, w = probs.shape
    return (window @ probs.reshape(q, -1)).reshape(q, h, w)


def observed_ab(ab: np.ndarray, shape: tuple[int, int]) -> torch.Tensor:
    """(H, W, 2) a*b* of the colorization -> (2, h, w) averaged over each model cell."""
    tensor = torch.from_numpy(np.ascontiguousarray(ab.transpose(2, 0, 1))).float()[None]
    return F.adaptive_avg_pool2d(tensor, shape)[0]


def likelihood_ratio(pool: torch.Tensor, bins: torch.Tensor, ab: torch.Tensor) -> np.ndarray:
    """(h, w) ratio in [0, 1]: pooled probability of the observed (2, h, w) a*b* over that of
    the cell's most likely color."""
    q, h, w = pool.shape
    flat = ab.reshape(2, -1).T  # (h*w, 2)
    nearest = torch.cdist(flat, bins.float()).argmin(dim=1)  # (h*w,)
    cells = pool.reshape(q, -1)
    seen = cells.gather(0, nearest[None])[0]
    best = cells.max(dim=0).values.clamp_min(1e-12)
    return (seen / best).clamp(0, 1).reshape(h, w).numpy()


def color_ratio(pool: torch.Tensor, bins: torch.Tensor, ab: tuple[float, float],
                where: np.ndarray) -> float:
    """Mean ratio of one a*b* color over the cells `where` (h, w): how likely the model finds
    that color there (the knowledge findings' evidence for the documented color)."""
    index = int(torch.cdist(torch.tensor([ab], dtype=torch.float32), bins.float()).argmin())
    best = pool.max(dim=0).values.clamp_min(1e-12)
    ratio = (pool[index] / best).numpy()
    return float(ratio[where].mean()) if bool(where.any()) else 0.0


def skin_mass(probs: torch.Tensor, bins: torch.Tensor) -> np.ndarray:
    """(h, w) probability the model puts on skin tones."""
    hue = torch.rad2deg(torch.atan2(bins[:, 1], bins[:, 0])) % 360
    chroma = bins.norm(dim=1)
    skin = ((hue >= SKIN_HUE[0]) & (hue <= SKIN_HUE[1]) & (chroma >= SKIN_CHROMA[0])
            & (chroma <= SKIN_CHROMA[1]))
    return probs[skin].sum(0).numpy()


def not_skin(ab: np.ndarray) -> np.ndarray:
    """(..., 2) a*b* -> bool: a color no skin has (gray excepted: a pale face is not wrong)."""
    chroma = np.hypot(ab[..., 0], ab[..., 1])
    hue = np.degrees(np.arctan2(ab[..., 1], ab[..., 0])) % 360
    off_hue = (hue > SKIN_POSSIBLE_HUE[1]) & (hue < 360 + SKIN_POSSIBLE_HUE[0])
    return (chroma >= SKIN_GRAY_CHROMA) & (off_hue | (chroma > SKIN_MAX_CHROMA))


def regions(mask: np.ndarray, min_share: float) -> list[np.ndarray]:
    """Connected regions (8-connected) of a (h, w) mask covering at least `min_share` of it,
    largest first."""
    labels, count = ndi.label(mask, structure=np.ones((3, 3), bool))
    if count == 0:
        return []
    sizes = ndi.sum(np.ones_like(labels), labels, index=np.arange(1, count + 1))
    keep = [i + 1 for i in np.argsort(-sizes) if sizes[i] >= min_share * mask.size]
    return [labels == i for i in keep]
