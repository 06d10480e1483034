"""The flag finder's training scenes (`train_flag_finder.py`, steps 1-3): a photo cropped to
the render size, the cloths of `flag_finder_cloth` on it, one random film; the finder's own
fit/holdout split of the train-split photos; the frozen encoder's maps of the scenes, cached
in memory and in `CACHE_DIR` (~/.cache/chronochrome/training/flag-finder)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy.ndimage import gaussian_filter

from colorizer.model.colorspace import linear_to_srgb, srgb_to_linear
from colorizer.model.flag_finder import CELL_STRIDE
from colorizer.model.generator import ColorGenerator
from colorizer.training.cache_dir import training_cache
from colorizer.training.flag_finder_cloth import (
    SCENE_H,
    SCENE_W,
    draw_pole,
    drawn_cloth,
    photo_lettering,
    place_cloth,
    uniform_cloth,
)

VAL_FRACTION = 0.05  # the colorizer's split: the finder never sees val or test photos
HOLDOUT = 0.15  # share of train-split photos kept for the finder's own validation scenes
PANCHROMATIC = (0.2126729, 0.7151522, 0.0721750)
CACHE_DIR = training_cache("flag-finder")
CACHE_VERSION = "2"  # bump when the scenes change


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
    """One drawn scene as the finder learns from it: what the film recorded, where cloth is."""

    lightness: np.ndarray  # (H, W) L* of the scene
    cloth: np.ndarray  # (H, W) visible cloth coverage in [0, 1]
    rgb: np.ndarray | None = None  # (H, W, 3) uint8 sRGB: its colors before the film


def make_scene(rng: np.random.Generator, photo: Path, others: list[Path],
               designs: list[np.ndarray], cloths: int, uniforms: float = 0.0,
               lettering: float = 0.0) -> Scene:
    """`cloths` cloths (0: a negative) on `photo`, one film; occluders from `others`;
    each cloth a plain uniform cloth with probability `uniforms`, and a negative lettered
    on the photo's own ground (`photo_lettering`) with probability `lettering` (0, 0: the
    draw of flag-finder-v1, whose random stream they leave unchanged)."""
    linear = load_scene_photo(photo, rng)
    cloth = np.zeros((SCENE_H, SCENE_W), np.float32)
    if cloths == 0 and lettering > 0 and rng.random() < lettering:
        letters = photo_lettering(rng, SCENE_W, SCENE_H)
        ink = srgb_to_linear(torch.from_numpy(letters[..., :3])).numpy()
        a = letters[..., 3:]
        linear = linear * (1 - a) + ink * a
    big = rng.random() < 0.5
    for _ in range(cloths):
        if uniforms > 0 and rng.random() < uniforms:
            texture = uniform_cloth(rng)
        else:
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
            draw_pole(rng, linear, placed)
        if rng.random() < 0.3 and others:  # part of it hidden behind something
            x0, y0, x1, y1 = placed.box
            ow = int((x1 - x0) * rng.uniform(0.25, 0.6))
            oh = int((y1 - y0) * rng.uniform(0.3, 1.0))
            ox = int(rng.integers(x0, max(x0 + 1, x1 - ow)))
            oy = int(rng.integers(y0, max(y0 + 1, y1 - oh)))
            patch = load_scene_photo(others[int(rng.integers(len(others)))], rng)
            linear[oy:oy + oh, ox:ox + ow] = patch[oy:oy + oh, ox:ox + ow]
            cloth[oy:oy + oh, ox:ox + ow] = 0
    srgb = linear_to_srgb(torch.from_numpy(np.clip(linear, 0, 1))).numpy()
    colors = (srgb * 255 + 0.5).astype(np.uint8)
    return Scene(film_lightness(linear, rng), cloth, colors)


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
    """Encoded scenes kept for the fit: the frozen encoder's maps and the cells' cloth shares."""

    maps: dict[int, torch.Tensor]  # stride -> (N, C, h, w) float16
    targets: torch.Tensor  # (N, 1, h8, w8) float32

    def batch(self, index: torch.Tensor) -> tuple[dict[int, torch.Tensor], torch.Tensor]:
        """The scenes at `index`: their maps as float32 (stored as float16) and targets."""
        return {s: m[index].float() for s, m in self.maps.items()}, self.targets[index]


@torch.no_grad()
def encode_scenes(generator: ColorGenerator, scenes_l: list[np.ndarray],
                  strides: tuple[int, ...], batch: int = 8) -> dict[int, torch.Tensor]:
    """The frozen encoder's maps of the scenes (the pipeline's `generator.encode`)."""
    out: dict[int, list[torch.Tensor]] = {s: [] for s in strides}
    for i in range(0, len(scenes_l), batch):
        x = torch.from_numpy(np.stack(scenes_l[i:i + batch]))[:, None]
        maps = generator.encode(x)
        for s in strides:
            out[s].append(maps[s].half())
    return {s: torch.cat(v) for s, v in out.items()}


def build_cached(generator: ColorGenerator, photos: list[Path], negatives_red: list[Path],
                 designs: list[np.ndarray], count: int, seed: int, strides: tuple[int, ...],
                 negative_share: float = 0.5, uniforms: float = 0.0,
                 lettering: float = 0.0) -> Cached:
    """`count` scenes drawn and encoded in chunks (memory stays small); `uniforms` and
    `lettering`: see `make_scene`."""
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
        chunk.append(make_scene(rng, photo, photos, designs, cloths, uniforms, lettering))
        if len(chunk) == 32 or i == count - 1:
            encoded = encode_scenes(generator, [s.lightness for s in chunk], strides)
            for s in strides:
                maps[s].append(encoded[s])
            targets += [cell_targets(s.cloth) for s in chunk]
            chunk = []
    return Cached({s: torch.cat(v) for s, v in maps.items()}, torch.stack(targets))


def cached_scenes(key: str, build: Callable[[], Cached]) -> Cached:
    """`build()` once per key; later runs load the encoded scenes from `CACHE_DIR`."""
    path = CACHE_DIR / f"{CACHE_VERSION}-{key}.pt"
    if path.is_file():
        data = torch.load(path)
        return Cached(data["maps"], data["targets"])
    cached = build()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    torch.save({"maps": cached.maps, "targets": cached.targets}, path)
    return cached
