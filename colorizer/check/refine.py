"""Refining a registration to a fraction of a pixel.

Features (align.py) place the original within about a pixel at their working size; over a
2048-pixel colorization that is a few pixels, and every edge then differs by tens of L*:
"lightness changed" where only the alignment is off. So the matrix is refined by least
squares on the lightness itself (an affine correction, with a gain and an offset, since the
colorist's scan may have other levels; a robust loss, since a watermark or a retouch
differs there on purpose).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

REFINE_SIDE = 640  # the colorization is compared at this longer side while refining
ROBUST_SCALE = 4.0  # L*: differences beyond this count less (soft L1)
SAMPLES = 20_000  # compared pixels the fit reads
MAX_MOVE = 4.0  # compared pixels a corner may move (the features' error is about one)


def centred(sx: float, sy: float) -> np.ndarray:
    """The matrix of a resize by (sx, sy) in pixel coordinates (pixel centres stay centres:
    x' + 0.5 = (x + 0.5) * sx), as PIL resizes."""
    return np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1.0]])


def refine(ours: np.ndarray, theirs: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """`matrix` (colorization (x, y, 1) -> original, full pixels) refined so that the
    original's L* (`theirs`) sampled there best matches the colorization's (`ours`)."""
    from scipy.ndimage import gaussian_filter, map_coordinates
    from scipy.optimize import least_squares

    h, w = ours.shape
    f = min(1.0, REFINE_SIDE / max(h, w))
    size = (max(8, round(w * f)), max(8, round(h * f)))
    small = np.asarray(Image.fromarray(ours.astype(np.float32), mode="F")
                       .resize(size, Image.LANCZOS), dtype=np.float64) if f < 1 else ours
    to_full = np.linalg.inv(centred(size[0] / w, size[1] / h))
    base = matrix @ to_full  # small colorization pixels -> original pixels
    step = np.sqrt(abs(np.linalg.det(base[:2, :2])))  # original pixels per compared pixel
    source = gaussian_filter(theirs.astype(np.float64), 0.45 * step) if step > 1.2 else theirs
    ys, xs = np.mgrid[0:size[1], 0:size[0]].astype(np.float64)
    grid = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    margin = 3 * max(1.0, step)
    at = base @ grid
    keep = ((at[0] >= margin) & (at[0] <= theirs.shape[1] - 1 - margin)
            & (at[1] >= margin) & (at[1] <= theirs.shape[0] - 1 - margin))
    if keep.sum() < 1000:
        return matrix
    chosen = np.flatnonzero(keep)
    if len(chosen) > SAMPLES:  # a fixed sample: the fit is as exact and several times faster
        chosen = np.sort(np.random.default_rng(0).choice(chosen, SAMPLES, replace=False))
    grid, target = grid[:, chosen], small.ravel()[chosen]
    centre = grid[:2].mean(axis=1)

    def corrected(p: np.ndarray) -> np.ndarray:
        # An affine change about the compared area's centre, in compared pixels.
        shift = np.array([[1, 0, centre[0]], [0, 1, centre[1]], [0, 0, 1.0]])
        change = np.array([[1 + p[0], p[1], p[4]], [p[2], 1 + p[3], p[5]], [0, 0, 1.0]])
        return base @ shift @ change @ np.linalg.inv(shift)

    def residual(p: np.ndarray) -> np.ndarray:
        at = corrected(p) @ grid
        seen = map_coordinates(source, [at[1], at[0]], order=1, mode="nearest")
        return target - (p[6] * seen + p[7])

    start = np.array([0, 0, 0, 0, 0, 0, 1.0, 0.0])
    scales = np.array([1e-3, 1e-3, 1e-3, 1e-3, 0.1, 0.1, 0.05, 1.0])
    fit = least_squares(residual, start, loss="soft_l1", f_scale=ROBUST_SCALE,
                        x_scale=scales, max_nfev=40, diff_step=1e-3)
    if not fit.success and fit.status != 0:
        return matrix
    # A fit that moved a corner by more than the features' error found something else.
    corners = np.array([[0, size[0], 0, size[0]], [0, 0, size[1], size[1]], [1, 1, 1, 1.0]])
    moved = np.abs((corrected(fit.x) - base) @ corners)[:2].max() / max(step, 1e-6)
    if moved > MAX_MOVE:
        return matrix
    return corrected(fit.x) @ np.linalg.inv(to_full)
