"""Train the flag/banner cloth finder (`colorizer/model/flag_finder.py`) on synthetic scenes.

    python -m colorizer.training.train_flag_finder --out colorizer/weights/default

1. Photos: the train split (`list_photos(..., "train", 0.05)`) of photos-train; a share of
   them, chosen by another byte of the file name's hash, is held out of finder training and
   builds this module's own validation scenes. Never the val or test split (those score the
   colorizer; the val split's photos only serve the leak check below, without flags).
2. Scenes, drawn here and only here (never eval/flag_scenes.py, which must stay unlike them):
   0-6 cloths on a photo cropped to 512 x 384 (the pipeline's render size), each 1-30% of
   the photo: the flags folder's designs (all of them, rasterised with resvg), plain cloths,
   cloths with a star, stripes or a border, text banners (Latin and Cyrillic words);
   a projective warp, folds (sines of random direction, shaded), the sag of a hung banner, a
   pole, occlusion by a patch of another photo. Half of the scenes have no cloth at all
   (the finder must stay silent on most photos), half of those drawn from photos with much
   red in them (red objects that are not flags).
   Film: panchromatic L*, orthochromatic or blue-sensitive (red dark), contrast, blur, grain.
3. The frozen generator's encoder maps of each scene (`ColorGenerator.encode`, the pipeline's
   step 3) are cached in memory; the target of each stride-8 cell is its share of visible
   cloth. The head is fitted by class-balanced BCE with Adam on the cached maps (cached in
   /tmp/chronochrome-flag-finder too, so a refit skips the drawing and encoding).
4. Reported: CPU time, cell precision/recall on the held-out scenes, and the thresholds'
   effect there and on val-split photos without flags (what the finder fires on there is
   what could leak color for a hint like "USSR 1950").
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import gaussian_filter, map_coordinates

from colorizer.model.flag_finder import CELL_STRIDE, FlagFinder, FlagFinderConfig
from colorizer.model.generator import ColorGenerator
from colorizer.training.data import list_photos

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
DEFAULT_WEIGHTS = REPO / "colorizer" / "weights" / "default"
VAL_FRACTION = 0.05  # the colorizer's split: the finder never sees val or test photos
HOLDOUT = 0.15  # share of train-split photos kept for the finder's own validation scenes
SCENE_W, SCENE_H = 512, 384  # the pipeline's render size (long side 512) in landscape
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans.ttf",
         "DejaVuSansCondensed-Bold.ttf")
WORDS = ("SALUTE", "PEACE", "UNITY", "LABOUR", "VICTORY", "GLORY", "WELCOME", "REPUBLIC",
         "FREEDOM", "1949", "1917", "MAY DAY", "НАРОД", "ТРУД", "ПОБЕДА", "ЗАВОД", "КОЛХОЗ",
         "РОДИНА", "ПАРТИЯ", "СОЮЗ", "ЗНАМЯ", "ЛЕНИН", "ПЯТИЛЕТКА", "1945", "1937")
PANCHROMATIC = (0.2126729, 0.7151522, 0.0721750)
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


# --- drawings ----------------------------------------------------------------------------


def rasterize_svg(path: Path, width: int) -> np.ndarray:
    """An SVG file -> (H, W, 4) float RGBA in [0, 1] (resvg, as the flag benchmarks do)."""
    import resvg_py

    png = resvg_py.svg_to_bytes(svg_path=str(path), width=int(width), dpi=96,
                                skip_system_fonts=True)
    rgba = Image.open(io.BytesIO(bytes(png))).convert("RGBA")
    return np.asarray(rgba, dtype=np.float32) / 255.0


def load_designs(folder: Path, width: int = 320) -> list[np.ndarray]:
    """Every SVG design of the flags folder that resvg can read, rasterised once (a few use
    editor namespaces resvg rejects; they are skipped, not patched)."""
    designs = []
    for path in sorted(folder.glob("*.svg")):
        try:
            designs.append(rasterize_svg(path, width))
        except ValueError:
            continue
    return designs


def _cloth_color(rng: np.random.Generator) -> tuple[int, int, int]:
    """Mostly reds (what the hints ask for), else any color: the finder must not care."""
    if rng.random() < 0.6:
        return (int(rng.integers(150, 235)), int(rng.integers(0, 50)), int(rng.integers(0, 55)))
    return tuple(int(v) for v in rng.integers(0, 256, 3))  # type: ignore[return-value]


def _font(rng: np.random.Generator, size: int) -> ImageFont.ImageFont:
    path = FONT_DIR / FONTS[int(rng.integers(len(FONTS)))]
    return ImageFont.truetype(str(path), max(6, size)) if path.exists() else \
        ImageFont.load_default()


def drawn_cloth(rng: np.random.Generator) -> np.ndarray:
    """A plain cloth, a cloth with a star or border or stripes, or a text banner: RGBA."""
    style = rng.choice(["plain", "star", "border", "stripes", "banner", "vertical"])
    if style == "banner":
        w, h = 480, int(480 / rng.uniform(2.5, 7.0))
    elif style == "vertical":
        h, w = 480, int(480 / rng.uniform(1.8, 4.0))
    else:
        w, h = 360, int(360 / rng.uniform(1.2, 2.2))
    ground = _cloth_color(rng)
    image = Image.new("RGB", (w, h), ground)
    draw = ImageDraw.Draw(image)
    accent = tuple(int(v) for v in rng.integers(0, 256, 3))
    if style == "star":
        cx, cy, r = rng.uniform(0.15, 0.5) * w, rng.uniform(0.25, 0.6) * h, h * rng.uniform(.1, .3)
        pts = [(cx + (r if k % 2 == 0 else r * 0.4) * np.sin(k * np.pi / 5),
                cy - (r if k % 2 == 0 else r * 0.4) * np.cos(k * np.pi / 5)) for k in range(10)]
        draw.polygon(pts, fill=accent)
    elif style == "border":
        b = int(h * rng.uniform(0.04, 0.12))
        draw.rectangle([0, 0, w - 1, h - 1], outline=accent, width=b)
    elif style == "stripes":
        n = int(rng.integers(2, 4))
        for k in range(n):
            if k % 2:
                draw.rectangle([0, k * h // n, w, (k + 1) * h // n], fill=accent)
    if style in ("banner", "vertical") or rng.random() < 0.25:
        text = " ".join(rng.choice(WORDS, int(rng.integers(1, 4))))
        if style == "vertical":
            text = text.replace(" ", "\n")
        ink = (240, 232, 210) if rng.random() < 0.6 else accent
        font = _font(rng, int(h * (0.5 if style == "banner" else 0.15)))
        box = draw.multiline_textbbox((0, 0), text, font=font)
        scale = min(0.9 * w / max(1, box[2] - box[0]), 0.8 * h / max(1, box[3] - box[1]), 1.0)
        if scale < 1.0:
            font = _font(rng, int(font.size * scale))
            box = draw.multiline_textbbox((0, 0), text, font=font)
        draw.multiline_text(((w - box[2] + box[0]) / 2 - box[0], (h - box[3] + box[1]) / 2
                             - box[1]), text, font=font, fill=ink, align="center")
    rgb = np.asarray(image, dtype=np.float32) / 255.0
    return np.concatenate([rgb, np.ones_like(rgb[..., :1])], axis=2)


# --- geometry ------------------------------------------------------------------------------


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 map of the 4 points `src` onto `dst` (both (4, 2))."""
    rows = []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    _, _, vt = np.linalg.svd(np.asarray(rows))
    return vt[-1].reshape(3, 3) / vt[-1, -1]


