"""Hanging a cloth in a scene: perspective, folds lit by Lambert, poles, composition."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw
from scipy.ndimage import gaussian_filter, map_coordinates

from colorizer.model.colorspace import linear_to_srgb, srgb_to_linear
from eval.flag_scenes.definitions import AMBIENT, BACKGROUND, POLE, VALLEY_SHADOW
from eval.flag_scenes.drawings import Texture


@dataclass(frozen=True)
class Placement:
    """Where a cloth hangs and how: the layout box's corners in the scene and its folds."""

    quad: tuple[tuple[float, float], ...]  # scene (x, y) of the layout's TL, TR, BR, BL
    folds: tuple[tuple[float, float, float, float], ...] = ()  # (max slope, cycles, phase, tilt)
    sag: float = 0.0  # share of the layout height the middle hangs below the ends
    light: tuple[float, float] = (0.0, 0.0)  # light direction's x, y (its z is 1)
    brightness: float = 1.0
    elevation: float = 0.0  # how far crests rise in the view (camera above or below the cloth)


@dataclass(frozen=True)
class Layer:
    """One cloth of a scene, with its pole: "hoist", "stick", "crossbar" or "none"."""

    texture: Texture
    placement: Placement
    pole: str = "none"
    pole_label: int = POLE


def homography(quad: Sequence[tuple[float, float]]) -> np.ndarray:
    """(3, 3) map of the unit square's corners (TL, TR, BR, BL) onto `quad`."""
    rows, rhs = [], []
    for (u, v), (x, y) in zip(((0, 0), (1, 0), (1, 1), (0, 1)), quad):
        rows += [[u, v, 1, 0, 0, 0, -u * x, -v * x], [0, 0, 0, u, v, 1, -u * y, -v * y]]
        rhs += [x, y]
    return np.append(np.linalg.solve(np.array(rows, float), np.array(rhs, float)), 1).reshape(3, 3)


