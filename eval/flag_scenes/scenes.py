"""Composed scenes: the color truth, the gray print the pipeline sees, and where to score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy.ndimage import binary_erosion, gaussian_filter

from colorizer.model.colorspace import linear_to_srgb, srgb_to_linear
from eval import metrics
from eval.common import SHARED_DATASETS
from eval.flag_scenes.definitions import (
    CAPTIONS,
    DETAIL,
    FLAG_DESIGNS,
    GRAIN,
    KINDS,
    MIN_RED_PIXELS,
    ORTHO_GEOMETRIES,
    ORTHOCHROMATIC,
    OTHER,
    OTHER_FLAGS,
    OTHER_GEOMETRIES,
    PALETTE0,
    PANCHROMATIC,
    POLE,
    RED,
    RED_CHROMA,
    SOVIET_HINT,
    red_pixels,
)
from eval.flag_scenes.drawings import DesignBook, Texture, load_designs
from eval.flag_scenes.hanging import Layer, compose
from eval.flag_scenes.layouts import Make, _beside, _crowd, _hanging, _single, _slogan, occlude
from eval.flags.backgrounds import LONG_SIDE, background_photos, load_background
from eval.flags.designs import Flag


@dataclass(frozen=True, eq=False)
class FlagScene:
    """A composed color scene (the truth), the gray input made from it, and where to score."""

    id: str
    group: str  # "soviet", "control" (a bare photo) or "other" (another flag, own hint)
    kind: str  # one of KINDS; "control"; an OTHER_GEOMETRIES entry for other flags
    geometry: str  # the layout (an ortho scene's is one of ORTHO_GEOMETRIES)
    designs: tuple[str, ...]  # the drawings hung, back to front
    background: str  # the photo's file name
    film: str  # "L*" or "orthochromatic"
    hint: str | None  # the hint of the hint condition
    caption: str | None  # the caption of the caption-only condition (Soviet scenes)
    truth: np.ndarray  # (H, W, 3) float sRGB, 8-bit values
    gray: np.ndarray  # (H, W) uint8: what the pipeline sees
    labels: np.ndarray  # (H, W) int: BACKGROUND, POLE, RED, DETAIL, OTHER or PALETTE0 + k
    red_mask: np.ndarray  # (H, W) bool: red cloth, red in the truth, 1 px in from its edges
    flag_mask: np.ndarray  # (H, W) bool: the whole scored cloth (emblem, fringe, pole too)
    palette: tuple[tuple[int, float, float], ...] = ()  # other flags: (k, hue, C*) scored

    @cached_property
    def truth_red(self) -> np.ndarray:
        """(H, W) bool: red pixels of the truth (where red output is no leak); computed once."""
        return red_pixels(metrics.lab_of(self.truth), RED_CHROMA)

    @property
    def other_mask(self) -> np.ndarray:
        """Flags of other colors beside the scored one (where red would be a leak)."""
        return self.labels == OTHER

    def input_image(self) -> Image.Image:
        """The gray input as a PIL image (never a path: a file name would be read as caption)."""
        return Image.fromarray(self.gray, "L")


def film_gray(truth: np.ndarray, film: str, rng: np.random.Generator) -> np.ndarray:
    """(H, W) uint8 gray print of the scene: plain L* or orthochromatic film, plus grain.

    Film weights apply to linear light; the gray pixel encodes that luminance, so its L* is
    the film's response mapped to L* (with PANCHROMATIC weights, exactly the scene's L*).
    """
    weights = {"L*": PANCHROMATIC, "orthochromatic": ORTHOCHROMATIC}[film]
    linear = srgb_to_linear(torch.from_numpy(truth)).numpy() @ np.asarray(weights)
    gray = linear_to_srgb(torch.from_numpy(np.clip(linear, 0, 1))).numpy()
    gray = gray + gaussian_filter(rng.normal(0, GRAIN * 1.6, gray.shape), 0.6)
    return (np.clip(gray, 0, 1) * 255 + 0.5).astype(np.uint8)


def _layers(kind: str, rng: np.random.Generator, shape: tuple[int, int], book: DesignBook,
            make: Make, target: bool) -> list[Layer]:
    """The cloth of one scene kind (a geometry name; "hidden" is occluded afterwards)."""
    if kind in ("angle", "fold"):
        return _single(rng, shape, make, kind)
    if kind == "hidden":
        return _single(rng, shape, make, ("angle", "fold")[rng.integers(2)])
    if kind == "crowd":
        return _crowd(rng, shape, make, None if target else
                      (lambda r: book.soviet_cloth("ribbon", r, 240)))
    if kind == "hanging":
        return _hanging(rng, shape, lambda r: book.soviet_cloth("vertical_banner", r, 200))
    if kind == "slogan":
        return _slogan(rng, shape, lambda r: book.soviet_cloth("slogan_banner", r, 720))
    if kind == "beside":
        others = [lambda r, f=f: book.other_cloth(f, False) for f in book.distractors]
        return _beside(rng, shape, make, others)
    raise ValueError(f"unknown scene kind {kind!r}; known: {KINDS}")


def soviet_scene(book: DesignBook, background: np.ndarray, name: str, kind: str, index: int,
                 rng: np.random.Generator) -> FlagScene:
    """A Soviet flag scene of `kind` on the photo, redrawn until enough red cloth shows."""
    geometry = (ORTHO_GEOMETRIES[rng.integers(len(ORTHO_GEOMETRIES))] if kind == "ortho"
                else kind)
    designs = FLAG_DESIGNS + (("slogan_banner",) if kind == "hidden" else ())

    def make(r: np.random.Generator) -> Texture:
        return book.soviet_cloth(designs[r.integers(len(designs))], r)

    for _ in range(12):
        layers = _layers(geometry, rng, background.shape[:2], book, make, False)
        truth, labels = compose(background, layers, rng)
        if geometry == "hidden":
            truth, labels = occlude(rng, truth, labels, background)
        red_mask = _red_mask(truth, labels == RED)
        if red_mask.sum() >= MIN_RED_PIXELS:
            break
    else:
        raise RuntimeError(f"scene {kind}-{index:02d} on {name}: no layout left "
                           f"{MIN_RED_PIXELS} red pixels visible")
    film = "orthochromatic" if kind == "ortho" else "L*"
    return FlagScene(f"{kind}-{index:02d}", "soviet", kind, geometry,
                     tuple(layer.texture.name for layer in layers), name, film, SOVIET_HINT,
                     CAPTIONS[index % len(CAPTIONS)], truth, film_gray(truth, film, rng), labels,
                     red_mask, np.isin(labels, (POLE, RED, DETAIL)))


def _red_mask(truth: np.ndarray, cloth: np.ndarray) -> np.ndarray:
    """Red cloth 1 px in from its edges (mixed pixels there) and red in the truth itself."""
    return binary_erosion(cloth) & red_pixels(metrics.lab_of(truth), RED_CHROMA)


def other_scene(book: DesignBook, flag: Flag, background: np.ndarray, name: str,
                kind: str, index: int, rng: np.random.Generator) -> FlagScene:
    """Another flag (its design colors labeled) with its own hint: report only."""
    stem = flag.path.stem.removeprefix("freeciv21_")
    reds = [PALETTE0 + k for k, color in enumerate(flag.palette)
            if red_pixels(color[None], RED_CHROMA)[0]]
    for _ in range(12):
        layers = _layers(kind, rng, background.shape[:2], book,
                         lambda r: book.other_cloth(flag, True), True)
        truth, labels = compose(background, layers, rng)
        if kind == "hidden":
            truth, labels = occlude(rng, truth, labels, background)
        red_mask = _red_mask(truth, np.isin(labels, reds))
        if red_mask.sum() >= MIN_RED_PIXELS:
            break
    else:
        raise RuntimeError(f"scene {stem}-{index:02d}: too little of the flag is visible")
    palette = tuple((k, float(np.degrees(np.arctan2(flag.palette[k, 2], flag.palette[k, 1]))
                          % 360), float(np.hypot(*flag.palette[k, 1:]))) for k in flag.scored)
    return FlagScene(f"{stem}-{index:02d}", "other", kind, kind, (flag.path.name,), name, "L*",
                     next(s.hint for s in OTHER_FLAGS if s.file == flag.path.name), None, truth,
                     film_gray(truth, "L*", rng), labels, red_mask,
                     (labels == POLE) | (labels >= PALETTE0), palette)


def control_scene(background: np.ndarray, name: str, index: int,
                  rng: np.random.Generator) -> FlagScene:
    """A bare photo: no flag, so any red the hint adds is the hint's doing."""
    empty = np.zeros(background.shape[:2], bool)
    return FlagScene(f"control-{index:02d}", "control", "control", "none", (), name, "L*",
                     SOVIET_HINT, None, background, film_gray(background, "L*", rng),
                     np.zeros(background.shape[:2], int), empty, empty)