@dataclass(frozen=True)
class Placed:
    """A cloth drawn onto the scene: its colors, coverage and shading, full-scene sized."""

    rgb: np.ndarray  # (H, W, 3) linear RGB where alpha > 0
    alpha: np.ndarray  # (H, W) in [0, 1]
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the quad's bounds


def place_cloth(rng: np.random.Generator, texture: np.ndarray, share: float
                ) -> Placed | None:
    """Warp `texture` (h, w, 4 sRGB+alpha) onto the scene at `share` of its area: projective
    quad, folds along a random direction (displacement and Lambert-like shading), a sag."""
    th, tw = texture.shape[:2]
    aspect = tw / th
    area = share * SCENE_W * SCENE_H
    bw, bh = np.sqrt(area * aspect), np.sqrt(area / aspect)
    if bw > SCENE_W * 0.95 or bh > SCENE_H * 0.95:
        f = min(SCENE_W * 0.95 / bw, SCENE_H * 0.95 / bh)
        bw, bh = bw * f, bh * f
    x0 = rng.uniform(0, SCENE_W - bw)
    y0 = rng.uniform(0, SCENE_H - bh)
    quad = np.array([[x0, y0], [x0 + bw, y0], [x0 + bw, y0 + bh], [x0, y0 + bh]])
    quad += rng.normal(0, 0.12, (4, 2)) * np.array([bw, bh])  # perspective / angle
    if rng.random() < 0.3:  # a turned flag: rotate the quad
        angle = rng.uniform(-0.6, 0.6)
        c = quad.mean(0)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        quad = (quad - c) @ rot.T + c
    ix0, iy0 = max(0, int(quad[:, 0].min()) - 8), max(0, int(quad[:, 1].min()) - 8)
    ix1 = min(SCENE_W, int(quad[:, 0].max()) + 9)
    iy1 = min(SCENE_H, int(quad[:, 1].max()) + 9)
    if ix1 - ix0 < 4 or iy1 - iy0 < 4:
        return None
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    inverse = _homography(quad, unit)
    ys, xs = np.mgrid[iy0:iy1, ix0:ix1].astype(np.float64)
    p = inverse @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    u, v = (p[0] / p[2]).reshape(xs.shape), (p[1] / p[2]).reshape(xs.shape)
    shade = np.ones_like(u)
    folds = int(rng.integers(0, 5))
    direction = rng.uniform(-0.5, 0.5) + (np.pi / 2 if rng.random() < 0.15 else 0.0)
    depth = rng.uniform(0.2, 0.65)
    for _ in range(folds):
        freq = rng.uniform(1.0, 6.0)
        amp = rng.uniform(0.01, 0.06)
        phase = rng.uniform(0, 2 * np.pi)
        t = np.cos(direction) * u + np.sin(direction) * v
        arg = 2 * np.pi * freq * t + phase
        grow = np.clip(u, 0, 1) if rng.random() < 0.5 else 1.0  # waves grow from the hoist
        u = u + amp * np.sin(arg) * grow * np.cos(direction)
        v = v + amp * np.sin(arg) * grow * np.sin(direction) * 0.5
        shade = shade * (1 - depth / folds * (0.5 - 0.5 * np.cos(arg)) * 2 * grow)
    if rng.random() < 0.2:  # the sag of a banner hung by its ends
        v = v - rng.uniform(0.05, 0.2) * 4 * u * (1 - u)
    shade = np.clip(shade, 0.25, 1.1) * rng.uniform(0.75, 1.15)
    rows, cols = v * (th - 1), u * (tw - 1)
    chans = [map_coordinates(texture[..., c], [rows, cols], order=1, mode="constant", cval=0.0)
             for c in range(4)]
    srgb = np.stack(chans[:3], axis=-1).clip(0, 1)
    alpha = chans[3].clip(0, 1)
    lin = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    full_rgb = np.zeros((SCENE_H, SCENE_W, 3), np.float32)
    full_alpha = np.zeros((SCENE_H, SCENE_W), np.float32)
    full_rgb[iy0:iy1, ix0:ix1] = lin * shade[..., None]
    full_alpha[iy0:iy1, ix0:ix1] = alpha
    return Placed(full_rgb, full_alpha, (ix0, iy0, ix1, iy1))