def fold_field(folds: Sequence[tuple[float, float, float, float]], xs: np.ndarray,
               ys: np.ndarray) -> tuple[np.ndarray, ...]:
    """(u, dz/dx, dz/dy, z, valley) at layout points (xs, ys): the cloth coordinate, the
    surface slopes, its height (in layout widths) and how deep in a valley the point lies (0
    on the highest crest, 1 in the deepest valley).

    The surface height is a sum of tilted sines; a steep fold shows less cloth per pixel, so u
    is the arc length along x (normalized per row): a horizontal displacement, unlike the
    training renders' vertical wave.
    """
    def surface(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
        z, sx, sy = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
        for slope, cycles, phase, tilt in folds:
            angle = 2 * np.pi * cycles * (x + tilt * y) + phase
            c = slope * np.cos(angle)
            z, sx, sy = z + slope / (2 * np.pi * cycles) * np.sin(angle), sx + c, sy + tilt * c
        return z, sx, sy

    if not folds:
        zero = np.zeros_like(xs)
        return xs, zero, zero, zero, zero
    gy, gx = np.mgrid[-0.2:1.2:57j, 0:1:513j]
    arc = np.sqrt(1 + surface(gx, gy)[1] ** 2)
    arc = np.concatenate([np.zeros((57, 1)), np.cumsum((arc[:, 1:] + arc[:, :-1]) / 2, 1)], 1)
    table = arc / arc[:, -1:]
    u = map_coordinates(table, [(ys + 0.2) / 1.4 * 56, xs * 512], order=1, mode="nearest")
    u = np.where((xs >= 0) & (xs <= 1), u, xs)
    z, sx, sy = surface(xs, ys)
    top = sum(slope / (2 * np.pi * cycles) for slope, cycles, _, _ in folds)
    return u, sx, sy, z, (top - z) / (2 * top)


def _window(quad: Sequence[tuple[float, float]], shape: tuple[int, int]
            ) -> tuple[slice, slice]:
    """The quad's bounding box with a margin for folds that lift the cloth past it."""
    pts = np.asarray(quad)
    low, high = pts.min(0), pts.max(0)
    pad = 0.25 * (high - low).max() + 2
    x0, y0 = (max(0, int(v - pad)) for v in low)
    x1, y1 = min(shape[1], int(high[0] + pad) + 1), min(shape[0], int(high[1] + pad) + 1)
    return slice(y0, max(y0 + 1, y1)), slice(x0, max(x0 + 1, x1))


def warp(texture: Texture, placement: Placement, shape: tuple[int, int]
         ) -> tuple[tuple[slice, slice], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cloth in a window of the scene: the window, RGB (h, w, 3) before light, coverage
    (h, w), labels (h, w) and the light factor (h, w) of its folds."""
    window = _window(placement.quad, shape)
    yy, xx = np.mgrid[window] + 0.5
    p = np.linalg.inv(homography(placement.quad)) @ np.stack([xx.ravel(), yy.ravel(),
                                                               np.ones(xx.size)])
    ahead = p[2] > 1e-9
    xs = np.where(ahead, p[0] / np.where(ahead, p[2], 1), -1.0).reshape(xx.shape)
    ys = np.where(ahead, p[1] / np.where(ahead, p[2], 1), -1.0).reshape(xx.shape)
    u, sx, sy, z, valley = fold_field(placement.folds, xs, ys)
    # Seen from a little above or below, the crests rise and fall: the edges turn wavy.
    v = (ys - placement.sag * 4 * xs * (1 - xs) - placement.elevation * z / texture.aspect
         ) / (1 - placement.sag)
    th, tw = texture.parts.shape
    coords = [v * th - 0.5, u * tw - 0.5]
    alpha = map_coordinates(texture.rgba[..., 3], coords, order=1, mode="constant", cval=0.0)
    alpha = np.clip(alpha, 0, 1) * ((u >= 0) & (u <= 1) & (v >= 0) & (v <= 1))
    premult = [map_coordinates(texture.rgba[..., c] * texture.rgba[..., 3], coords, order=1,
                               mode="constant", cval=0.0) for c in range(3)]
    rgb = np.clip(np.stack(premult, -1) / np.maximum(alpha, 1e-6)[..., None], 0, 1)
    parts = map_coordinates(texture.parts, coords, order=0, mode="constant", cval=BACKGROUND)
    lx, ly = placement.light
    facing = (-sx * lx - sy * ly + 1) / np.sqrt((1 + sx ** 2 + sy ** 2) * (1 + lx ** 2 + ly ** 2))
    shade = AMBIENT + (1 - AMBIENT) * np.clip(facing, 0, None) * math.sqrt(1 + lx ** 2 + ly ** 2)
    shade *= 1 - VALLEY_SHADOW * valley
    return window, rgb, alpha, parts, shade * placement.brightness


def _lit(rgb: np.ndarray, shade: np.ndarray) -> np.ndarray:
    """sRGB (H, W, 3) times a light factor (H, W), in linear light as light really adds up."""
    linear = srgb_to_linear(torch.from_numpy(rgb)).numpy() * shade[..., None]
    return linear_to_srgb(torch.from_numpy(np.clip(linear, 0, 1))).numpy()


def _pole_mask(layer: Layer, shape: tuple[int, int]) -> np.ndarray:
    """(H, W) coverage of the layer's pole: a line from the layout's corners."""
    (x0, y0), (x1, y1), _, (x3, y3) = layer.placement.quad
    edge = math.hypot(x3 - x0, y3 - y0)
    width = max(2, round(edge / 22))
    dx, dy = (x3 - x0) / max(edge, 1e-6), (y3 - y0) / max(edge, 1e-6)
    if layer.pole == "hoist":
        ends = [(x0 - 0.08 * edge * dx, y0 - 0.08 * edge * dy), (x0 + 3 * edge * dx,
                                                                 y0 + 3 * edge * dy)]
    elif layer.pole == "stick":
        width = max(2, round(edge / 30))
        ends = [(x0, y0 - 0.05 * edge), (x3 + 1.2 * edge * dx, y3 + 1.2 * edge * dy)]
    elif layer.pole == "crossbar":
        top = math.hypot(x1 - x0, y1 - y0)
        ex, ey = (x1 - x0) / max(top, 1e-6), (y1 - y0) / max(top, 1e-6)
        ends = [(x0 - 0.06 * top * ex, y0 - 0.06 * top * ey),
                (x1 + 0.06 * top * ex, y1 + 0.06 * top * ey)]
    else:
        return np.zeros(shape)
    mask = Image.new("L", (shape[1] * 2, shape[0] * 2), 0)
    ImageDraw.Draw(mask).line([(2 * x, 2 * y) for x, y in ends], fill=255, width=2 * width)
    return np.asarray(mask.resize((shape[1], shape[0]), Image.BILINEAR)) / 255.0


def compose(background: np.ndarray, layers: Sequence[Layer], rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray]:
    """Hang `layers` (back to front) in front of the photo: truth (8-bit values) and labels."""
    truth, labels = background.copy(), np.zeros(background.shape[:2], int)
    shape = labels.shape
    for layer in layers:
        pole = _pole_mask(layer, shape)
        wood = np.array([(0.42, 0.31, 0.22), (0.55, 0.55, 0.52), (0.22, 0.2, 0.18)][
            rng.integers(3)])
        truth = truth * (1 - pole[..., None]) + wood * pole[..., None]
        labels[pole > 0.5] = layer.pole_label
        window, rgb, alpha, parts, shade = warp(layer.texture, layer.placement, shape)
        mottle = np.exp(gaussian_filter(rng.normal(0, 1, alpha.shape), 4) * 0.5)  # uneven dye
        rgb = _lit(rgb, shade * mottle)
        truth[window] = truth[window] * (1 - alpha[..., None]) + rgb * alpha[..., None]
        labels[window] = np.where(alpha > 0.5, parts, labels[window])
    return np.round(np.clip(truth, 0, 1) * 255) / 255, labels
