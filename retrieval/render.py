"""Procedural exemplar images: flags drawn from a small design language, then waved and
shaded like cloth; uniform cloth as fabric swatches.

A flag `design` (see configs/retrieval/README.md) has a `ratio` [h, w], a `field` color or
`stripes`, and `elements` drawn in order. Coordinates are fractions: x of the width, y and
all radii/sizes of the height. Every color is a name from the entry's `colors`, so a drawing
can only use documented colors (plus the neutral "gray" backdrop for insignia).

Rendering is deterministic: the cloth wave and texture are seeded by the exemplar id.
"""

from __future__ import annotations

import zlib

import numpy as np
from PIL import Image, ImageFilter
from scipy.ndimage import gaussian_filter, map_coordinates

from retrieval.flag_elements import ELEMENTS, FlagCanvas
from retrieval.types import NamedColor

FLAG_WIDTH = 320  # output flag width before the waving margin, pixels
SUPERSAMPLE = 2  # drawn at this factor, then downsampled (anti-aliasing)
SWATCH_SIZE = 256
WAVE_MARGIN = 0.12  # gray ground around a waved flag, as a share of its height


def _seed(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def draw_flag(design: dict, colors: tuple[NamedColor, ...], width: int = FLAG_WIDTH
              ) -> Image.Image:
    """The flat flag (no cloth effects), RGB, `width` pixels wide."""
    palette = {col.name: col.rgb for col in colors}
    rh, rw = design.get("ratio", (2, 3))
    big_w = width * SUPERSAMPLE
    big_h = round(big_w * rh / rw)
    c = FlagCanvas(big_w, big_h, palette)
    if "stripes" in design:
        st = design["stripes"]
        weights = np.asarray(st.get("weights") or [1] * len(st["colors"]), dtype=float)
        edges = np.concatenate([[0], np.cumsum(weights) / weights.sum()])
        for name, a, b in zip(st["colors"], edges[:-1], edges[1:]):
            box = (0, a, 1, b) if st["dir"] == "h" else (a, 0, b, 1)
            c.rect(box, name)
    else:
        c.rect((0, 0, 1, 1), design["field"])
    for element in design.get("elements", []):
        shape = element["shape"]
        if shape not in ELEMENTS:
            raise ValueError(f"unknown design shape {shape!r}; known: {sorted(ELEMENTS)}")
        ELEMENTS[shape](c, element)
    return c.image.resize((width, round(width * rh / rw)), Image.LANCZOS)


def wave(flag: Image.Image, key: str, margin: float = WAVE_MARGIN) -> Image.Image:
    """Wave a flat flag like cloth on a pole: sinusoidal displacement growing away from the
    hoist, shading from the slope of the folds, a faint weave, on a neutral gray ground."""
    return _waved(flag, key, margin)[0]


def _waved(flag: Image.Image, key: str, margin: float) -> tuple[Image.Image, np.ndarray]:
    """The waved flag (RGB) and where its cloth is (H, W) bool."""
    rng = np.random.default_rng(_seed(key))
    src = np.asarray(flag, dtype=np.float32) / 255.0  # (H, W, 3)
    h, w = src.shape[:2]
    pad = int(margin * h)
    oh, ow = h + 2 * pad, w + pad
    yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float32)
    u = xx / w  # 0 at the hoist
    freq = rng.uniform(1.2, 2.0)
    phase0 = rng.uniform(0, 2 * np.pi)
    amp = rng.uniform(0.05, 0.08) * h
    phase = 2 * np.pi * freq * u + phase0
    dy = amp * u * np.sin(phase)
    sy = yy - pad - dy
    sx = xx * (1 - 0.04 * u * (1 + np.cos(phase)) / 2)  # folds shorten the fly a little
    coords = np.stack([sy, sx])
    out = np.stack([map_coordinates(src[..., ch], coords, order=1, mode="constant", cval=-1)
                    for ch in range(3)], axis=-1)
    inside = out[..., 0] >= 0
    slope = np.cos(phase) * np.clip(u * 2, 0, 1)
    shade = 1.0 + 0.22 * slope - 0.08 * (1 - np.sin(phase)) * u
    weave = 0.015 * np.sin(xx * 2.1) * np.sin(yy * 2.1)
    noise = gaussian_filter(rng.normal(0, 0.02, (oh, ow)).astype(np.float32), 0.8)
    cloth = np.clip(out * (shade + weave + noise)[..., None], 0, 1)
    ground = np.full_like(cloth, 0.5) + gaussian_filter(rng.normal(0, 0.03, (oh, ow)), 6)[..., None]
    img = np.where(inside[..., None], cloth, ground)
    image = Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.4))
    return image, inside


def render_flag(design: dict, colors: tuple[NamedColor, ...], key: str) -> Image.Image:
    """The waved flag as RGBA: the alpha marks the cloth, so the colorizer's direct transfer
    can leave the gray ground out (its RGB stays, for whatever reads the image as RGB)."""
    image, inside = _waved(draw_flag(design, colors), key, WAVE_MARGIN)
    image.putalpha(Image.fromarray(inside.astype(np.uint8) * 255))
    return image


def render_swatch(swatch: dict, colors: tuple[NamedColor, ...], key: str,
                  size: int = SWATCH_SIZE) -> Image.Image:
    """Uniform cloth: the documented color with a twill weave, fibre noise and soft folds;
    a `lower` color (trousers) fills the lower part below a shadowed seam."""
    palette = {c.name: np.asarray(c.rgb, dtype=np.float32) / 255.0 for c in colors}
    for role in ("cloth", "lower"):
        if role in swatch and swatch[role] not in palette:
            raise ValueError(f"swatch {role} {swatch[role]!r} is not among the entry's colors "
                             f"{sorted(palette)}")
    rng = np.random.default_rng(_seed(key))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    base = np.broadcast_to(palette[swatch["cloth"]], (size, size, 3)).copy()
    if "lower" in swatch:
        seam = int(size * 0.55)
        base[seam:] = palette[swatch["lower"]]
    twill = 0.05 * np.sin((xx + yy) * np.pi / 2.0) + 0.02 * np.sin(xx * np.pi)
    fibre = gaussian_filter(rng.normal(0, 0.06, (size, size)), 0.7)
    fold_dir = rng.uniform(0, np.pi)
    t = (xx * np.cos(fold_dir) + yy * np.sin(fold_dir)) / size
    folds = 0.1 * np.sin(2 * np.pi * (t * rng.uniform(1.5, 2.5)) + rng.uniform(0, 6.28))
    folds += 0.05 * np.sin(2 * np.pi * t * 5.3 + 1.0)
    shade = 1.0 + twill + fibre + folds
    if "lower" in swatch:
        shade -= 0.35 * np.exp(-((yy - int(size * 0.55)) / 3.0) ** 2)
    img = np.clip(base * shade[..., None], 0, 1)
    return Image.fromarray((img * 255).astype(np.uint8))
