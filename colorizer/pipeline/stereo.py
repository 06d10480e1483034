"""A stereo card's mount, kept gray.

A stereo card is two views of one scene side by side on a card. The generator reads the flat,
light card as sky and painted it blue (a gray mount's mean C* 5.9 over 12 cards, up to 12.7,
more than the views' own), while the two views come out colored alike (CIEDE2000 0.38 between
them after alignment: nothing to correct there).

A card is recognised by its halves: their fine detail (L* less its blur) lines up after a
small shift (the stereo baseline) far better than any ordinary photo's halves do (the
correlation of 12 cards at least 0.82; of the 305 photos of historical-bw, real-color-dev and
the Prokudin-Gorsky plates at most 0.54, wide or not, and the detector fires on none of them:
eval/results/stereo-halves.md; clearing the mount took its C* from 5.9 to 0.2, the views'
colors unchanged). Within a card, the views are the runs of columns with detail and the rows
between the mount's flat margins; the chroma outside them is cleared, as a black frame's is
(frame.py). Only the mount changes: the views keep the colors they had.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

MIN_ASPECT = 1.4  # a card is at least this much wider than tall (two views side by side)
MIN_CORRELATION = 0.7  # of the halves' detail at their best shift
MAX_SHIFT = 0.12  # of the width: how far apart the views' matching detail may lie
_SIDE = 320  # the long side (px) the card is read at
_DETAIL_SIGMA = 2.0  # px at _SIDE: the blur whose residue is the fine detail
_ACTIVE = 0.25  # a column (row) with less detail than this share of the busy ones is mount
_MOUNT_LEVEL = 3.0  # L*: a mount row's pixels lie this close to the mount's level


def clear_stereo_mount(ab: torch.Tensor, lightness: torch.Tensor) -> torch.Tensor:
    """(1, 2, H, W) chroma with zeros outside the two views when `lightness` (1, 1, H, W) is
    a stereo card with a mount; `ab` itself otherwise."""
    inside = stereo_inside(lightness, tuple(ab.shape[-2:]))
    return ab if inside is None else ab * inside.to(ab.device, ab.dtype)


def stereo_inside(lightness: torch.Tensor, size: tuple[int, int]) -> torch.Tensor | None:
    """(h, w) bool at `size` (h, w): True on the two views of the stereo card `lightness`
    (1, 1, H, W) shows, False on its mount; None for no card with a mount."""
    if lightness.shape[-1] < MIN_ASPECT * lightness.shape[-2]:
        return None  # no card: nothing copied to the CPU for it
    views = stereo_views(lightness[0, 0].float().cpu().numpy())
    if views is None:
        return None
    height, width = size
    inside = torch.zeros(height, width, dtype=torch.bool)
    for top, bottom, left, right in views:
        inside[round(top * height):round(bottom * height),
               round(left * width):round(right * width)] = True
    return inside


def stereo_views(lightness: np.ndarray) -> list[tuple[float, float, float, float]] | None:
    """The two views of a stereo card, (top, bottom, left, right) as shares of its height and
    width; None for a photo that is no stereo card, or a card scanned without its mount."""
    height, width = lightness.shape
    if width < MIN_ASPECT * height:
        return None
    from scipy.ndimage import gaussian_filter  # 0.2-0.5 s to import: only for wide photos

    small = F.interpolate(torch.from_numpy(lightness)[None, None], antialias=True,
                          size=(max(8, round(_SIDE * height / width)), _SIDE), mode="bilinear",
                          align_corners=False)[0, 0].double().numpy()
    detail = small - gaussian_filter(small, _DETAIL_SIGMA)
    if halves_correlation(detail) < MIN_CORRELATION:
        return None
    return _view_boxes(small, np.abs(detail))


def halves_correlation(detail: np.ndarray) -> float:
    """The normalized correlation of the left and right halves of `detail` at the horizontal
    shift (within MAX_SHIFT of the width, found by FFT) where they match best."""
    width = detail.shape[1]
    half = width // 2
    left, right = detail[:, :half], detail[:, half:2 * half]
    spectrum = np.fft.rfft(left, axis=1) * np.conj(np.fft.rfft(right, axis=1))
    by_shift = np.fft.irfft(spectrum.sum(axis=0), n=half)  # circular, over every row
    reach = max(1, int(MAX_SHIFT * width))
    shifts = [s for s in range(-reach, reach + 1) if half - abs(s) >= half // 2]
    best = max(shifts, key=lambda s: by_shift[s % half])
    a, b = (left[:, best:], right[:, :half - best]) if best >= 0 else (
        left[:, :half + best], right[:, -best:])
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-9))


def _view_boxes(small: np.ndarray, detail: np.ndarray
                ) -> list[tuple[float, float, float, float]] | None:
    height, width = small.shape
    columns = _runs(detail.mean(axis=0) > _ACTIVE * np.percentile(detail.mean(axis=0), 75))
    halves = [max((r for r in columns if (r[0] + r[1]) / 2 < width / 2), default=None,
                  key=lambda r: r[1] - r[0]),
              max((r for r in columns if (r[0] + r[1]) / 2 >= width / 2), default=None,
                  key=lambda r: r[1] - r[0])]
    if None in halves:
        return None
    view_columns = np.zeros(width, dtype=bool)
    for start, stop in halves:
        view_columns[start:stop] = True
    if view_columns.all():
        return None  # no mount beside the views: nothing to keep gray
    level = np.median(small[:, ~view_columns])
    row_detail = detail[:, view_columns].mean(axis=1)
    mount_rows = ((np.abs(small[:, view_columns] - level).mean(axis=1) < _MOUNT_LEVEL)
                  & (row_detail < _ACTIVE * np.percentile(row_detail, 75)))
    top, bottom = max(_runs(~mount_rows), key=lambda r: r[1] - r[0], default=(0, height))
    inset = _DETAIL_SIGMA  # the detail spreads this far onto the mount around each view
    return [((top + inset) / height, (bottom - inset) / height, (start + inset) / width,
             (stop - inset) / width) for start, stop in halves]


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of True in `flags`."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(),
                    strict=True))
