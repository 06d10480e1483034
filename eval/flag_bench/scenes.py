"""Flag scenes as flag_bench builds them: a flag waved like cloth on a held-out photo, and a
copy with a sign in the flag's language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import binary_erosion, gaussian_filter, map_coordinates

from eval import metrics
from eval.flags.backgrounds import load_background
from eval.flags.designs import Flag

SHARE_RANGE = (0.12, 0.35)  # flag mask / image area
MASK_ERODE = 3  # pixels taken off the flag mask before scoring
REGION_ERODE = 2  # further pixels taken off each color region of the design


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@dataclass
class Scene:
    """A flag on a photo: the color truth, what the pipeline sees, and where to score."""

    id: str
    flag: Flag
    background: str
    truth: np.ndarray  # (H, W, 3) float sRGB, the color composite (no caption)
    caption_truth: np.ndarray  # (H, W, 3) the same with the sign drawn
    caption: str
    mask: np.ndarray  # (H, W) bool, eroded flag mask (where scores are taken)
    labels: np.ndarray  # (H, W) int palette label, -1 outside the eroded regions
    mask_share: float  # the uneroded flag mask's share of the image
    pole: bool

    def gray(self, captioned: bool = False) -> Image.Image:
        """The luminance as an 8-bit gray image (what a scanned black-and-white print is)."""
        g = metrics.gray_baseline(self.caption_truth if captioned else self.truth)[..., 0]
        return Image.fromarray((g * 255.0 + 0.5).astype(np.uint8), "L")


def cloth(rgba: np.ndarray, labels: np.ndarray, rng: np.random.Generator
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wave a flat flag like cloth on a pole at its left edge (the hoist).

    Sinusoidal vertical displacement grows away from the hoist; shading follows the slope of
    the folds, plus a faint weave and fibre noise. Returns RGB (H', W', 3), coverage (H', W')
    in [0, 1] and palette labels (H', W') (-1 off the cloth), with a margin for the waves.
    """
    h, w = labels.shape
    pad = int(0.1 * h)
    yy, xx = np.mgrid[0:h + 2 * pad, 0:w + pad // 2].astype(np.float64)
    u = xx / w  # 0 at the hoist
    phase = 2 * np.pi * rng.uniform(1.0, 2.0) * u + rng.uniform(0, 2 * np.pi)
    dy = rng.uniform(0.04, 0.08) * h * u * np.sin(phase)
    coords = np.stack([yy - pad - dy, xx * (1 - 0.04 * u * (1 + np.cos(phase)) / 2)])
    sample = [map_coordinates(rgba[..., ch], coords, order=1, mode="constant", cval=0.0)
              for ch in range(4)]
    alpha = np.clip(sample[3], 0, 1)
    color = np.stack(sample[:3], axis=-1) / np.maximum(alpha, 1e-6)[..., None]
    lab = map_coordinates(labels.astype(np.float64), coords, order=0, mode="constant", cval=-1)
    shade = (1.0 + 0.2 * np.cos(phase) * np.clip(u * 2, 0, 1)
             - 0.08 * (1 - np.sin(phase)) * u
             + 0.015 * np.sin(xx * 2.1) * np.sin(yy * 2.1)
             + gaussian_filter(rng.normal(0, 0.02, xx.shape), 0.8))
    return np.clip(color * shade[..., None], 0, 1), alpha, lab.astype(int)


def build_scene(flag: Flag, background: np.ndarray, caption: str, rng: np.random.Generator,
                scene_id: str = "scene", background_name: str = "") -> Scene:
    """Place `flag` on `background` (H, W, 3 float sRGB) and draw `caption` on a copy."""
    bh, bw = background.shape[:2]
    area = bh * bw
    # The largest flag that fits with its wave margin and pole, then a share within range.
    fit_w = min(bw * 0.9, bh * 0.85 / (flag.aspect * 1.2))
    top_share = min(0.30, fit_w * fit_w * flag.aspect / area)
    if top_share < SHARE_RANGE[0] + 0.01:
        raise ValueError(f"a {bw}x{bh} photo is too narrow for {flag.spec.file}")
    for _ in range(10):
        share = rng.uniform(SHARE_RANGE[0] + 0.01, top_share)
        width = round(float(np.sqrt(share * area / flag.aspect)))
        rgba, flat_labels = flag.flat(width)
        color, alpha, labels = cloth(rgba, flat_labels, rng)
        if SHARE_RANGE[0] <= (alpha > 0.5).sum() / area <= SHARE_RANGE[1]:
            break
    else:
        raise RuntimeError(f"could not size {flag.spec.file} within {SHARE_RANGE} of the image")
    ch, cw = alpha.shape
    pole = bool(rng.random() < 0.7)
    pole_w = max(3, width // 40) if pole else 0
    y0 = int(rng.integers(0, bh - ch + 1))
    x0 = int(rng.integers(pole_w, bw - cw + 1))
    truth = background.copy()
    if pole:  # a wooden pole from above the flag to the bottom of the photo
        shade = 0.75 + 0.25 * np.sin(np.linspace(0.3, np.pi - 0.3, pole_w))
        wood = np.array([0.42, 0.33, 0.24])[None, None, :] * shade[None, :, None]
        truth[max(0, y0 - 6):, x0 - pole_w:x0] = wood
    region = (slice(y0, y0 + ch), slice(x0, x0 + cw))
    truth[region] = truth[region] * (1 - alpha[..., None]) + color * alpha[..., None]
    truth = np.round(truth * 255.0) / 255.0  # 8-bit, as the captioned copy and saved images
    full = np.zeros((bh, bw), bool)
    full[region] = alpha > 0.5
    mask = binary_erosion(full, iterations=MASK_ERODE)
    label_map = np.full((bh, bw), -1)
    label_map[region] = labels
    eroded = np.full((bh, bw), -1)
    for k in range(len(flag.palette)):
        eroded[binary_erosion((label_map == k) & mask, iterations=REGION_ERODE)] = k
    keep_out = (slice(max(0, y0 - 6), y0 + ch), slice(max(0, x0 - pole_w), x0 + cw))
    return Scene(scene_id, flag, background_name, truth, draw_sign(truth, caption, keep_out, rng),
                 caption, mask, eroded, float(full.sum() / area), pole)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.truetype(FONT, size) if Path(FONT).exists() else ImageFont.load_default(size)


def draw_sign(image: np.ndarray, text: str, keep_out: tuple[slice, slice],
              rng: np.random.Generator) -> np.ndarray:
    """A copy of `image` with a plaque bearing `text` (large bold letters) off the flag."""
    h, w = image.shape[:2]
    pil = Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    dark = rng.random() < 0.5
    ink, plate = ((235, 232, 220), (38, 38, 42)) if dark else ((25, 25, 28), (236, 230, 212))
    size = int(h * rng.uniform(0.07, 0.09))
    ys, xs = keep_out
    while size >= 12:
        left, top, right, bottom = draw.textbbox((0, 0), text, font=_font(size))
        pw, ph = right - left + size, bottom - top + 0.6 * size  # plaque size
        for _ in range(200 if pw < w - 4 and ph < h - 4 else 0):
            px, py = rng.uniform(2, w - pw - 2), rng.uniform(2, h - ph - 2)
            if px + pw < xs.start or px > xs.stop or py + ph < ys.start or py > ys.stop:
                draw.rectangle([px, py, px + pw, py + ph], fill=plate)
                draw.text((px + pw / 2, py + ph / 2), text, fill=ink, font=_font(size),
                          anchor="mm")
                return np.asarray(pil, dtype=np.float64) / 255.0
        size = int(size * 0.85)
    raise RuntimeError(f"no room for the sign {text!r} beside the flag in a {w}x{h} image")


def build_scenes(flags: list[Flag], photos: list[Path], per_flag: dict[str, int],
                 seed: int) -> list[Scene]:
    """`per_flag[file]` scenes of each flag, each on its own photo while photos last."""
    rng = np.random.default_rng(seed)
    order = list(rng.permutation(len(photos)))
    scenes, used = [], 0
    for flag in flags:
        for i in range(per_flag[flag.spec.file]):
            path = photos[order[used % len(order)]]
            used += 1
            stem = flag.spec.file.removeprefix("freeciv21_").removesuffix(".svg")
            scenes.append(build_scene(flag, load_background(path),
                                      flag.spec.captions[i % len(flag.spec.captions)], rng,
                                      f"{stem}-{i:02d}", path.name))
    return scenes
