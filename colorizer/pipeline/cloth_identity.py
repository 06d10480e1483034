"""Is the cloth the flag finder found the retrieved flag's own cloth? Its gray pattern against
the flag's design as old films record it.

The flag finder (colorizer.model.flag_finder) finds *any* flag or banner cloth: with it, the
Soviet flag's red also went onto a tricolour beside it (35% of those flags' pixels turned
red) and onto cloth-like regions of bare photos. Gray alone cannot tell Soviet red from a
blue field, but it does tell the *designs* apart: the Soviet flag is one uniform field (a
small emblem in the canton; a banner's lettering), a tricolour is three bands of different
lightness, a crest flag a large pattern. So each connected piece of found cloth is admitted
for a retrieved exemplar only when

    dominant   the largest share of its pixels within one L* band of `identity_band` units
               (its field), as a share of the design's own on the same film: a uniform field
               keeps most of its 0.95 folded and lettered; a tricolour beside it reaches
               ~0.35 (~0.67 when two of its colors print alike) against the Soviet flag's
               0.95, but passes for its own exemplar (whose own share is 0.35)
    lightness  that field's L* is one that a field of the design (a band covering 15% of it
               or more) takes on some emulsion of colorizer.training.film (Soviet red: ~43
               on panchromatic film, ~11 orthochromatic, ~0 blue-sensitive), give or take
               `identity_tolerance` for exposure and development

The exemplar's side is its matching cells' colors converted back to sRGB and seen through
each film response. Both tests are soft ramps; a piece's cells are scaled by their product
(a failing piece takes nothing: the exemplar has no effect there through any path), and
each cell by the share of its pixels near one of the design's fields (moved by the piece's
exposure): the finder's cells run a cell past the cloth onto whatever hides or borders it,
and the color went there too (a white scarf in front of a flag turned pink).

A piece is the cloth the finder sees at probability `min_cloth_cell` (0.3) or more, not
only the part it is sure of: the finder is sure of one band of a bicolour, or of a dark
flag's field without its emblem, and that part alone is as uniform as a Soviet field; the
whole piece meets the rest of its flag (rules 30-31 and 36 of eval/operating_point_rules.md;
the grown test of rule 31, its sure part judged over the whole, can be reproduced at commit
fc87aa8).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.model.colorspace import lab_to_rgb
from colorizer.training.film import FILM_RESPONSES, film_lightness

BINS = 101  # L* histogram: one bin per unit, 0..100


def dominant_band(values: torch.Tensor, weights: torch.Tensor, band: int
                  ) -> tuple[float, float]:
    """(share, centre): the largest weighted share of `values` (L*) inside one window of
    `band` units, and the window's centre L*."""
    idx = values.round().clamp(0, BINS - 1).long()
    hist = torch.bincount(idx, weights=weights.float(), minlength=BINS)
    total = float(hist.sum())
    if total <= 0:
        return 0.0, 0.0
    sums = F.conv1d(hist[None, None], torch.ones(1, 1, band, dtype=hist.dtype))[0, 0]
    best = int(sums.argmax())
    window = hist[best:best + band]
    # The window's weighted mean L*: its centre would sit up to band/2 off a narrow peak.
    centre = float((window * torch.arange(best, best + band, dtype=hist.dtype)).sum()
                   / window.sum())
    return float(sums[best]) / total, centre


def exemplar_fields(lightness: torch.Tensor, ab: torch.Tensor, band: int,
                    min_share: float = 0.15) -> list[tuple[float, list[float]]]:
    """Per film response, the exemplar's dominant share and the L* of each of its fields
    (bands covering at least `min_share` of it: a tricolour has three, the Soviet flag
    one), from its matching cells' L* (/100) and a*b*."""
    lab = torch.cat([lightness[None] * 100.0, ab.T], dim=0)[None, :, None, :]  # (1, 3, 1, N)
    rgb = lab_to_rgb(lab.float())
    out = []
    for name in FILM_RESPONSES:
        values = film_lightness(rgb, name).flatten()
        weights = torch.ones_like(values)
        top, centres = None, []
        while True:  # peel the fields off, largest first
            share, centre = dominant_band(values, weights, band)
            if share * float(weights.sum()) < min_share * len(values) or len(centres) >= 4:
                break
            top = share if top is None else top
            centres.append(centre)
            weights = weights * ((values - centre).abs() > band / 2).float()
            if float(weights.sum()) <= 0:
                break
        out.append((top or 0.0, centres))
    return out


