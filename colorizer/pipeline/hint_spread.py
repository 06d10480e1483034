"""Where a color hint reaches: the region the photo shows around it, stopping at its edges.

A point spreads by *geodesic distance* over the photo's L* (at a working size of at most
`SpreadConfig.size` px on the long side): a step costs 1 across an even surface and much more
across an edge (a jump in L*) or into a part much lighter or darker than the point:

    cost = 1 + (|grad L*| / edge)^2 + (|L* - L*_point| / tone)^2      per working pixel
    weight = 1 within `reach` x long side of geodesic distance, falling to 0 over `fade` more

so a point on a flag fills the flag (its folds are soft gradients) and stops at the sky. Two
points that reach the same pixel share it by geodesic nearness (a soft Voronoi split), so a
red point and a white point on one flag divide it at the stripes' edge.

A box, polygon or mask is the area the user marked, its border snapped to the photo's edges by
the guided filter of `colorizer.pipeline.chroma` (the mechanism that makes predicted chroma
follow edges, DESIGN.md "What real photos taught us").

Layers are composited "over" (areas, largest first, then the points on top: the more specific
hint wins) into per-hint *effective weights* e_k (what share of a pixel's final a*b* hint k
decides). Those are filtered to the merge's working grid with the L* as guide; where every
e_k is 0 the photo's colors are kept exactly (weights below `FLOOR` are set to 0).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from skimage.graph import MCP_Geometric

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.chroma import guided_filter

FLOOR = 1e-3  # effective weights below this are 0: outside every hint nothing changes
KEPT = 32  # per photo: the points whose arrays an edit keeps (SpreadMemo)
BEYOND = 16  # voronoi lengths past reach + fade at which the geodesic search stops
LOOSEN_MAX = 3.0  # at most this wider a feature scale for a point near the model's color
T = TypeVar("T")


@dataclass(frozen=True)
class SpreadConfig:
    """How far a point hint spreads (chosen on train-split photos, `python -m eval.color_hints
    --tune`; never on the 20 validation photos the acceptance is measured on)."""

    size: int = 320  # long side (px) of the grid the geodesic distance is computed on
    smooth: float = 1.0  # Gaussian sigma (working px) on L* before its gradient: film grain
    # On 10 train photos (5 / 1 random points): edge 1.5 -> 0.5 and reach 0.35 -> 1.6 took
    # the 5-point reduction from 24.5% to 30.0% and the 1-point one from 5.0% to 7.9%, the
    # change outside the first point's segment from 0.15 to 0.54 CIEDE2000; a larger reach
    # with the stricter edges lets a point fill an even region (a sky, a wall) whole.
    edge: float = 0.5  # |grad L*| (L* per working px) at which a step costs 2
    tone: float = 12.0  # |L* - L*_point| at which a step costs 2
    reach: float = 1.6  # full weight within this share of the long side (geodesic) ...
    # Cosine distance of the encoder's descriptors (what the photo shows there: grass, sky,
    # cloth) from the point's at which a step costs 2; 0: not used. Without it a red flag's
    # point leaked into a kangaroo's fur and the grass of like lightness (flag scenes: mean
    # change off the flag 4.2 CIEDE2000, 18.7 on one scene); with 0.3, on 6 train photos the
    # change outside the first point's segment fell from 0.53 to 0.11 while the 5-point
    # reduction fell from 32.5% to 21.5% (1 point: 5.3% -> 5.7%): we keep colors inside
    # what the photo shows, the first demand, over the larger average gain. Again on
    # 80 other train photos (`python -m eval.color_hints.tuning`) and flag scenes 7-12:
    # 0.3 / 0.45 / 0.6: 5 points 31.9 / 32.7 / 33.0%, 1 point 4.9 / 6.7 / 7.8%, change off
    # the flag 0.68 / 1.67 / 2.71 (bound 1): kept.
    feature: float = 0.3
    # A point whose color is near the model's there (a*b* residual |r| below `loosen`) may
    # spread across less alike descriptors: its feature scale is multiplied by
    # min(LOOSEN_MAX, loosen / |r|). Painting a pixel moves it by |hint - its a*b*|, near |r|
    # where the model predicted alike colors: a small residual spread too far costs little,
    # while a large one (a red flag the model left gray) keeps the strict scale. 0: off.
    # The rule, written before any run of it: on the 80 tuning photos and flag scenes 7-12
    # (`python -m eval.color_hints.tuning --field colorizer/weights/default --grid
    # spread.loosen=0,5,10,20`) take the value with the largest 5-point reduction among
    # those whose 1-point reduction is at most 0.2 points below 0's, whose change outside
    # the first point's segment is at most 0's + 0.1 and at most 0.8, and whose flag reached
    # share is at most 2 points below 0's with the change off the flag at most 1; a gain
    # under 0.3 points keeps 0.
    # Run (eval/results/color-hints-tuning-loosen.json), loosen 0 / 5 / 10 / 20: 5 points
    # 35.5 / 35.6 / 35.7 / 35.9%, 1 point 5.1 / 5.1 / 5.3 / 5.8%, change outside the segment
    # 0.24 / 0.26 / 0.29 / 0.33, flags unchanged (reached 65%, off the flag 0.78): 20 taken.
    loosen: float = 20.0
    fade: float = 0.15  # ... then falling to 0 over this share
    voronoi: float = 0.02  # softness (share of the long side) of the split between points
    snap_radius: float = 0.008  # guided-filter radius (share of the long side) of the layers
    snap_eps: float = 1e-3  # guided-filter regularisation, (L*/100)^2: sharper at edges

    def __post_init__(self) -> None:
        if self.size < 32:
            raise ValueError(f"spread size must be at least 32 px, got {self.size}")
        for name in ("smooth", "reach", "snap_radius", "feature", "loosen"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        for name in ("edge", "tone", "fade", "voronoi", "snap_eps"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")


@lru_cache(maxsize=1024)  # an edit asks for each hint's a*b* several times
def hint_ab(rgb: tuple[int, int, int]) -> tuple[float, float]:
    """The a*b* of an sRGB color (0-255): what a hint sets; the photo keeps its L*."""
    pixel = torch.tensor(rgb, dtype=torch.float64).reshape(1, 3, 1, 1) / 255.0
    lab = rgb_to_lab(pixel)[0, :, 0, 0]
    return float(lab[1]), float(lab[2])


@lru_cache(maxsize=1024)
def hint_lightness(rgb: tuple[int, int, int]) -> float:
    pixel = torch.tensor(rgb, dtype=torch.float64).reshape(1, 3, 1, 1) / 255.0
    return float(rgb_to_lab(pixel)[0, 0, 0, 0])


def grid_shape(height: int, width: int, config: SpreadConfig) -> tuple[int, int]:
    """(h, w) of the spread's working grid for a photo of (height, width)."""
    scale = min(1.0, config.size / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def spread_grid(lightness: torch.Tensor, config: SpreadConfig) -> np.ndarray:
    """(h, w) float64 L* at the spread's working size (long side at most `config.size`)."""
    size = grid_shape(*lightness.shape[-2:], config)
    small = F.interpolate(lightness.float(), size=size, mode="bilinear", antialias=True,
                          align_corners=False)
    return small[0, 0].double().numpy()


def step_costs(grid: np.ndarray, config: SpreadConfig) -> np.ndarray:
    """(h, w) the part of a step's cost that does not depend on the point: 1 + edges."""
    # Imported here: scipy.ndimage takes 0.2-0.5 s to import, and only a photo with color
    # hints needs it (tests/test_startup_commands.py).
    from scipy.ndimage import gaussian_filter, sobel

    smooth = gaussian_filter(grid, config.smooth) if config.smooth > 0 else grid
    gradient = np.hypot(sobel(smooth, 0), sobel(smooth, 1)) / 8.0  # L* per px
    return 1.0 + (gradient / config.edge) ** 2


def point_distances(grid: np.ndarray, costs: np.ndarray, seeds: list[tuple[int, int]],
                    config: SpreadConfig, features: FeatureMap | None = None,
                    memo: SpreadMemo | None = None,
                    residuals: Sequence[float] | None = None) -> np.ndarray:
    """(K, h, w) geodesic distance (working px) from each (row, col) seed, up to
    `distance_limit` (farther pixels read the limit); `features` (the encoder's descriptors)
    add the feature term when `config.feature` > 0, its scale widened by `feature_widening`
    of each seed's a*b* residual in `residuals`; `memo` keeps each seed's distance for the
    photo's next edit."""
    limit = distance_limit(grid.shape, config)

    def one(row: int, col: int, scale: float) -> np.ndarray:
        step = costs + ((grid - grid[row, col]) / config.tone) ** 2
        if features is not None and config.feature > 0:
            step = step + (features.distance(row, col) / scale) ** 2
        return np.minimum(_Bounded(step, limit).find_costs([(row, col)])[0], limit)

    out = np.empty((len(seeds), *grid.shape))
    for k, (row, col) in enumerate(seeds):
        scale = config.feature * (feature_widening(residuals[k], config)
                                  if residuals is not None else 1.0)
        key = (row, col, grid.shape, config, features is not None, round(scale, 4))
        out[k] = remember(memo, "distance", key, partial(one, row, col, scale))
    return out


def feature_widening(residual: float, config: SpreadConfig) -> float:
    """How much wider a point's feature scale is for its a*b* residual (`SpreadConfig.loosen`)."""
    if config.loosen <= 0:
        return 1.0
    return float(min(LOOSEN_MAX, max(1.0, config.loosen / max(residual, 1e-6))))


def distance_limit(shape: tuple[int, ...], config: SpreadConfig) -> float:
    """The geodesic distance beyond which a point's distance changes no weight: its own
    weight is 0 past reach + fade, and another point's share of a pixel it reaches differs
    by under exp(-`BEYOND`) from what a larger distance would leave it."""
    return (config.reach + config.fade + BEYOND * config.voronoi) * max(shape)


class _Bounded(MCP_Geometric):
    """skimage's geodesic search, stopped once the nearest pixel left is past `limit` (a point
    hint reaches a tenth of a photo or so: the search over all of it was most of an edit)."""

    def __init__(self, costs: np.ndarray, limit: float) -> None:
        super().__init__(costs)
        self.limit = limit

    def goal_reached(self, index: int, cumcost: float) -> int:
        return 2 if cumcost > self.limit else 0  # 2: stop the search (pixels pop in order)


@dataclass(frozen=True)
class FeatureMap:
    """The encoder's descriptors at the spread grid, unit length per pixel (float32: the
    float64 copy of all C channels cost ~0.1 s, most of an edit's time). Built once per photo
    and kept with its base run (colorizer/pipeline/edits.py), so an edit does not rebuild it;
    so are the last `KEPT` points' distances (the spread and the residual field both read
    a point's)."""

    unit: torch.Tensor  # (C, h, w) float32
    _near: OrderedDict = field(default_factory=OrderedDict, compare=False, repr=False)

    def distance(self, row: int, col: int) -> np.ndarray:
        """(h, w) cosine distance of each pixel's descriptor from the one at (row, col)."""
        def compute() -> np.ndarray:
            at = self.unit[:, row, col]
            return (1.0 - torch.einsum("chw,c->hw", self.unit, at)).double().numpy()

        return _kept(self._near, (row, col), compute, KEPT)


def feature_grid(descriptors: torch.Tensor, shape: tuple[int, int]) -> FeatureMap:
    """(1, C, h8, w8) descriptors -> unit length at the spread grid of `shape`."""
    up = F.interpolate(descriptors.float().cpu(), size=shape, mode="bilinear",
                       align_corners=False)
    return FeatureMap(F.normalize(up, dim=1)[0])


class SpreadMemo:
    """What spreading hints over one photo computes once and its edits reuse (kept with the
    photo's base run, colorizer/pipeline/edits.py): the encoder's descriptors at the spread
    grid, the photo's L* there and its step costs, and per point what depends on that point
    alone (its geodesic distance, its likeness for the residual field: the same point under
    the same settings always gives the same array), so an edit that adds a point computes
    only the new one's. At most `max_points` arrays of each kind are kept (~0.6 MB each at
    the 320-px grid)."""

    def __init__(self, descriptors: Callable[[], torch.Tensor], max_points: int = KEPT) -> None:
        self._descriptors = descriptors
        self._features: dict[tuple[int, int], FeatureMap] = {}
        self._kept: dict[str, OrderedDict[tuple, Any]] = {}
        self._max_points = max_points

    def features(self, shape: tuple[int, int]) -> FeatureMap:
        if shape not in self._features:
            self._features[shape] = feature_grid(self._descriptors(), shape)
        return self._features[shape]

    def keep(self, kind: str, key: tuple, compute: Callable[[], T]) -> T:
        """`compute()` for (kind, key), computed once while kept."""
        return _kept(self._kept.setdefault(kind, OrderedDict()), key, compute, self._max_points)


def remember(memo: SpreadMemo | None, kind: str, key: tuple, compute: Callable[[], T]) -> T:
    """`memo.keep(kind, key, compute)`, or `compute()` without a memo."""
    return compute() if memo is None else memo.keep(kind, key, compute)


def _kept(store: OrderedDict, key: tuple, compute: Callable[[], T], limit: int) -> T:
    """The value kept under `key`, else `compute()` kept there (the last `limit` kept). The
    service's threads may edit one photo at once: no step assumes a key is still there."""
    value = store.get(key)
    if value is None:
        value = store[key] = compute()
        while len(store) > limit:
            store.popitem(last=False)
    else:
        with suppress(KeyError):
            store.move_to_end(key)
    return value


def point_weights(distances: np.ndarray, config: SpreadConfig) -> np.ndarray:
    """(K, h, w) each point's weight: full within `reach`, fading over `fade`, split between
    points by geodesic nearness."""
    long_side = max(distances.shape[1:])
    reach, fade = config.reach * long_side, config.fade * long_side
    weight = np.clip((reach + fade - distances) / fade, 0.0, 1.0)
    if len(distances) > 1:
        nearest = distances.min(axis=0, keepdims=True)
        share = np.exp(-(distances - nearest) / (config.voronoi * long_side))
        weight = weight * share / share.sum(axis=0, keepdims=True)
    return weight


def area_weight(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(h, w) a full-resolution bool area at the working grid (share of each cell covered)."""
    tensor = torch.from_numpy(mask.astype(np.float32))[None, None]
    return F.interpolate(tensor, size=shape, mode="area")[0, 0].double().numpy()


def composite(layers: list[np.ndarray]) -> np.ndarray:
    """(K, h, w) effective weights of layers (K, h, w) composited "over", first at the
    bottom: layer k decides w_k x prod over later j of (1 - w_j)."""
    effective = np.array(layers, dtype=np.float64)
    above = np.ones(effective.shape[1:])
    for k in range(len(layers) - 1, -1, -1):
        effective[k] = effective[k] * above
        above = above * (1.0 - np.asarray(layers[k]))
    return effective


def snap(layers: np.ndarray, guide: torch.Tensor, config: SpreadConfig) -> torch.Tensor:
    """(C, h, w) premultiplied layers, channel 0 the weight -> (C, H, W) at the size of
    `guide` (1, 1, H, W) L*, following its edges; where the weight falls below `FLOOR` every
    channel is exactly 0 (nothing changes there).

    Only the hints' bounding box (and twice the filter's radius around it, all that the
    filter reads) is filtered: one point on a flag costs its flag, not the photo."""
    height, width = guide.shape[-2:]
    up = F.interpolate(torch.from_numpy(layers).float()[None], size=(height, width),
                       mode="bilinear", align_corners=False)[0]
    radius = round(config.snap_radius * max(height, width))
    rows, cols = torch.nonzero(up[0] > 0, as_tuple=True)
    if radius >= 1 and len(rows):
        margin = 2 * radius + 1
        top, left = max(0, int(rows.min()) - margin), max(0, int(cols.min()) - margin)
        bottom = min(height, int(rows.max()) + margin + 1)
        right = min(width, int(cols.max()) + margin + 1)
        crop = guided_filter(guide[..., top:bottom, left:right].float() / 100.0,
                             up[None, :, top:bottom, left:right], radius, config.snap_eps)
        up = torch.zeros_like(up)
        up[:, top:bottom, left:right] = crop[0]
    return torch.where(up[:1] >= FLOOR, up, torch.zeros_like(up))
