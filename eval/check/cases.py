"""The check's cases: our colorizations of flag and uniform scenes, recolored right or wrong.

Each scene hangs one cloth (eval.flag_scenes' geometry: an angle or deep folds) on a
held-out photo: a Soviet flag (the flag-scene drawings), a French tricolour, a US 48-star
flag, a German Empire flag (drawn here from their documented colors), or a uniform cloth
(French horizon blue, British khaki). The pipeline colorizes the scene's gray with the
scene's hint (our colorization); then, keeping its L*, the cloth's a*b* are set:

    right   to the truth's (a red Soviet flag, a blue-white-red tricolour, khaki cloth)
    wrong   the design's main color to another: red -> blue or gray (Soviet), red -> green
            (tricolour, US; German also blue), a uniform's cloth -> green or magenta (a
            blue or purple khaki would pass: the Union Flag retrieved with it is blue)

so every scene gives one right and one wrong case that differ only on the cloth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from colorizer.model.colorspace import lab_to_rgb, rgb_to_lab
from eval.flag_scenes.definitions import BACKGROUND, DETAIL, PALETTE0, POLE, RED
from eval.flag_scenes.drawings import DesignBook, Texture, load_designs
from eval.flag_scenes.hanging import compose
from eval.flag_scenes.layouts import _single
from eval.flag_scenes.scenes import film_gray
from eval.flags.backgrounds import LONG_SIDE, background_photos, load_background

# Target a*b* of the wrong colors (moderate chroma: in gamut at most L*).
WRONG_AB = {"blue": (12.0, -42.0), "gray": (0.0, 0.0), "green": (-38.0, 28.0),
            "magenta": (50.0, -10.0)}


@dataclass(frozen=True)
class ClothSpec:
    """One kind of cloth: how it is drawn, its hint, which part is recolored, to what."""

    name: str
    hint: str
    draw: Callable[[DesignBook, np.random.Generator], Texture]
    main: tuple[int, ...]  # texture labels recolored in the wrong case
    wrong: tuple[str, ...]  # WRONG_AB keys, cycled over the scenes


@dataclass(frozen=True, eq=False)
class CheckCase:
    id: str
    cloth: str
    hint: str
    wrong: bool
    recolor: str  # "truth" or a WRONG_AB key
    gray: Image.Image  # the original the colorization was made from
    image: Image.Image  # the colorization to check
    mask: np.ndarray  # (H, W) bool: the cloth


def _stripes(name: str, colors: list[tuple[int, int, int]], vertical: bool,
             width: int = 480, aspect: float = 2 / 3) -> Texture:
    height = round(width * aspect)
    parts = np.zeros((height, width), int)
    n = len(colors)
    index = (np.arange(width) * n // width)[None, :] if vertical else (
        np.arange(height) * n // height)[:, None]
    parts[:] = PALETTE0 + index
    rgba = np.ones((height, width, 4))
    rgba[..., :3] = np.asarray(colors, float)[parts - PALETTE0] / 255
    return Texture(name, rgba, parts)


def us_flag(width: int = 480) -> Texture:
    """13 stripes (red k=0, white k=1) and a blue canton (k=2) without stars (too small)."""
    height = round(width * 10 / 19)
    stripe = (np.arange(height) * 13 // height) % 2
    parts = np.repeat((PALETTE0 + stripe)[:, None], width, axis=1)
    parts[: round(height * 7 / 13), : round(width * 0.4)] = PALETTE0 + 2
    colors = np.asarray([(178, 34, 52), (255, 255, 255), (60, 59, 110)], float) / 255
    rgba = np.ones((height, width, 4))
    rgba[..., :3] = colors[parts - PALETTE0]
    return Texture("us_48", rgba, parts)


def uniform_cloth(name: str, rgb: tuple[int, int, int], width: int = 360) -> Texture:
    """Plain woollen cloth of one color (k=0) with a darker seam (k=0 too: same dye)."""
    height = round(width * 1.1)
    rgba = np.ones((height, width, 4))
    rgba[..., :3] = np.asarray(rgb, float) / 255
    rgba[:, width // 2 - 2: width // 2 + 2, :3] *= 0.7
    return Texture(name, rgba, np.full((height, width), PALETTE0))


CLOTHS = (
    ClothSpec("soviet", "USSR 1950", lambda book, rng: book.soviet_cloth(
        ("svg:soviet", "svg:variant", "emblem_flag", "plain_red")[rng.integers(4)], rng),
        (RED,), ("blue", "gray")),
    ClothSpec("france", "France 1916", lambda book, rng: _stripes(
        "france", [(0, 35, 149), (255, 255, 255), (237, 41, 57)], True),
        (PALETTE0 + 2,), ("green",)),
    ClothSpec("us", "USA 1944", lambda book, rng: us_flag(), (PALETTE0,), ("green",)),
    ClothSpec("german_empire", "German Empire 1910", lambda book, rng: _stripes(
        "german_empire", [(0, 0, 0), (255, 255, 255), (221, 0, 0)], False),
        (PALETTE0 + 2,), ("green", "blue")),
    ClothSpec("horizon_blue", "France 1916", lambda book, rng: uniform_cloth(
        "horizon_blue", (124, 162, 184)), (PALETTE0,), ("green", "magenta")),
    ClothSpec("khaki", "British army 1916", lambda book, rng: uniform_cloth(
        "khaki", (195, 176, 145)), (PALETTE0,), ("magenta",)),
)
# Scenes per cloth: 12 Soviet (24 cases), 3 of each flag, 2 of each uniform: 48 cases.
SCENES = {"soviet": 12, "france": 3, "us": 3, "german_empire": 2, "horizon_blue": 2,
          "khaki": 2}


def lab_of(image: Image.Image) -> np.ndarray:
    rgb = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float64) / 255)
    return rgb_to_lab(rgb.permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()


def image_of(lab: np.ndarray) -> Image.Image:
    rgb = lab_to_rgb(torch.from_numpy(lab).permute(2, 0, 1)[None])[0].permute(1, 2, 0)
    return Image.fromarray((rgb.numpy() * 255 + 0.5).astype(np.uint8))


def recolored(ours: Image.Image, truth: np.ndarray, labels: np.ndarray, main: tuple[int, ...],
              target: str) -> Image.Image:
    """Our colorization with the cloth's a*b* set to the truth's (target "truth") or, on its
    main parts, to a wrong color (the rest of the cloth to the truth's); L* kept."""
    lab = lab_of(ours)
    true_lab = lab_of(Image.fromarray((truth * 255 + 0.5).astype(np.uint8)))
    cloth = ~np.isin(labels, (BACKGROUND, POLE))
    lab[cloth, 1:] = true_lab[cloth, 1:]
    if target != "truth":
        lab[np.isin(labels, main), 1:] = WRONG_AB[target]
    return image_of(lab)


def scenes(seed: int = 0, shared: Path | None = None
           ) -> list[tuple[ClothSpec, int, np.ndarray, np.ndarray, Image.Image]]:
    """(cloth, index, truth, labels, gray) of every scene; photos from the held-out split
    of `shared` (the shared datasets folder; default ../shared/datasets)."""
    from eval.common import SHARED_DATASETS

    shared = SHARED_DATASETS if shared is None else shared
    book = load_designs(shared / "flags")
    photos = background_photos(shared)
    order = np.random.default_rng(seed).permutation(len(photos))
    out, n = [], 0
    for spec in CLOTHS:
        for i in range(SCENES[spec.name]):
            rng = np.random.default_rng([seed, 7, n])
            background = _background(photos[order[n % len(order)]])
            for _ in range(12):  # redraw until enough of the cloth shows
                layers = _single(rng, background.shape[:2],
                                 lambda r, s=spec: s.draw(book, r), ("angle", "fold")[i % 2])
                truth, labels = compose(background, layers, rng)
                if np.isin(labels, spec.main).sum() >= 600:
                    break
            gray = Image.fromarray(film_gray(truth, "L*", rng), "L")
            out.append((spec, i, truth, labels, gray))
            n += 1
    return out


def _background(path) -> np.ndarray:
    image = load_background(path)
    if max(image.shape[:2]) != LONG_SIDE:
        pil = Image.fromarray((image * 255 + 0.5).astype(np.uint8))
        pil.thumbnail((LONG_SIDE, LONG_SIDE), Image.LANCZOS)
        image = np.asarray(pil, dtype=np.float64) / 255.0
    return image


def build_cases(colorize: Callable[[Image.Image, str], Image.Image], seed: int = 0,
                shared: Path | None = None) -> list[CheckCase]:
    """Every scene colorized by `colorize(gray, hint)`, then recolored right and wrong."""
    cases = []
    for spec, i, truth, labels, gray in scenes(seed, shared):
        ours = colorize(gray, spec.hint)
        wrong = spec.wrong[i % len(spec.wrong)]
        mask = ~np.isin(labels, (BACKGROUND, POLE))
        base = f"{spec.name}-{i:02d}"
        cases.append(CheckCase(f"{base}-right", spec.name, spec.hint, False, "truth", gray,
                               recolored(ours, truth, labels, spec.main, "truth"), mask))
        cases.append(CheckCase(f"{base}-{wrong}", spec.name, spec.hint, True, wrong, gray,
                               recolored(ours, truth, labels, spec.main, wrong), mask))
    return cases


__all__ = ["CLOTHS", "DETAIL", "SCENES", "WRONG_AB", "CheckCase", "ClothSpec", "build_cases",
           "recolored", "scenes", "uniform_cloth", "us_flag"]