def _ramp(x: float, zero: float, full: float) -> float:
    return float(np.clip((x - zero) / (full - zero), 0.0, 1.0))


def _piece_fit(share: float, centre: float, fields: list[tuple[float, list[float]]],
               share_zero: float, share_full: float, tolerance: float
               ) -> tuple[float, list[float]]:
    """A piece's (fit, the design's field L* moved to the piece's exposure) for its dominant
    field (`share`, `centre`), over the films: its field as uniform as the design's own on
    that film (a tricolour's exemplar asks for little) and as light as one of its fields."""
    best, shifted = 0.0, []
    for own, centres in fields:
        if not centres:
            continue
        nearest = min(centres, key=lambda c: abs(centre - c))
        fit = (_ramp(share, own * share_zero, own * share_full)
               * _ramp(-abs(centre - nearest), -2 * tolerance, -tolerance))
        if fit > best:
            best, shifted = fit, [c + centre - nearest for c in centres]
    return best, shifted


def _pieces(region: torch.Tensor, size: torch.Size
            ) -> tuple[np.ndarray, int, torch.Tensor, torch.Tensor]:
    """The connected pieces of `region` (h, w) > 0: their cell labels, count, and the labels
    and the region's weights at the pixels of `size`."""
    from scipy import ndimage  # here: 0.2-0.5 s to import, and only exemplars need it

    labels, count = ndimage.label((region > 0).cpu().numpy(), structure=np.ones((3, 3)))
    pixels = F.interpolate(torch.from_numpy(labels)[None, None].float(), size=size,
                           mode="nearest")[0, 0].long()
    weight = F.interpolate(region[None, None].float().cpu(), size=size, mode="nearest")[0, 0]
    return labels, count, pixels, weight


def identity_weights(region: torch.Tensor, lightness: torch.Tensor,
                     fields: list[tuple[float, list[float]]], band: int,
                     share_zero: float, share_full: float, tolerance: float) -> torch.Tensor:
    """(h, w) in [0, 1]: for each connected piece of `region` (h, w) > 0, how well its
    pixels' L* (`lightness` (1, 1, H, W)) fit the exemplar's `fields` (module docstring);
    `share_zero` and `share_full` are shares of the exemplar's own dominant share. Within a
    fitting piece, each cell by the share of its pixels near the piece's field L* (within
    `band`): a cell half on the flag and half on what hides it takes half."""
    h, w = region.shape
    size = lightness.shape[-2:]
    labels, count, pixels, cell_weight = _pieces(region, size)
    out = torch.zeros(h, w)
    if count == 0:
        return out.to(region.device)
    values = lightness[0, 0].float().cpu()
    for piece in range(1, count + 1):
        inside = pixels == piece
        share, centre = dominant_band(values[inside], cell_weight[inside], band)
        fit, shifted = _piece_fit(share, centre, fields, share_zero, share_full, tolerance)
        if fit <= 0:
            continue
        # Its cells by their share of pixels near one of the design's fields (seen through
        # the best-fitting film, moved by the piece's exposure).
        near = torch.stack([(values - c).abs() <= band for c in shifted]).any(0)
        on_field = F.adaptive_avg_pool2d(near.float()[None, None], (h, w))[0, 0]
        cells = torch.from_numpy(labels == piece)
        out[cells] = fit * on_field[cells]
    return out.to(region.device)