def _pole(rng: np.random.Generator, linear: np.ndarray, placed: Placed) -> None:
    """A thin pole at the cloth's left or right edge (not cloth: its cells stay negative)."""
    x0, y0, x1, y1 = placed.box
    x = x0 + 6 if rng.random() < 0.5 else x1 - 7
    width = int(rng.integers(2, 5))
    top = max(0, y0 - int(rng.integers(0, 20)))
    bottom = min(SCENE_H, y1 + int(rng.integers(10, 140)))
    tone = rng.uniform(0.02, 0.6)
    linear[top:bottom, max(0, x - width // 2):x + width // 2 + 1] = tone


# --- scenes --------------------------------------------------------------------------------


def load_scene_photo(path: Path, rng: np.random.Generator) -> np.ndarray:
    """A photo covering 512 x 384, randomly cropped and flipped: (H, W, 3) linear RGB."""
    with Image.open(path) as img:
        img = img.convert("RGB")
        scale = max(SCENE_W / img.width, SCENE_H / img.height) * rng.uniform(1.0, 1.3)
        img = img.resize((max(SCENE_W, round(img.width * scale)),
                          max(SCENE_H, round(img.height * scale))), Image.BILINEAR)
        left = int(rng.integers(0, img.width - SCENE_W + 1))
        top = int(rng.integers(0, img.height - SCENE_H + 1))
        img = img.crop((left, top, left + SCENE_W, top + SCENE_H))
        if rng.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
    srgb = np.asarray(img, dtype=np.float32) / 255.0
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def red_share(path: Path) -> float:
    """Share of clearly red pixels of a photo (thumbnail): such photos make hard negatives."""
    with Image.open(path) as img:
        img.draft("RGB", (128, 128))
        rgb = np.asarray(img.convert("RGB").resize((64, 48)), dtype=np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return float(((r > 110) & (r > 1.6 * g) & (r > 1.6 * b)).mean())


def film_lightness(linear: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Linear RGB -> L* through a random film: panchromatic, orthochromatic or blue-sensitive,
    then contrast, blur and grain. Red cloth prints dark on the last two."""
    kind = rng.random()
    if kind < 0.55:
        weights = np.array(PANCHROMATIC)
    elif kind < 0.85:
        r = rng.uniform(0.0, 0.12)
        g = rng.uniform(0.3, 0.55)
        weights = np.array([r, g, 1 - r - g])
    else:
        g = rng.uniform(0.0, 0.2)
        weights = np.array([0.0, g, 1 - g])
    y = (linear @ weights.astype(np.float32)).clip(0, 1)
    f = np.where(y > 216 / 24389, np.cbrt(y), (24389 / 27 * y + 16) / 116)
    lightness = 116 * f - 16
    gamma = rng.uniform(0.8, 1.25)
    lightness = 100 * (lightness / 100).clip(0, 1) ** gamma
    lightness = lightness * rng.uniform(0.8, 1.1) + rng.uniform(-5, 8)
    if rng.random() < 0.3:
        lightness = gaussian_filter(lightness, rng.uniform(0.5, 1.5))
    lightness = lightness + rng.normal(0, rng.uniform(0.3, 3.0), lightness.shape)
    return lightness.clip(0, 100).astype(np.float32)


@dataclass(frozen=True)
class Scene:
    lightness: np.ndarray  # (H, W) L* of the scene
    cloth: np.ndarray  # (H, W) visible cloth coverage in [0, 1]


def make_scene(rng: np.random.Generator, photo: Path, others: list[Path],
               designs: list[np.ndarray], cloths: int) -> Scene:
    """`cloths` cloths (0: a negative) on `photo`, one film; occluders from `others`."""
    linear = load_scene_photo(photo, rng)
    cloth = np.zeros((SCENE_H, SCENE_W), np.float32)
    big = rng.random() < 0.5
    for _ in range(cloths):
        texture = (designs[int(rng.integers(len(designs)))] if rng.random() < 0.5
                   else drawn_cloth(rng))
        share = (rng.uniform(0.04, 0.3) if big and cloths == 1
                 else np.exp(rng.uniform(np.log(0.01), np.log(0.12))))
        placed = place_cloth(rng, texture, share)
        if placed is None:
            continue
        a = placed.alpha[..., None]
        linear = linear * (1 - a) + placed.rgb * a
        cloth = cloth * (1 - placed.alpha) + placed.alpha
        if rng.random() < 0.5:
            _pole(rng, linear, placed)
        if rng.random() < 0.3 and others:  # part of it hidden behind something
            x0, y0, x1, y1 = placed.box
            ow = int((x1 - x0) * rng.uniform(0.25, 0.6))
            oh = int((y1 - y0) * rng.uniform(0.3, 1.0))
            ox = int(rng.integers(x0, max(x0 + 1, x1 - ow)))
            oy = int(rng.integers(y0, max(y0 + 1, y1 - oh)))
            patch = load_scene_photo(others[int(rng.integers(len(others)))], rng)
            linear[oy:oy + oh, ox:ox + ow] = patch[oy:oy + oh, ox:ox + ow]
            cloth[oy:oy + oh, ox:ox + ow] = 0
    return Scene(film_lightness(linear, rng), cloth)


def cell_targets(cloth: np.ndarray) -> torch.Tensor:
    """(H, W) coverage -> (1, h8, w8) share of cloth per stride-8 cell."""
    t = torch.from_numpy(cloth)[None, None]
    return F.avg_pool2d(t, CELL_STRIDE)[0]


# --- data ---------------------------------------------------------------------------------


def finder_split(path: Path) -> str:
    """'fit' or 'holdout' for a train-split photo, from a hash byte the colorizer's split does
    not use (so the held-out scenes are on photos the finder never saw)."""
    digest = hashlib.sha1(path.name.encode()).digest()
    return "holdout" if digest[2] / 256.0 < HOLDOUT else "fit"


@dataclass
class Cached:
    maps: dict[int, torch.Tensor]  # stride -> (N, C, h, w) float16
    targets: torch.Tensor  # (N, 1, h8, w8) float32

    def batch(self, index: torch.Tensor) -> tuple[dict[int, torch.Tensor], torch.Tensor]:
        return {s: m[index].float() for s, m in self.maps.items()}, self.targets[index]


@torch.no_grad()
def encode_scenes(generator: ColorGenerator, scenes_l: list[np.ndarray], strides: tuple,
                  batch: int = 8) -> dict[int, torch.Tensor]:
    """The frozen encoder's maps of the scenes (the pipeline's `generator.encode`)."""
    out: dict[int, list[torch.Tensor]] = {s: [] for s in strides}
    for i in range(0, len(scenes_l), batch):
        x = torch.from_numpy(np.stack(scenes_l[i:i + batch]))[:, None]
        maps = generator.encode(x)
        for s in strides:
            out[s].append(maps[s].half())
    return {s: torch.cat(v) for s, v in out.items()}


def build_cached(generator: ColorGenerator, photos: list[Path], negatives_red: list[Path],
                 designs: list[np.ndarray], count: int, seed: int, strides: tuple,
                 negative_share: float = 0.5) -> Cached:
    """`count` scenes drawn and encoded in chunks (memory stays small)."""
    rng = np.random.default_rng(seed)
    maps: dict[int, list[torch.Tensor]] = {s: [] for s in strides}
    targets = []
    chunk: list[Scene] = []
    for i in range(count):
        negative = rng.random() < negative_share
        if negative and negatives_red and rng.random() < 0.5:
            photo = negatives_red[int(rng.integers(len(negatives_red)))]
        else:
            photo = photos[int(rng.integers(len(photos)))]
        cloths = 0 if negative else int(rng.choice([1, 1, 1, 2, 2, 3, 4, 6]))
        chunk.append(make_scene(rng, photo, photos, designs, cloths))
        if len(chunk) == 32 or i == count - 1:
            encoded = encode_scenes(generator, [s.lightness for s in chunk], strides)
            for s in strides:
                maps[s].append(encoded[s])
            targets += [cell_targets(s.cloth) for s in chunk]
            chunk = []
    return Cached({s: torch.cat(v) for s, v in maps.items()}, torch.stack(targets))


# --- fitting -------------------------------------------------------------------------------


def channel_statistics(cached: Cached) -> tuple[dict[int, torch.Tensor], dict[int, torch.Tensor]]:
    mean, std = {}, {}
    for s, m in cached.maps.items():
        x = m[: min(len(m), 400)].float().transpose(0, 1).flatten(1)
        mean[s], std[s] = x.mean(1), x.std(1)
    return mean, std


def fit(cached: Cached, config: FlagFinderConfig, epochs: int, seed: int,
        batch: int = 32, lr: float = 3e-3) -> FlagFinder:
    """Class-balanced BCE on soft cell targets: positives (cloth share) and negatives weigh
    the same in total, so the few cloth cells are not drowned by the background."""
    torch.manual_seed(seed)
    model = FlagFinder(config)
    model.set_statistics(*channel_statistics(cached))
    positive = float(cached.targets.mean())
    pos_weight = torch.tensor((1 - positive) / max(positive, 1e-4))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    n = len(cached.targets)
    steps = epochs * (-(-n // batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(n)
        total = 0.0
        for i in range(0, n, batch):
            maps, target = cached.batch(order[i:i + batch])
            logits = model.logits(maps)
            # Soft targets: a cell half cloth counts half positive, half negative.
            weight = target * pos_weight + (1 - target)
            loss = (F.binary_cross_entropy_with_logits(logits, target, reduction="none")
                    * weight).sum() / weight.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(target)
        print(f"  epoch {epoch + 1}/{epochs}: loss {total / n:.4f}", flush=True)
    return model.eval()


@torch.no_grad()
def predict(model: FlagFinder, cached: Cached) -> torch.Tensor:
    out = [model(cached.batch(torch.arange(i, min(i + 64, len(cached.targets))))[0])
           for i in range(0, len(cached.targets), 64)]
    return torch.cat(out)


def evidence(prob: torch.Tensor, top_cells: int) -> torch.Tensor:
    """(N, 1, h, w) -> (N,) the mean probability of the `top_cells` most cloth-like cells:
    the finder's evidence that a photo shows cloth at all (see correspondence.py)."""
    flat = prob.flatten(1)
    return flat.topk(min(top_cells, flat.shape[1]), dim=1).values.mean(1)


def cell_scores(prob: torch.Tensor, target: torch.Tensor, threshold: float
                ) -> dict[str, float]:
    """Precision/recall of cells (truth: at least half cloth) at a probability threshold."""
    truth = target >= 0.5
    said = prob >= threshold
    tp = float((truth & said).sum())
    return {"threshold": threshold, "precision": tp / max(1.0, float(said.sum())),
            "recall": tp / max(1.0, float(truth.sum()))}


def report(prob: torch.Tensor, target: torch.Tensor, neg_prob: torch.Tensor,
           top_cells: int) -> dict:
    """Held-out scene cells at several thresholds; scene-level found rate; false alarms on
    the flag-free val-split photos (the leak)."""
    has = target.flatten(1).amax(1) >= 0.5
    ev, neg_ev = evidence(prob, top_cells), evidence(neg_prob, top_cells)
    out = {"cells": [cell_scores(prob, target, t) for t in (0.3, 0.5, 0.7, 0.8, 0.9)],
           "gates": []}
    for gate in (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998):
        out["gates"].append({
            "evidence": gate,
            "found_with_cloth": float((ev[has] >= gate).float().mean()) if has.any() else None,
            "fired_no_cloth_scenes": float((ev[~has] >= gate).float().mean()),
            "fired_val_photos": float((neg_ev >= gate).float().mean()),
            "val_cells_above": float((neg_prob >= gate).float().mean()),
        })
    return out


def val_photo_maps(generator: ColorGenerator, folder: Path, count: int, strides: tuple,
                   seed: int) -> dict[int, torch.Tensor]:
    """Flag-free validation-split photos, each seen `count // photos` times through a random
    film (panchromatic or not, contrast, blur, grain) as an archive's scans would be."""
    rng = np.random.default_rng(seed)
    paths = list_photos(folder, "val", VAL_FRACTION)
    lights = [film_lightness(load_scene_photo(paths[i % len(paths)], rng), rng)
              for i in range(count)]
    return encode_scenes(generator, lights, strides)


@torch.no_grad()
def pipeline_view_check(generator: ColorGenerator, model: FlagFinder, folder: Path,
                        top_cells: int, cell: tuple[float, float],
                        pairs: tuple[tuple[float, float], ...]) -> list[dict]:
    """The flag-free val-split photos as the pipeline sees them (whole photo, L* of the file,
    rendered at 512 px): for each (no-transfer, full-transfer) evidence pair, the share of
    photos firing and the expected share of cells that would take a flag's color."""
    from colorizer.pipeline.colorization import lightness_at, lightness_of
    from colorizer.pipeline.imageio import load_image

    evidences, shares = [], []
    for path in list_photos(folder, "val", VAL_FRACTION):
        lightness = lightness_at(lightness_of(load_image(path)), SCENE_W)
        prob = model(generator.encode(lightness))
        evidences.append(float(evidence(prob, top_cells)[0]))
        shares.append(float(((prob - cell[0]) / (cell[1] - cell[0])).clamp(0, 1).mean()))
    ev, share = np.array(evidences), np.array(shares)
    return [{"min": lo, "full": hi, "photos": len(ev), "fired_min": float((ev >= lo).mean()),
             "fired_full": float((ev >= hi).mean()),
             "colored_cells": float((np.clip((ev - lo) / (hi - lo), 0, 1) * share).mean())}
            for lo, hi in pairs]


CACHE_DIR = Path("/tmp/chronochrome-flag-finder")
CACHE_VERSION = "2"  # bump when the scenes change


def cached_scenes(key: str, build) -> Cached:
    """`build()` once per key; later runs load the encoded scenes from /tmp."""
    path = CACHE_DIR / f"{CACHE_VERSION}-{key}.pt"
    if path.is_file():
        data = torch.load(path)
        return Cached(data["maps"], data["targets"])
    cached = build()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    torch.save({"maps": cached.maps, "targets": cached.targets}, path)
    return cached


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m colorizer.training.train_flag_finder",
                                description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS,
                   help="generator weights whose (frozen) encoder the finder reads")
    p.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    p.add_argument("--scenes", type=int, default=2000, help="training scenes")
    p.add_argument("--val-scenes", type=int, default=300, help="held-out scenes")
    p.add_argument("--val-photos", type=int, default=300,
                   help="flag-free val-split photo views (the ~100 photos, several films)")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--top-cells", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--evaluate", action="store_true",
                   help="only score the finder saved in --out on the held-out scenes and "
                        "val-split photos (threshold choice)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    start_wall, start_cpu = time.time(), time.process_time()
    config = FlagFinderConfig()
    generator = ColorGenerator.from_pretrained(args.weights).eval()
    for param in generator.parameters():
        param.requires_grad_(False)
    train_photos = list_photos(args.datasets / "photos-train", "train", VAL_FRACTION)
    fit_photos = [q for q in train_photos if finder_split(q) == "fit"]
    hold_photos = [q for q in train_photos if finder_split(q) == "holdout"]
    rng = np.random.default_rng(args.seed)
    probe = [fit_photos[i] for i in rng.permutation(len(fit_photos))[:800]]
    reds = [q for q in probe if red_share(q) > 0.03]
    designs = load_designs(args.datasets / "flags")
    print(f"{len(fit_photos)} fit / {len(hold_photos)} held-out photos, {len(reds)} red "
          f"negatives, {len(designs)} designs", flush=True)
    train = None if args.evaluate else cached_scenes(
        f"train-{args.scenes}-{args.seed}", lambda: build_cached(
            generator, fit_photos, reds, designs, args.scenes, args.seed, config.strides))
    held = cached_scenes(f"held-{args.val_scenes}-{args.seed}", lambda: build_cached(
        generator, hold_photos, reds[:0], designs, args.val_scenes, args.seed + 1,
        config.strides))
    negatives = cached_scenes(f"val-{args.val_photos}-{args.seed}", lambda: Cached(
        val_photo_maps(generator, args.datasets / "photos-train", args.val_photos,
                       config.strides, args.seed + 2), torch.zeros(args.val_photos, 1, 1, 1)))
    negatives = negatives.maps
    print(f"scenes encoded: {time.time() - start_wall:.0f} s", flush=True)
    model = FlagFinder.from_pretrained(args.out) if train is None else fit(
        train, config, args.epochs, args.seed)
    figures = report(predict(model, held), held.targets,
                     predict(model, Cached(negatives, torch.zeros(len(negatives[8]), 1, 1, 1))), args.top_cells)
    seconds_cpu = time.process_time() - start_cpu
    seconds = time.time() - start_wall
    figures.update({"wall_s": round(seconds), "cpu_s": round(seconds_cpu),
                    "scenes": args.scenes, "val_scenes": args.val_scenes,
                    "val_photos": args.val_photos, "epochs": args.epochs})
    print(json.dumps(figures, indent=1))
    if args.evaluate:
        checks = pipeline_view_check(generator, model, args.datasets / "photos-train",
                                     args.top_cells, (0.7, 0.9),
                                     ((0.96, 0.98), (0.99, 0.995), (0.995, 0.998)))
        print(json.dumps(checks, indent=1))
        return 0
    path = model.save_pretrained(args.out, metadata={
        "command": " ".join(["python -m colorizer.training.train_flag_finder", *(argv or sys.argv[1:])]),
        "figures": json.dumps(figures)})
    print(f"wrote {path} ({seconds:.0f} s wall, {seconds_cpu:.0f} s CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
