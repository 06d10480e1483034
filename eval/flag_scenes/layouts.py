"""Where the cloths of each scene kind hang: one at an angle, folded, banners, crowds, beside
others, hidden."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from eval.flag_scenes.definitions import BACKGROUND, DETAIL, OTHER, PALETTE0, POLE, RED
from eval.flag_scenes.drawings import Texture
from eval.flag_scenes.hanging import Layer, Placement


def _box(rng: np.random.Generator, shape: tuple[int, int], aspect: float, share: float,
         area: tuple[float, float, float, float] = (0, 0, 1, 1)) -> tuple[float, ...]:
    """(x0, y0, width, height) of a box covering `share` of the photo, inside `area` (fractions
    of the photo: x0, y0, x1, y1)."""
    h, w = shape
    bw = math.sqrt(share * h * w / aspect)
    fit = min(1.0, 0.92 * w * (area[2] - area[0]) / bw, 0.9 * h * (area[3] - area[1]) /
              (bw * aspect))
    bw *= fit
    bh = bw * aspect
    x0 = rng.uniform(area[0] * w, max(area[0] * w, area[2] * w - bw))
    y0 = rng.uniform(area[1] * h, max(area[1] * h, area[3] * h - bh))
    return x0, y0, bw, bh


def _quad(rng: np.random.Generator, box: tuple[float, ...], shape: tuple[int, int],
          perspective: float, rotate: float) -> tuple[tuple[float, float], ...]:
    """The box seen at an angle: one vertical edge foreshortened by `perspective` (its share),
    the whole turned by up to `rotate` degrees, then moved back inside the photo."""
    x0, y0, bw, bh = box
    k = perspective * rng.uniform(0.6, 1.0)
    far = int(rng.integers(2))
    lean = rng.uniform(-0.15, 0.15) * bh * k
    pts = np.array([(x0, y0), (x0 + bw, y0), (x0 + bw, y0 + bh), (x0, y0 + bh)], float)
    side = [1, 2] if far else [0, 3]
    pts[side, 1] = y0 + bh / 2 + (pts[side, 1] - y0 - bh / 2) * (1 - k) + lean
    pts[side, 0] += (-1 if far else 1) * bw * 0.35 * k  # and the box looks narrower
    angle = math.radians(rng.uniform(-rotate, rotate))
    center = pts.mean(0)
    turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    pts = (pts - center) @ turn.T + center
    h, w = shape
    low, high = pts.min(0), pts.max(0)
    scale = min(1.0, 0.96 * w / (high[0] - low[0]), 0.96 * h / (high[1] - low[1]))
    pts = (pts - center) * scale + center
    low, high = pts.min(0), pts.max(0)
    pts += np.clip(-low + 2, 0, None) - np.clip(high - (w - 2, h - 2), 0, None)
    return tuple((float(x), float(y)) for x, y in pts)


def _folds(rng: np.random.Generator, count: int, strength: float, tilt: float = 0.35
           ) -> tuple[tuple[float, float, float, float], ...]:
    """`count` fold components, long to short (about 1-2, 2-4 and 4.5-8 cycles per width)."""
    bands = ((0.8, 1.8), (2.0, 4.0), (4.5, 8.0))
    return tuple((strength * rng.uniform(0.4, 1.0) / math.sqrt(k + 1), rng.uniform(*bands[k]),
                  rng.uniform(0, 2 * math.pi), rng.uniform(-tilt, tilt)) for k in range(count))


def _look(rng: np.random.Generator) -> dict[str, Any]:
    """Light from the side (folds show), overall brightness, and the camera's elevation."""
    side = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.4, 1.2))
    return {"light": (side, float(rng.uniform(-0.5, 0.5))),
            "brightness": float(rng.uniform(0.75, 1.1)),
            "elevation": float(rng.uniform(-0.6, 0.6))}


Make = Callable[[np.random.Generator], Texture]


def _single(rng: np.random.Generator, shape: tuple[int, int], make: Make, style: str
            ) -> list[Layer]:
    """One flag, 8-25% of the photo: seen at an angle ("angle") or deeply folded ("fold")."""
    texture = make(rng)
    angle = style == "angle"
    box = _box(rng, shape, texture.aspect, rng.uniform(0.08, 0.22) if angle else
               rng.uniform(0.1, 0.25))
    quad = _quad(rng, box, shape, rng.uniform(0.3, 0.55) if angle else rng.uniform(0, 0.15),
                 22 if angle else 8)
    folds = _folds(rng, 1, rng.uniform(0.2, 0.5)) if angle else _folds(
        rng, 3, rng.uniform(0.8, 1.4))
    pole = "hoist" if rng.random() < 0.65 else "none"
    return [Layer(texture.resized(round(1.5 * box[2])),
                  Placement(quad, folds, **_look(rng)), pole)]