def build_scenes(count: int = 60, controls: int = 30, others: int = 6, seed: int = 0,
                 shared: Path = SHARED_DATASETS, photos: Sequence[Path] | None = None,
                 long_side: int = LONG_SIDE) -> list[FlagScene]:
    """`count` Soviet scenes (kinds cycled), `controls` bare photos and `others` scenes of each
    OTHER_FLAGS design, on held-out photos.

    One shuffle of the photos: Soviet scenes take it from the front, controls from the back
    (with 96 photos, 60 + 30 never meet); other flags (report only) shuffle on their own.
    Each scene is drawn from its own generator (seed, group, i). So no scene depends on how
    many others were asked for: --limit keeps a prefix of every group.
    """
    book = load_designs(shared / "flags")
    photos = list(photos) if photos is not None else background_photos(shared)
    front = np.random.default_rng(seed).permutation(len(photos))

    def photo(index: int, order: np.ndarray = front) -> tuple[np.ndarray, str]:
        path = photos[order[index % len(order)]]
        image = load_background(path)  # at flag_bench's size, then ours
        if max(image.shape[:2]) != long_side:
            pil = Image.fromarray((image * 255 + 0.5).astype(np.uint8))
            pil.thumbnail((long_side, long_side), Image.LANCZOS)
            image = np.asarray(pil, dtype=np.float64) / 255.0
        return image, path.name

    scenes = [soviet_scene(book, *photo(i), KINDS[i % len(KINDS)], i,
                           np.random.default_rng([seed, 0, i])) for i in range(count)]
    scenes += [control_scene(*photo(-1 - j), j, np.random.default_rng([seed, 1, j]))
               for j in range(controls)]
    for k, flag in enumerate(book.targets):
        own = np.random.default_rng([seed, 2 + k]).permutation(len(photos))
        scenes += [other_scene(book, flag, *photo(i, own),
                               OTHER_GEOMETRIES[i % len(OTHER_GEOMETRIES)], i,
                               np.random.default_rng([seed, 2 + k, i])) for i in range(others)]
    return scenes
