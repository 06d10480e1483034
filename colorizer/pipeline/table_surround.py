"""A print photographed lying on a table: the table around it, kept as photographed.

A phone photo of grandma's print on the kitchen table is a color photo of a gray (or faded
sepia) print on a brown, grained table. Reduced to its luminance and colorized, the table
came out gray with red blotches: C* 36.8 as photographed, 0.2-3.5 colorized (four 12 MP
phone photos, measured 2026-12-07). The table is no part of the old photo:
its colors were photographed, not lost, and are kept, as a mount's are (mount.py). The
mount's test needs a flat surround; a table's grain, cloth or stone is not flat, but it is
colored where the print is not.

The surface is recognised at a small size (long side `_SIDE`) from the photo's own chroma:

    surface = pixels of the edge's color (C* at least `_SURFACE_SHARE` of the edge's median,
              hue within `_HUE_APART` of its mean), joined to the image's edge, around nearly
              all of it
    print   = the one large region the surface surrounds, filled, nearly convex, and far less
              colored than the surface (a gray print, a faded sepia one)

Every test must pass, else nothing changes. A gray photo has no chroma, so it never fires:
an ordinary photo's pixels do not move. A toned photo's tone reaches its edges but leaves
no large, convex, uncolored region inside; a color photo's edges are of several colors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.image_pixels import unit_pixels
from colorizer.pipeline.imageio import LoadedImage

_SIDE = 256  # the long side (px) the surface is read at
MIN_SURFACE_CHROMA = 15.0  # the edge's median C*: a colored table (wood C* ~37), not paper
_SURFACE_SHARE = 0.6  # a surface pixel's C* at least this share of the edge's median
_HUE_APART = 35.0  # degrees: a surface pixel's hue from the edge's mean hue, at most
MIN_EDGE_SHARE, MIN_SIDE_SHARE = 0.85, 0.6  # of the outermost pixels, of each side's
MIN_PRINT_SHARE, MAX_PRINT_SHARE = 0.15, 0.9  # of the image: the print lying on it
MIN_SOLIDITY = 0.9  # the print's area over its convex hull's (a tilted, scalloped print)
MIN_RECTANGULARITY = 0.93  # its area over its smallest enclosing rectangle's: a print, not a
#                           ball or a car on a backdrop (pi/4 for a disc)
MAX_PRINT_CHROMA_RATIO = 0.5  # the print's median C* over the surface's, at most
MAX_OTHER_SHARE = 0.03  # of the image: the largest other thing lying on the surface
_SHADOW_SHARE = 0.25  # a shadow's C* at least this share of the edge's median (hue alike)
_MIN_CORE_SHARE = 0.8  # of the print found: what is left of it once its shadow is taken
_MARGIN = 1  # px at _SIDE: the print is widened by this before the surface is taken


@dataclass(frozen=True)
class SurfaceEvidence:
    """What the surface test measured on one image."""

    edge_chroma: float  # the edge's median C*
    edge_share: float  # of the outermost pixels on the surface
    side_share: float  # the least of the four sides' shares
    print_share: float  # of the image inside the surface
    solidity: float  # the print's area over its convex hull's
    rectangularity: float  # the print's area over its smallest enclosing rectangle's
    chroma_ratio: float  # the print's median C* over the surface's
    other_share: float  # of the image: the largest other thing on the surface

    @property
    def found(self) -> bool:
        return (self.edge_chroma >= MIN_SURFACE_CHROMA and self.edge_share >= MIN_EDGE_SHARE
                and self.side_share >= MIN_SIDE_SHARE
                and MIN_PRINT_SHARE <= self.print_share <= MAX_PRINT_SHARE
                and self.solidity >= MIN_SOLIDITY
                and self.rectangularity >= MIN_RECTANGULARITY
                and self.chroma_ratio <= MAX_PRINT_CHROMA_RATIO
                and self.other_share <= MAX_OTHER_SHARE)


def table_inside(loaded: LoadedImage, size: tuple[int, int]) -> torch.Tensor | None:
    """(h, w) bool at `size` (h, w): True on the print, False on the table it lies on, when
    `loaded` is a color photo of a print on a colored surface; None otherwise."""
    if not loaded.is_color or loaded.pixels.ndim != 3:
        return None
    a, b = _sampled_chroma(loaded.pixels)
    measured = measure_surface(a, b)
    if measured is None or not measured[0].found:
        return None
    # Bilinear, then halved: the print's outline at `size` follows its tilt in steps of a
    # pixel, not of a small pixel (16 px on a 12 MP photo).
    return F.interpolate(torch.from_numpy(measured[1])[None, None].float(), size=size,
                         mode="bilinear", align_corners=False)[0, 0] > 0.5


def _sampled_chroma(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a*, b* (h, w) of every n-th pixel, about `_SIDE` on the long side: a statistic of the
    photo, read without a full-size copy (a box resize of a 12 MP photo took 0.4-0.7 s on
    a loaded 2-core machine, on every color input; this takes milliseconds)."""
    step = max(1, -(-max(pixels.shape[:2]) // _SIDE))  # ceil
    sample = unit_pixels(np.ascontiguousarray(pixels[::step, ::step]))  # (h, w, 3) [0, 1]
    lab = rgb_to_lab(torch.from_numpy(np.clip(sample, 0, 1)).permute(2, 0, 1)[None])
    return lab[0, 1].double().numpy(), lab[0, 2].double().numpy()


def measure_surface(a: np.ndarray, b: np.ndarray) -> tuple[SurfaceEvidence, np.ndarray] | None:
    """The evidence and the print (h, w bool, widened by its margin) of a*, b* (h, w);
    None where the edge is not colored at all."""
    from scipy.ndimage import binary_dilation, binary_fill_holes, label
    from skimage.morphology import convex_hull_image

    chroma = np.hypot(a, b)
    edge = np.ones_like(chroma, bool)
    edge[1:-1, 1:-1] = False
    edge_chroma = float(np.median(chroma[edge]))
    if edge_chroma < MIN_SURFACE_CHROMA:
        return None
    hue = np.arctan2(b, a)
    edge_hue = np.arctan2(b[edge].mean(), a[edge].mean())
    apart = np.degrees(np.abs((hue - edge_hue + np.pi) % (2 * np.pi) - np.pi))
    like_edge = (chroma >= _SURFACE_SHARE * edge_chroma) & (apart <= _HUE_APART)
    parts, _count = label(like_edge)
    touching = np.unique(parts[edge & like_edge])
    surface = np.isin(parts, touching[touching > 0])
    sides = (surface[0], surface[-1], surface[:, 0], surface[:, -1])
    edge_share = float(surface[edge].mean())
    rest, count = label(~surface)
    if count == 0:
        return None
    sizes = np.bincount(rest.ravel(), minlength=count + 1)[1:]
    order = np.argsort(sizes)[::-1]
    held = binary_fill_holes(rest == order[0] + 1)
    hull = convex_hull_image(held)
    surface_chroma = float(np.median(chroma[surface])) if surface.any() else 0.0
    evidence = SurfaceEvidence(
        edge_chroma=round(edge_chroma, 2), edge_share=round(edge_share, 3),
        side_share=round(min(float(s.mean()) for s in sides), 3),
        print_share=round(float(held.mean()), 3),
        solidity=round(float(held.sum() / max(1, hull.sum())), 3),
        rectangularity=round(_rectangularity(held), 3),
        chroma_ratio=round(float(np.median(chroma[held])) / max(surface_chroma, 1e-6), 3),
        other_share=round(float(sizes[order[1]] / chroma.size) if count > 1 else 0.0, 4))
    core = _print_core(held, surface, chroma >= _SHADOW_SHARE * edge_chroma, apart)
    # The print as it lies, not its hull: the table between a scalloped border's teeth is
    # table (the hull's band there was painted gray).
    return evidence, binary_dilation(core, iterations=_MARGIN)


def _print_core(held: np.ndarray, surface: np.ndarray, dull: np.ndarray,
                apart: np.ndarray) -> np.ndarray:
    """`held` less the table in the print's shadow: pixels of the table's hue, darker and
    duller (`dull`: C* at least `_SHADOW_SHARE` of the edge's), joined to the surface; the
    model painted that band blue-gray around the print. Where that takes more than a shadow
    (a borderless sepia print of the table's own hue), `held` as it is."""
    from scipy.ndimage import binary_propagation

    shaded = dull & (apart <= _HUE_APART)
    grown = binary_propagation(surface, mask=shaded | surface)
    core = held & ~grown
    return core if core.sum() >= _MIN_CORE_SHARE * held.sum() else held


def _rectangularity(region: np.ndarray) -> float:
    """`region`'s area over the smallest rectangle around it, turned in 1-degree steps (a
    print lies at any angle; 90 turns of at most ~60k points: milliseconds)."""
    ys, xs = np.nonzero(region)
    if xs.size == 0:
        return 0.0
    points = np.stack([xs, ys]).astype(np.float64)  # (2, N)
    angles = np.radians(np.arange(90))
    turns = np.stack([np.cos(angles), np.sin(angles)], 1)  # (90, 2)
    along, across = turns @ points, np.stack([-turns[:, 1], turns[:, 0]], 1) @ points
    areas = ((np.ptp(along, axis=1) + 1) * (np.ptp(across, axis=1) + 1))  # (90,)
    return float(xs.size / areas.min())