def _hanging(rng: np.random.Generator, shape: tuple[int, int], make: Make) -> list[Layer]:
    """One to three vertical banners hung from crossbars along a facade."""
    count = int(rng.integers(1, 4))
    top = rng.uniform(0.04, 0.25)
    layers = []
    for i in range(count):
        texture = make(rng)
        area = (i / count, top, (i + 1) / count, 1.0)
        box = _box(rng, shape, texture.aspect, rng.uniform(0.04, 0.1), area)
        box = (box[0], top * shape[0] + rng.uniform(0, 0.03) * shape[0], *box[2:])
        quad = _quad(rng, box, shape, rng.uniform(0, 0.2), 3)
        folds = _folds(rng, int(rng.integers(2, 4)), rng.uniform(0.5, 1.0), tilt=0.15)
        layers.append(Layer(texture.resized(round(1.5 * box[2])),
                            Placement(quad, folds, **_look(rng)), "crossbar"))
    return layers


def _crowd(rng: np.random.Generator, shape: tuple[int, int], make: Make,
           ribbons: Make | None = None) -> list[Layer]:
    """Four to seven small flags (1-3% of the photo each) on sticks, and maybe ribbons."""
    count = int(rng.integers(4, 8))
    layers = []
    for i in range(count):
        is_ribbon = ribbons is not None and rng.random() < 0.2
        texture = ribbons(rng) if ribbons is not None and is_ribbon else make(rng)
        slot = (max(0.0, (i - 0.3) / count), 0.15, min(1.0, (i + 1.3) / count), 0.85)
        box = _box(rng, shape, texture.aspect, rng.uniform(0.01, 0.03), slot)
        quad = _quad(rng, box, shape, rng.uniform(0, 0.3), 60 if is_ribbon else 12)
        folds = _folds(rng, 2, rng.uniform(0.3, 0.9))
        layers.append(Layer(texture.resized(round(1.5 * box[2])),
                            Placement(quad, folds, **_look(rng)),
                            "none" if is_ribbon else "stick"))
    return layers


def _slogan(rng: np.random.Generator, shape: tuple[int, int], make: Make) -> list[Layer]:
    """A long slogan banner across the photo, sagging between its ends, with wrinkles."""
    texture = make(rng)
    h, w = shape
    sag = rng.uniform(0.05, 0.15)
    bw = rng.uniform(0.55, 0.9) * w
    bh = bw * texture.aspect / (1 - sag)
    box = (rng.uniform(0.02, 0.98 - bw / w) * w, rng.uniform(0.05, 0.9 - bh / h) * h, bw, bh)
    quad = _quad(rng, box, shape, rng.uniform(0, 0.3), 6)
    return [Layer(texture.resized(round(1.5 * bw)),
                  Placement(quad, _folds(rng, 2, rng.uniform(0.2, 0.6), tilt=0.5), sag,
                            **_look(rng)))]


def _beside(rng: np.random.Generator, shape: tuple[int, int], make: Make,
            distractors: Sequence[Make]) -> list[Layer]:
    """The flag between one or two flags of other colors, side by side on poles."""
    makers = [(make, POLE)] + [(distractors[i], OTHER) for i in
                               rng.choice(len(distractors), int(rng.integers(1, 3)), False)]
    order = rng.permutation(len(makers))
    layers = []
    for slot, index in enumerate(order):
        maker, label = makers[index]
        texture = maker(rng)
        area = (slot / len(makers), 0.05, (slot + 1) / len(makers), 0.95)
        box = _box(rng, shape, texture.aspect, rng.uniform(0.06, 0.14), area)
        quad = _quad(rng, box, shape, rng.uniform(0, 0.25), 8)
        layers.append(Layer(texture.resized(round(1.5 * box[2])),
                            Placement(quad, _folds(rng, 3, rng.uniform(0.5, 1.1)),
                                      **_look(rng)),
                            "hoist", label))
    return layers


def occlude(rng: np.random.Generator, truth: np.ndarray, labels: np.ndarray,
            background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Paste a rectangle of the photo itself (taken elsewhere) over 25-50% of the flag's box:
    a strip (a pole, a person), the bottom (heads of a crowd) or a corner."""
    ys, xs = np.nonzero(np.isin(labels, (RED, DETAIL)) | (labels >= PALETTE0))
    by0, by1, bx0, bx1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    bh, bw = by1 - by0, bx1 - bx0
    h, w = labels.shape
    share = rng.uniform(0.25, 0.5)
    mode = ("strip", "bottom", "corner")[rng.integers(3)]
    if mode == "strip":
        x = rng.uniform(bx0, bx1 - share * bw)
        box = (x, by0 - 0.1 * bh, x + share * bw, by1 + 0.3 * bh)
    elif mode == "bottom":
        box = (bx0 - 0.2 * bw, by1 - share * bh, bx1 + 0.2 * bw, h)
    else:
        side = math.sqrt(share)
        left, upper = rng.random() < 0.5, rng.random() < 0.5
        box = (bx0 - 0.1 * bw if left else bx1 - side * bw, by0 - 0.1 * bh if upper
               else by1 - side * bh, bx0 + side * bw if left else bx1 + 0.1 * bw,
               by0 + side * bh if upper else by1 + 0.1 * bh)
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(box[2]) + 1), min(h, int(box[3]) + 1)
    sy, sx = int(rng.integers(0, h - (y1 - y0) + 1)), int(rng.integers(0, w - (x1 - x0) + 1))
    truth, labels = truth.copy(), labels.copy()
    truth[y0:y1, x0:x1] = background[sy:sy + y1 - y0, sx:sx + x1 - x0]
    labels[y0:y1, x0:x1] = BACKGROUND
    return truth, labels
