"""Flag scenes unlike our training renders: is Soviet red cloth red in photos as they show it?

    python -m eval.flag_scenes                        # 60 scenes x 3, 30 controls x 2, 12
    python -m eval.flag_scenes --limit 4 --set temperature=0.3 --set transfer.min_presence=0.2

    scenes = build_scenes(60, 30, 0)                  # from Python, no files written:
    summary = score_scenes(pipe.with_config(...), scenes, baseline=False)["summary"]

Why: eval/flag_bench.py (24/24 Soviet flags red) waves its flags the way the training data is
made (retrieval/render.py, colorizer/training/exemplar_data.py): one large flag on a pole, a vertical
sine wave growing from the hoist, luminance = L*. Real photos show other drawings, at angles,
in deep folds, small and many, half hidden, beside flags of other colors, and on film that is
not L*. Every scene here is built from its own seed, on a held-out photo (the test split
flag_bench uses; never training photos, never real-color-dev), with distortions of its own:

- drawings: the flags folder's USSR SVG (it holds no other USSR variant), a 1:2 variant drawn
  here as SVG, and cloth drawn here with PIL: a red flag with a gold hammer-and-sickle-like
  emblem and fringe, a plain red flag, a slogan banner in Cyrillic (DejaVu), a vertical hanging
  banner, a narrow ribbon; reds vary between kumach shades.
- geometry: a projective warp of the layout box; folds as a sum of sines of several
  frequencies (tilted), mapped by arc length (a horizontal displacement: steep folds show less
  cloth) and shaded by Lambert from the fold normal; the sag of a banner hung by its ends.
- kinds (cycled): angle, fold, hanging (vertical banners), crowd (4-7 flags and ribbons of
  1-3% of the photo), slogan, hidden (a rectangle of the photo pasted over 25-50% of the
  flag), beside (flags of other colors next to it), ortho (one of the first five geometries
  seen through orthochromatic film: linear Y = 0.05 R + 0.45 G + 0.5 B, so red prints dark).
  Every input gets a little film grain.

Conditions: Soviet scenes with the hint "USSR 1950" and, separately, with no hint but a
Cyrillic caption (`caption=`), and with neither (the baseline: what hint or caption changed);
the bare control photos with "USSR 1950" and with nothing; German and Russian Empire flags
with their own hint (report only).

Scores (per pixel, CIELAB): red = hue in RED_HUE and C* >= RED_CHROMA; strongly red = the same
hue with C* >= STRONG_CHROMA. A scene is red when RED_SHARE of its red-cloth pixels are red.
Red leak: the share of the photo's pixels outside the scored cloth's whole mask (dilated;
flags of other colors count as outside) that are strongly red where the truth is not red.
Control gain: the strongly-red share with the hint minus without, on the bare photos.
Writes <out>/flag_scenes.json, flag_scenes.md and sheet.png.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, is_dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import binary_dilation, binary_erosion, gaussian_filter, map_coordinates

from colorizer.model.colorspace import linear_to_srgb, srgb_to_linear
from eval import flag_bench as fb
from eval import metrics
from eval.report import SHARED_DATASETS, positive_int, rounded

log = logging.getLogger("chronochrome.eval.flag_scenes")

OUT_DIR = fb.RESULTS_DIR / "flag-scenes"
KINDS = ("angle", "fold", "hanging", "crowd", "slogan", "hidden", "beside", "ortho")
ORTHO_GEOMETRIES = KINDS[:5]
# Red, per pixel: CIELAB hue in [350, 360) or [0, 60] degrees. The sRGB red primary sits at 40,
# crimson and carmine at 20-30, rose red just below 0; past 60 is orange, below 350 magenta.
RED_HUE = (350.0, 60.0)
RED_CHROMA = 20.0  # C* from which a pixel is red: pale but unmistakable (gray output is ~0-5)
STRONG_CHROMA = 30.0  # C* from which it is strongly red: what a leak must reach to count
RED_SHARE = 0.5  # a scene is red when this share of its red-cloth pixels is red
GRAY_CHROMA = 12.0  # a scene that is not red came out gray when its cloth's mean C* is below
LEAK_DILATE = 4  # px around the whole-flag mask: bleeding this close is the flag's edge
MIN_RED_PIXELS = 300  # a layout leaving fewer visible red-cloth pixels is drawn again
OWN_MIN_PIXELS = 30  # design colors of other flags covering fewer pixels are not scored
PANCHROMATIC = (0.2126729, 0.7151522, 0.0721750)  # sRGB's Y: the plain L* input
ORTHOCHROMATIC = (0.05, 0.45, 0.5)  # blue-green film: red prints nearly black
GRAIN = 0.012  # film grain, std of the gray value (grain blobs ~1 px)
AMBIENT = 0.35  # share of light that reaches a fold facing away from the light
VALLEY_SHADOW = 0.45  # light lost at the bottom of the deepest fold (neighbours shade it)
TARGETS = {"hint": 0.9, "caption": 0.8, "leak": 0.003, "control_gain": 0.001}
SOVIET_HINT = fb.SOVIET.hint
CAPTIONS = ("Москва, 1 мая 1950", "Ленинград 1947", "Киев, 7 ноября 1951", "Сталинград, 1949",
            "Горький, Первомай 1953", "Свердловск 1952", "Минск, 9 мая 1955", "Казань, 1948",
            "Новосибирск 1954", "Одесса, 1 мая 1956")
SLOGANS = ("СЛАВА ВЕЛИКОМУ ОКТЯБРЮ", "ДА ЗДРАВСТВУЕТ 1 МАЯ", "ВСЯ ВЛАСТЬ СОВЕТАМ",
           "ПРОЛЕТАРИИ ВСЕХ СТРАН, СОЕДИНЯЙТЕСЬ!", "СЛАВА ТРУДУ", "ВПЕРЁД, К КОММУНИЗМУ!",
           "ДА ЗДРАВСТВУЕТ СССР", "МИРУ — МИР")
BANNER_WORDS = (("СЛАВА", "ТРУДУ"), ("СССР",), ("1", "МАЯ"), ("ОКТЯБРЬ",), ("МИР",))
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansCondensed-Bold.ttf")
FONT_DIR = Path(fb.FONT).parent
REDS = ((204, 0, 0), (190, 22, 28), (214, 40, 30), (172, 26, 34), (200, 18, 44))
GOLDS = ((232, 190, 60), (245, 208, 84), (212, 168, 52))
LETTERING = ((244, 240, 228), (236, 200, 70))
FLAG_DESIGNS = ("svg:soviet", "svg:variant", "emblem_flag", "plain_red")
DISTRACTORS = ("freeciv21_bavarian.svg", "freeciv21_libya_old.svg", "freeciv21_kiev.svg",
               "freeciv21_novgorod.svg", "freeciv21_hanover.svg", "freeciv21_tanganyika.svg")
OTHER_FLAGS = (
    fb.FlagSpec("freeciv21_germanempire.svg", "German Empire", "German Empire 1910", (),
                "German Empire"),
    fb.FlagSpec("freeciv21_russia.svg", "Russian Empire", "Russian Empire 1910", (),
                "Russian Empire"),
)
OTHER_GEOMETRIES = ("angle", "fold", "crowd", "hidden")
# Scene label map: what each pixel of the truth is.
BACKGROUND, POLE, RED, DETAIL, OTHER = 0, 1, 2, 3, 4
PALETTE0 = 10  # PALETTE0 + k: design color k of an other-flag target (own-colors scoring)


# --- cloth drawings ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Texture:
    """A flat cloth before it is hung: its colors and what each pixel is (a label above)."""

    name: str
    rgba: np.ndarray  # (h, w, 4) float in [0, 1]
    parts: np.ndarray  # (h, w) int label; BACKGROUND where transparent

    @property
    def aspect(self) -> float:
        return self.rgba.shape[0] / self.rgba.shape[1]

    def resized(self, width: int) -> Texture:
        """Shrunk to `width` (never enlarged): a small flag sampled from a big drawing aliases."""
        h, w = self.parts.shape
        if width >= w:
            return self
        size = (width, max(2, round(width * h / w)))
        rgba = Image.fromarray((self.rgba * 255 + 0.5).astype(np.uint8), "RGBA")
        parts = Image.fromarray(self.parts.astype(np.uint8), "L")
        return Texture(self.name, np.asarray(rgba.resize(size, Image.LANCZOS)) / 255.0,
                       np.asarray(parts.resize(size, Image.NEAREST)).astype(int))


@lru_cache(maxsize=64)
def _font(name: str, size: int) -> ImageFont.ImageFont:
    path = FONT_DIR / name
    return ImageFont.truetype(str(path), size) if path.exists() else ImageFont.load_default(size)


class _Drawing:
    """PIL drawing of colors and labels side by side, supersampled 2x for clean edges."""

    SCALE = 2

    def __init__(self, name: str, width: int, height: int):
        self.name, self.size = name, (width, height)
        big = (width * self.SCALE, height * self.SCALE)
        self.color = Image.new("RGBA", big, (0, 0, 0, 0))
        self.parts = Image.new("L", big, BACKGROUND)
        self.draws = (ImageDraw.Draw(self.color), ImageDraw.Draw(self.parts))

    def _xy(self, points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(x * self.SCALE, y * self.SCALE) for x, y in points]

    def polygon(self, points: Sequence[tuple[float, float]], rgb: tuple, part: int) -> None:
        self.draws[0].polygon(self._xy(points), fill=(*rgb, 255))
        self.draws[1].polygon(self._xy(points), fill=part)

    def rect(self, box: tuple[float, float, float, float], rgb: tuple, part: int) -> None:
        x0, y0, x1, y1 = box
        self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], rgb, part)

    def text(self, center: tuple[float, float], text: str, font: ImageFont.ImageFont,
             rgb: tuple, part: int) -> None:
        xy = self._xy([center])[0]
        self.draws[0].text(xy, text, fill=(*rgb, 255), font=font, anchor="mm")
        self.draws[1].text(xy, text, fill=part, font=font, anchor="mm")

    def texture(self) -> Texture:
        rgba = np.asarray(self.color.resize(self.size, Image.LANCZOS)) / 255.0
        return Texture(self.name, rgba, np.asarray(self.parts.resize(self.size, Image.NEAREST),
                                                   dtype=int))


def star_points(cx: float, cy: float, r: float, inner: float = 0.38) -> list[tuple[float, float]]:
    """A five-pointed star, point up."""
    return [(cx + (r if i % 2 == 0 else r * inner) * math.cos(-math.pi / 2 + i * math.pi / 5),
             cy + (r if i % 2 == 0 else r * inner) * math.sin(-math.pi / 2 + i * math.pi / 5))
            for i in range(10)]


def _bar(x0: float, y0: float, x1: float, y1: float, width: float) -> list[tuple[float, float]]:
    """A straight bar from (x0, y0) to (x1, y1) as a polygon."""
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length * width / 2, (x1 - x0) / length * width / 2
    return [(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)]


def emblem_shapes(cx: float, cy: float, size: float) -> list[list[tuple[float, float]]]:
    """A hammer and sickle of our own drawing (not the library's): a tapering crescent blade on
    a short handle, crossed by a hammer. Polygons in pixels, `size` across."""
    r_out, r_in, shift = 0.4 * size, 0.32 * size, 0.07 * size
    angles = np.radians(np.linspace(150, 400, 40))
    outer = [(cx + r_out * math.cos(a), cy + r_out * math.sin(a)) for a in angles]
    inner = [(cx + shift + r_in * math.cos(a), cy - shift + r_in * math.sin(a))
             for a in angles[::-1]]
    hx, hy = outer[0]
    handle = _bar(hx, hy, hx - 0.18 * size, hy + 0.18 * size, 0.1 * size)
    shaft = _bar(cx + 0.32 * size, cy + 0.38 * size, cx - 0.16 * size, cy - 0.12 * size,
                 0.09 * size)
    head = _bar(cx - 0.3 * size, cy + 0.02 * size, cx - 0.02 * size, cy - 0.26 * size,
                0.14 * size)
    return [outer + inner, handle, shaft, head]


def svg_variant(rng: np.random.Generator, width: int) -> Texture:
    """A 1:2 USSR flag drawn here as SVG (the folder has only one USSR drawing): emblem in the
    canton, the star outlined (1955 pattern) or filled (1923 pattern)."""
    red = "#{:02x}{:02x}{:02x}".format(*REDS[rng.integers(len(REDS))])
    gold = "#{:02x}{:02x}{:02x}".format(*GOLDS[rng.integers(len(GOLDS))])
    star = " ".join(f"{x:.1f},{y:.1f}" for x, y in star_points(75, 42, 24))
    star_style = (f'fill="none" stroke="{gold}" stroke-width="4"' if rng.random() < 0.5
                  else f'fill="{gold}"')
    shapes = "".join('<polygon points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                     + f'" fill="{gold}"/>' for pts in emblem_shapes(78, 108, 62))
    markup = (f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300">'
              f'<rect width="600" height="300" fill="{red}"/>'
              f'<polygon points="{star}" {star_style}/>{shapes}</svg>')
    return _classified("svg:variant", fb.rasterize(markup, width))


def _classified(name: str, rgba: np.ndarray) -> Texture:
    """Labels of a drawing from its colors: red cloth where red, detail elsewhere."""
    red = red_pixels(metrics.lab_of(rgba[..., :3]), RED_CHROMA)
    parts = np.where(rgba[..., 3] > 0.5, np.where(red, RED, DETAIL), BACKGROUND)
    return Texture(name, rgba, parts)


def _fringe(d: _Drawing, y: float, x0: float, x1: float, length: float, gold: tuple) -> None:
    """Gold tassels hanging from y: a band and strands with gaps."""
    d.rect((x0, y, x1, y + 0.3 * length), gold, DETAIL)
    for x in np.arange(x0, x1 - 1, 3.0):
        d.rect((x, y, x + 1.6, y + length), gold, DETAIL)


def emblem_flag(rng: np.random.Generator, width: int) -> Texture:
    """Red cloth with a gold emblem (centered or in the canton), often gold fringe below."""
    red, gold = REDS[rng.integers(len(REDS))], GOLDS[rng.integers(len(GOLDS))]
    height = round(width * rng.choice([2 / 3, 1 / 2, 3 / 4]))
    fringe = height * 0.09 if rng.random() < 0.6 else 0.0
    d = _Drawing("emblem_flag", width, round(height + fringe))
    d.rect((0, 0, width, height), red, RED)
    centered = rng.random() < 0.5
    cx, cy, size = (width / 2, height / 2, 0.5 * height) if centered else (
        0.18 * width, 0.3 * height, 0.32 * height)
    d.polygon(star_points(cx, cy - 0.62 * size, 0.16 * size), gold, DETAIL)
    for pts in emblem_shapes(cx, cy + 0.05 * size, size):
        d.polygon(pts, gold, DETAIL)
    if fringe:
        _fringe(d, height, 0, width, fringe, gold)
    return d.texture()


def plain_red(rng: np.random.Generator, width: int) -> Texture:
    """A plain red flag, sometimes with gold fringe: the revolutionary red flag."""
    red, gold = REDS[rng.integers(len(REDS))], GOLDS[rng.integers(len(GOLDS))]
    height = round(width * rng.uniform(0.55, 0.75))
    fringe = height * 0.08 if rng.random() < 0.4 else 0.0
    d = _Drawing("plain_red", width, round(height + fringe))
    d.rect((0, 0, width, height), red, RED)
    if fringe:
        _fringe(d, height, 0, width, fringe, gold)
    return d.texture()


def _fit_font(text: str, name: str, max_w: float, max_h: float) -> ImageFont.ImageFont:
    """The largest font size at which `text` fits into max_w x max_h (supersampled)."""
    size = max(8, int(max_h * _Drawing.SCALE))
    while size > 8:
        left, top, right, bottom = _font(name, size).getbbox(text)
        if right - left <= max_w * _Drawing.SCALE and bottom - top <= max_h * _Drawing.SCALE:
            break
        size = int(size * 0.92)
    return _font(name, size)


def slogan_banner(rng: np.random.Generator, width: int) -> Texture:
    """A long red banner with a Cyrillic slogan in white or gold letters."""
    red = REDS[rng.integers(len(REDS))]
    height = round(width * rng.uniform(1 / 7, 1 / 4))
    text = SLOGANS[rng.integers(len(SLOGANS))]
    d = _Drawing("slogan_banner", width, height)
    d.rect((0, 0, width, height), red, RED)
    font = _fit_font(text, FONTS[rng.integers(len(FONTS))], 0.9 * width, 0.55 * height)
    d.text((width / 2, height / 2), text, font, LETTERING[rng.integers(len(LETTERING))], DETAIL)
    return d.texture()


def vertical_banner(rng: np.random.Generator, width: int) -> Texture:
    """A tall hanging banner: star and emblem on top, a word or two below, a V-cut or fringe."""
    red, gold = REDS[rng.integers(len(REDS))], GOLDS[rng.integers(len(GOLDS))]
    height = round(width * rng.uniform(2.0, 3.2))
    d = _Drawing("vertical_banner", width, height)
    cut = rng.random() < 0.5
    cloth = height * (0.9 if cut else 0.93)
    d.rect((0, 0, width, cloth), red, RED)
    if cut:  # a swallowtail: two points at the bottom
        d.polygon([(0, cloth), (width / 2, cloth), (0, height)], red, RED)
        d.polygon([(width / 2, cloth), (width, cloth), (width, height)], red, RED)
    else:
        _fringe(d, cloth, 0, width, height - cloth, gold)
    d.polygon(star_points(width / 2, 0.1 * height, 0.16 * width), gold, DETAIL)
    for pts in emblem_shapes(width / 2, 0.28 * height, 0.55 * width):
        d.polygon(pts, gold, DETAIL)
    words = BANNER_WORDS[rng.integers(len(BANNER_WORDS))]
    name, ink = FONTS[rng.integers(len(FONTS))], LETTERING[rng.integers(len(LETTERING))]
    step = 0.4 * height / len(words)
    for i, word in enumerate(words):
        font = _fit_font(word, name, 0.8 * width, 0.7 * step)
        d.text((width / 2, 0.5 * height + (i + 0.5) * step), word, font, ink, DETAIL)
    return d.texture()


def ribbon(rng: np.random.Generator, width: int) -> Texture:
    """A narrow red ribbon or armband, sometimes edged with gold lines."""
    red, gold = REDS[rng.integers(len(REDS))], GOLDS[rng.integers(len(GOLDS))]
    height = max(6, round(width * rng.uniform(1 / 10, 1 / 4)))
    d = _Drawing("ribbon", width, height)
    d.rect((0, 0, width, height), red, RED)
    if rng.random() < 0.5:
        edge = max(1.0, 0.1 * height)
        d.rect((0, 0, width, edge), gold, DETAIL)
        d.rect((0, height - edge, width, height), gold, DETAIL)
    return d.texture()


@dataclass(frozen=True)
class DesignBook:
    """The drawings scenes are made of: folder SVGs (checked against manifest.csv) and ours."""

    soviet: fb.Flag
    distractors: tuple[fb.Flag, ...]  # flags of other colors, for the "beside" kind
    targets: tuple[fb.Flag, ...]  # other flags scored with their own hint (report only)

    def soviet_cloth(self, name: str, rng: np.random.Generator, width: int = 480) -> Texture:
        """A Soviet cloth by design name (FLAG_DESIGNS, slogan_banner, vertical_banner, ribbon)."""
        if name == "svg:soviet":
            return _classified(name, fb.rasterize(self.soviet.path, width))
        drawn = {"svg:variant": svg_variant, "emblem_flag": emblem_flag, "plain_red": plain_red,
                 "slogan_banner": slogan_banner, "vertical_banner": vertical_banner,
                 "ribbon": ribbon}
        return drawn[name](rng, width)

    def other_cloth(self, flag: fb.Flag, target: bool, width: int = 480) -> Texture:
        """A folder flag: labeled by design color when it is scored, else as OTHER cloth."""
        rgba, labels = flag.flat(width)
        opaque = rgba[..., 3] > 0.5
        parts = np.where(opaque, PALETTE0 + labels if target else OTHER, BACKGROUND)
        return Texture(flag.path.name, rgba, parts)


@lru_cache(maxsize=4)
def load_designs(folder: Path) -> DesignBook:
    """The folder's Soviet, distractor and target flags (each must pass its manifest note);
    cached, as reading their palettes takes seconds."""
    def spec(file: str) -> fb.FlagSpec:
        return fb.FlagSpec(file, file, "", (), "")

    return DesignBook(fb.load_flag(folder, fb.SOVIET),
                      tuple(fb.load_flag(folder, spec(f)) for f in DISTRACTORS),
                      tuple(fb.load_flag(folder, s) for s in OTHER_FLAGS))


# --- hanging cloth in a scene --------------------------------------------------------------


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


# --- layouts per kind ----------------------------------------------------------------------


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


# --- scenes --------------------------------------------------------------------------------


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


def red_hue(hue: np.ndarray | float) -> np.ndarray | bool:
    """Hue angle(s) in degrees [0, 360) within RED_HUE, which wraps through 0."""
    return (hue >= RED_HUE[0]) | (hue <= RED_HUE[1])


def red_pixels(lab: np.ndarray, min_chroma: float) -> np.ndarray:
    """(H, W) bool: hue in RED_HUE and C* >= min_chroma."""
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360.0
    return red_hue(hue) & (np.hypot(lab[..., 1], lab[..., 2]) >= min_chroma)


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


def other_scene(book: DesignBook, flag: fb.Flag, background: np.ndarray, name: str,
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
                 long_side: int = fb.LONG_SIDE) -> list[FlagScene]:
    """`count` Soviet scenes (kinds cycled), `controls` bare photos and `others` scenes of each
    OTHER_FLAGS design, on held-out photos.

    One shuffle of the photos: Soviet scenes take it from the front, controls from the back
    (with 96 photos, 60 + 30 never meet); other flags (report only) shuffle on their own.
    Each scene is drawn from its own generator (seed, group, i). So no scene depends on how
    many others were asked for: --limit keeps a prefix of every group.
    """
    book = load_designs(shared / "flags")
    photos = list(photos) if photos is not None else fb.background_photos(shared)
    front = np.random.default_rng(seed).permutation(len(photos))

    def photo(index: int, order: np.ndarray = front) -> tuple[np.ndarray, str]:
        path = photos[order[index % len(order)]]
        image = fb.load_background(path)  # at flag_bench's size, then ours
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


# --- scoring -------------------------------------------------------------------------------


def score_output(scene: FlagScene, output: np.ndarray) -> dict[str, Any]:
    """Red share of the red cloth, red leak outside the flags, and for other flags their own
    colors, of an output (H, W, 3) float sRGB."""
    lab = metrics.lab_of(output)
    strong = red_pixels(lab, STRONG_CHROMA)
    truth_red = scene.truth_red
    outside = ~binary_dilation(scene.flag_mask, iterations=LEAK_DILATE)
    entry: dict[str, Any] = {
        "strong_share": float(strong.mean()),
        "leak": float((strong & outside & ~truth_red).sum() / max(1, outside.sum())),
    }
    if scene.red_mask.any():
        share = float(red_pixels(lab, RED_CHROMA)[scene.red_mask].mean())
        hue, chroma = fb.hue_chroma(lab, scene.red_mask)
        entry.update(red_share=share, red=share >= RED_SHARE, hue=hue, chroma=chroma)
    others = scene.other_mask & ~truth_red
    if others.any():
        entry["other_leak"] = float(strong[others].mean())
    if scene.palette:
        entry["regions"] = _own_colors(scene, lab)
        entry["own"] = bool(entry["regions"]) and all(r["ok"] for r in entry["regions"])
    return entry


def _own_colors(scene: FlagScene, lab: np.ndarray) -> list[dict[str, Any]]:
    """Per scored design color: the share of its pixels within fb.HUE_TOLERANCE of its hue
    with fb.CHROMA_RATIO of its chroma; a color is kept when RED_SHARE of them are."""
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360.0
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    regions = []
    for k, truth_hue, truth_chroma in scene.palette:
        where = binary_erosion(scene.labels == PALETTE0 + k)
        if where.sum() < OWN_MIN_PIXELS:
            continue
        gap = np.abs((hue[where] - truth_hue + 180.0) % 360.0 - 180.0)
        share = float(np.mean((gap <= fb.HUE_TOLERANCE)
                              & (chroma[where] >= fb.CHROMA_RATIO * truth_chroma)))
        regions.append({"color": k, "truth_hue": truth_hue, "share": share,
                        "ok": share >= RED_SHARE})
    return regions


def conditions(scene: FlagScene, baseline: bool = True
               ) -> dict[str, tuple[str | None, str | None]]:
    """(hint, caption) per condition of a scene's group; `baseline` adds "none" (neither) to
    Soviet scenes, which tells what the hint or caption changed."""
    if scene.group == "soviet":
        return {"hint": (scene.hint, None), "caption": (None, scene.caption),
                **({"none": (None, None)} if baseline else {})}
    if scene.group == "control":
        return {"hint": (scene.hint, None), "none": (None, None)}
    return {"hint": (scene.hint, None)}


def _exemplars(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("id", "kind", "used", "score", "found_in_photo", "attention_share", "transfer_share")
    return [{k: e.get(k) for k in keys} for e in records]


OutputHook = Callable[[FlagScene, str, Image.Image], None]


def run_scene(pipe: Any, scene: FlagScene, on_output: OutputHook | None = None,
              baseline: bool = True) -> dict[str, Any]:
    """Colorize the scene under its group's conditions and score each output."""
    record: dict[str, Any] = {
        "id": scene.id, "group": scene.group, "kind": scene.kind, "geometry": scene.geometry,
        "designs": list(scene.designs), "background": scene.background, "film": scene.film,
        "size": [scene.truth.shape[1], scene.truth.shape[0]],
        "red_pixels": int(scene.red_mask.sum()), "flag_share": float(scene.flag_mask.mean()),
        "conditions": {},
    }
    if scene.group != "control":
        record["truth"] = score_output(scene, scene.truth)
        record["gray"] = score_output(scene, metrics.gray_baseline(scene.truth))
    for condition, (hint, caption) in conditions(scene, baseline).items():
        result = pipe(scene.input_image(), hints=hint, caption=caption)
        entry = {"hints": hint, "caption": caption,
                 **score_output(scene, fb._pixels(result.image)),
                 "exemplars": _exemplars(result.exemplars)}
        if caption:
            entry["context"] = fb._context_read(result.context or {}, "USSR")
        record["conditions"][condition] = entry
        if on_output:
            on_output(scene, condition, result.image)
    return record


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _exemplar_use(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How retrieval served red cloth: was a flag-like exemplar used, found in the photo,
    admitted to the direct transfer; how much attention and transfer exemplars got."""
    flaglike = [[e for e in entry["exemplars"] if e["used"] and e["kind"] in
                 ("flag", "banner", "ensign")] for entry in entries]
    used = [[e for e in entry["exemplars"] if e["used"]] for entry in entries]
    return {
        "flag_exemplar": sum(bool(f) for f in flaglike),
        "admitted": sum(any((e["transfer_share"] or 0) > 0 for e in f) for f in flaglike),
        "best_found": _mean([max((e["found_in_photo"] or 0) for e in f) for f in flaglike if f]),
        "attention": _mean([sum(e["attention_share"] or 0 for e in u) for u in used]),
        "transfer": _mean([sum(e["transfer_share"] or 0 for e in u) for u in used]),
    }


def _miss(entry: dict[str, Any]) -> str | None:
    """How a scene that is not red failed: "gray" (no color), "weak" (red hue, too few red
    pixels) or "hue" (another color: blue, brown, green)."""
    if entry["red"]:
        return None
    if entry["chroma"] < GRAY_CHROMA:
        return "gray"
    return "weak" if red_hue(entry["hue"]) else "hue"


def _group_row(records: Sequence[dict[str, Any]], name: str) -> dict[str, Any]:
    """Counts and means of Soviet records under both conditions."""
    row: dict[str, Any] = {"kind": name, "scenes": len(records)}
    for condition in ("hint", "caption", "none"):
        entries = [r["conditions"][condition] for r in records if condition in r["conditions"]]
        if not entries:
            continue
        row[condition] = {
            "red": sum(e["red"] for e in entries),
            "red_share": _mean([e["red_share"] for e in entries]),
            "leak": _mean([e["leak"] for e in entries]),
            "other_leak": _mean([e["other_leak"] for e in entries if "other_leak" in e]),
            "chroma": _mean([e["chroma"] for e in entries]),
            "misses": {m: sum(_miss(e) == m for e in entries) for m in ("gray", "weak", "hue")},
            "exemplars": _exemplar_use(entries),
        }
    return row


def summarize(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Headline against the targets, then per kind, control and other flags."""
    soviet = [r for r in records if r["group"] == "soviet"]
    control = [r for r in records if r["group"] == "control"]
    overall = _group_row(soviet, "overall")
    gain = None
    if control:
        with_hint = _mean([r["conditions"]["hint"]["strong_share"] for r in control])
        without = _mean([r["conditions"]["none"]["strong_share"] for r in control])
        gain = {"photos": len(control), "strong_hint": with_hint, "strong_none": without,
                "gain": with_hint - without,
                "leak_hint": _mean([r["conditions"]["hint"]["leak"] for r in control])}
    n = len(soviet)
    headline = {
        "scenes": n,
        "red_hint": overall["hint"]["red"], "red_caption": overall["caption"]["red"],
        "rate_hint": overall["hint"]["red"] / n if n else None,
        "rate_caption": overall["caption"]["red"] / n if n else None,
        "red_none": overall["none"]["red"] if "none" in overall else None,
        "leak_hint": overall["hint"]["leak"], "leak_caption": overall["caption"]["leak"],
        "control_gain": gain["gain"] if gain else None,
        "truth_red": sum(r["truth"]["red"] for r in soviet),
        "gray_red": sum(r["gray"]["red"] for r in soviet),
    }
    headline["pass"] = {
        "hint": n > 0 and headline["rate_hint"] >= TARGETS["hint"],
        "caption": n > 0 and headline["rate_caption"] >= TARGETS["caption"],
        "leak": n > 0 and headline["leak_hint"] <= TARGETS["leak"],
        "control_gain": gain is not None and gain["gain"] <= TARGETS["control_gain"],
    }
    kinds = [_group_row([r for r in soviet if r["kind"] == kind], kind) for kind in KINDS
             if any(r["kind"] == kind for r in soviet)]
    film = [_group_row([r for r in soviet if r["film"] == f], f) for f in ("L*", "orthochromatic")
            if any(r["film"] == f for r in soviet)]
    others = []
    for design in dict.fromkeys(r["designs"][0] for r in records if r["group"] == "other"):
        subset = [r["conditions"]["hint"] for r in records
                  if r["group"] == "other" and r["designs"][0] == design]
        others.append({"design": design, "scenes": len(subset),
                       "own": sum(e.get("own", False) for e in subset),
                       "red": sum(e.get("red", False) for e in subset),
                       "red_share": _mean([e["red_share"] for e in subset if "red_share" in e]),
                       "leak": _mean([e["leak"] for e in subset])})
    return {"headline": headline, "overall": overall, "kinds": kinds, "film": film,
            "control": gain, "others": others}


def score_scenes(pipe: Any, scenes: Sequence[FlagScene], on_output: OutputHook | None = None,
                 baseline: bool = True) -> dict[str, Any]:
    """Colorize and score every scene: {"summary", "records"} (no files written), for this
    benchmark and for operating-point searches over `pipe.with_config(...)` (which may skip
    the `baseline` condition: it does not depend on hints)."""
    records = []
    for index, scene in enumerate(scenes, 1):
        log.info("[%d/%d] %s on %s", index, len(scenes), scene.id, scene.background)
        records.append(run_scene(pipe, scene, on_output, baseline))
    return {"summary": summarize(records), "records": records}


# --- report --------------------------------------------------------------------------------


def _pct(value: float | None, digits: int = 0) -> str:
    """A share as a percentage; rounded first, so a tiny negative gain is no "-0.00%"."""
    return "—" if value is None else f"{round(100 * value, digits) + 0.0:.{digits}f}%"


def markdown(report: dict[str, Any]) -> str:
    """The headline against the targets, then per kind, film, control and other flags."""
    s, h = report["summary"], report["summary"]["headline"]
    status = {k: "PASS" if v else "FAIL" for k, v in h["pass"].items()}
    n, control = h["scenes"], s["control"] or {}
    lines = [(f"## chronochrome flag scenes unlike our training renders ({n} Soviet scenes, "
             f"{control.get('photos', 0)} control photos)"), "",
             "| headline | value | target | status |", "|---|---:|---|---|",
             (f'| Soviet red with hint "{SOVIET_HINT}" | {h["red_hint"]}/{n} '
             f'({_pct(h["rate_hint"])}) | >= {TARGETS["hint"]:.0%} | {status["hint"]} |'),
             (f"| Soviet red with caption only (Cyrillic, no hint) | {h['red_caption']}/{n} "
             f"({_pct(h['rate_caption'])}) | >= {TARGETS['caption']:.0%} | "
             f"{status['caption']} |"),
             (f"| red leak outside the flags, with hint | {_pct(h['leak_hint'], 2)} | "
             f"<= {_pct(TARGETS['leak'], 1)} | {status['leak']} |"),
             (f"| red leak outside the flags, caption only | {_pct(h['leak_caption'], 2)} | — "
             "| info |"),
             (f"| control gain: strongly red share, hint minus none, bare photos | "
             f"{_pct(h['control_gain'], 2)} | <= {_pct(TARGETS['control_gain'], 1)} | "
             f"{status['control_gain']} |"),
             (f"| sanity: truth red / gray red | {h['truth_red']}/{n} / {h['gray_red']}/{n} | "
             f"{n}/{n} / 0/{n} | info |")]
    if h.get("red_none") is not None:
        lines.append(f"| baseline: Soviet red with neither hint nor caption | {h['red_none']}/{n} "
                     "| — | info |")
    lines.append("")
    lines += [("| kind | scenes | red: hint · caption · none | red share: hint · caption · "
               "none | not red (hint): gray · weak · other hue | leak: hint · caption | leak on "
               "other flags (hint) | flag exemplar used · admitted (hint) | best found_in_photo "
               "(hint) | attention · transfer (hint) |"),
              "|---|---:|---|---|---|---|---:|---|---:|---|"]
    for row in [*s["kinds"], *s["film"], s["overall"]]:
        conds = [row[c] for c in ("hint", "caption", "none") if c in row]
        ex = row["hint"]["exemplars"]
        found = "—" if ex["best_found"] is None else f"{ex['best_found']:.2f}"
        lines.append(
            f"| {row['kind']} | {row['scenes']} | {' · '.join(str(c['red']) for c in conds)} | "
            f"{' · '.join(_pct(c['red_share']) for c in conds)} | "
            f"{' · '.join(str(v) for v in row['hint']['misses'].values())} | "
            f"{_pct(row['hint']['leak'], 2)} · {_pct(row['caption']['leak'], 2)} | "
            f"{_pct(row['hint']['other_leak'], 1)} | {ex['flag_exemplar']} · {ex['admitted']} "
            f"| {found} | {ex['attention'] or 0:.2f} · {ex['transfer'] or 0:.2f} |")
    if control:
        lines += ["", (f"Control ({control['photos']} bare photos): strongly red share "
                  f"{_pct(control['strong_none'], 2)} without a hint, "
                  f"{_pct(control['strong_hint'], 2)} with \"{SOVIET_HINT}\".")]
    if s["others"]:
        lines += ["", ("| other flag, own hint (report only) | scenes | own colors | red stripe "
                  "red | red share | leak |"), "|---|---:|---:|---:|---:|---:|"]
        for o in s["others"]:
            lines.append(f"| {o['design']} | {o['scenes']} | {o['own']} | {o['red']} | "
                         f"{_pct(o['red_share'])} | {_pct(o['leak'], 2)} |")
    model = report["model"]
    lines += ["", (
        f"Model {model['name']} {model['version']}; `{report['command']}` at "
        f"{report['finished_at']} ({report['seconds']:.0f} s). A pixel is red when its CIELAB "
        f"hue is in [{RED_HUE[0]:.0f}, 360) or [0, {RED_HUE[1]:.0f}]° and C* >= "
        f"{RED_CHROMA:.0f}; strongly red from C* >= {STRONG_CHROMA:.0f}. A scene is red when "
        f">= {RED_SHARE:.0%} of its red-cloth pixels are. Leak: strongly red pixels outside the "
        f"whole-flag mask dilated {LEAK_DILATE} px where the truth is not red, over the pixels "
        "outside. Found/admitted: the retrieved flag-like exemplar's `found_in_photo` and "
        "whether the direct transfer moved any of its color (`transfer_share` > 0)."), ""]
    return "\n".join(lines)


def sheet(scenes: Sequence[FlagScene], outputs: dict[tuple[str, str], Image.Image],
          records: dict[str, dict[str, Any]], tile: int = 170) -> Image.Image:
    """Rows: truth | gray input | output with hint | output caption only, labeled."""
    label_w, head, cell = 150, 22, tile * 4 // 3 + 4
    rows = [s for s in scenes if (s.id, "hint") in outputs]
    board = Image.new("RGB", (label_w + 4 * cell, head + len(rows) * (tile + 4) + 4),
                      (255, 255, 255))
    draw = ImageDraw.Draw(board)
    for c, title in enumerate(("truth", "gray input", f'hint "{SOVIET_HINT}"',
                               "caption only (no hint)")):
        draw.text((label_w + c * cell + 4, 4), title, fill=(0, 0, 0), font=_font(FONTS[0], 14))
    for r, scene in enumerate(rows):
        y = head + 4 + r * (tile + 4)
        images = [Image.fromarray((scene.truth * 255 + 0.5).astype(np.uint8)),
                  scene.input_image().convert("RGB"), outputs[(scene.id, "hint")],
                  outputs.get((scene.id, "caption"), Image.new("RGB", (8, 8), "white"))]
        for c, image in enumerate(images):
            image = image.copy()
            image.thumbnail((tile * 4 // 3, tile))
            board.paste(image, (label_w + c * cell, y))
        cond = records[scene.id]["conditions"]
        text = [scene.id, scene.geometry + (" / ortho" if scene.film != "L*" else ""),
                *[f"{c}: {100 * cond[c]['red_share']:.0f}% red" for c in ("hint", "caption",
                                                                          "none")
                  if c in cond and "red_share" in cond[c]]]
        draw.multiline_text((4, y + 4), "\n".join(text), fill=(0, 0, 0),
                            font=_font(FONTS[0], 13))
    return board


def sheet_ids(scenes: Sequence[FlagScene], per_kind: int = 2) -> set[str]:
    """Up to `per_kind` Soviet scenes of each kind (16 for the 8 kinds)."""
    chosen: dict[str, list[str]] = {}
    for s in scenes:
        if s.group == "soviet" and len(chosen.setdefault(s.kind, [])) < per_kind:
            chosen[s.kind].append(s.id)
    return {i for ids in chosen.values() for i in ids}


# --- command line --------------------------------------------------------------------------


def parse_set(items: Sequence[str]) -> dict[str, Any]:
    """KEY=VALUE pairs, values JSON ("0.3", "true", '"text"'); SECTION.FIELD keys set a field
    of a nested config (transfer.min_presence=0.2)."""
    changes: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set {item!r}: expected KEY=VALUE, e.g. temperature=0.3")
        try:
            changes[key.strip()] = json.loads(value)
        except json.JSONDecodeError as error:
            raise SystemExit(f"--set {item!r}: the value must be JSON (quote strings: "
                             f"{key}='\"text\"'): {error}") from None
    return changes


def configured(pipe: Any, changes: dict[str, Any]) -> Any:
    """`pipe.with_config(...)` with `changes`; "section.field" keys change one field of the
    nested config `pipe.config.section` (a frozen dataclass: unknown fields raise)."""
    if not changes:
        return pipe
    direct = {k: v for k, v in changes.items() if "." not in k}
    for key, value in changes.items():
        if "." in key:
            section, name = key.split(".", 1)
            current = direct.get(section, getattr(pipe.config, section))
            direct[section] = replace(current, **{name: value})
    return pipe.with_config(**direct)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.flag_scenes",
                                description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, default=None,
                   help="a model folder (save_pretrained); default: the embedded weights")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--no-baseline", action="store_true",
                   help="skip the Soviet scenes' no-hint, no-caption condition")
    p.add_argument("--no-context", action="store_true",
                   help="no context encoder (hints still query retrieval; captions go unread)")
    p.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                   help="pipeline setting for with_config, JSON value (repeatable); "
                        "transfer.KEY sets the transfer config")
    p.add_argument("--scenes", type=positive_int, default=60, help="Soviet scenes (%(default)s)")
    p.add_argument("--controls", type=int, default=30, help="bare photos (%(default)s)")
    p.add_argument("--others", type=int, default=6,
                   help="scenes of each other flag, own hint, report only (%(default)s)")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="at most N scenes of each group (quick runs)")
    p.add_argument("--seed", type=int, default=0, help="scene seed, >= 0 (default: 0)")
    p.add_argument("--long-side", type=positive_int, default=fb.LONG_SIDE,
                   help="scene size, px (default: %(default)s, as flag_bench)")
    p.add_argument("--threads", type=positive_int, default=1,
                   help="torch CPU threads (default: 1, the dev machine is shared)")
    p.add_argument("--out", type=Path, default=OUT_DIR, help="default: eval/results/flag-scenes")
    p.add_argument("--shared", type=Path, default=SHARED_DATASETS,
                   help="folder holding flags/ and photos-train/ (default: ../shared/datasets)")
    return p


def main(argv: list[str] | None = None, pipeline: Any = None) -> dict[str, Any]:
    """Run the benchmark and write its files; `pipeline` replaces the one built from --weights."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(args.threads)
    started, clock = fb._now(), time.perf_counter()
    limit = args.limit or max(args.scenes, args.controls, args.others)
    scenes = build_scenes(min(args.scenes, limit), min(args.controls, limit),
                          min(args.others, limit), args.seed, args.shared,
                          long_side=args.long_side)
    if pipeline is None:
        from colorizer.pipeline.colorization import ColorizationPipeline

        pipeline = ColorizationPipeline.from_pretrained(args.weights, device=args.device,
                                                        context=not args.no_context)
    changes = parse_set(args.settings)
    pipeline = configured(pipeline, changes)
    keep, outputs = sheet_ids(scenes), {}

    def on_output(scene: FlagScene, condition: str, image: Image.Image) -> None:
        if scene.id in keep:
            outputs[(scene.id, condition)] = image

    scored = score_scenes(pipeline, scenes, on_output, not args.no_baseline)
    report = rounded(digits=4, value={
        "schema": 1, "command": "python -m eval.flag_scenes " + shlex.join(argv),
        "started_at": started, "finished_at": fb._now(),
        "seconds": time.perf_counter() - clock, "model": pipeline.model_info.to_dict(),
        "pipeline": asdict(pipeline.config) if is_dataclass(pipeline.config) else None,
        "settings": {"seed": args.seed, "limit": args.limit, "device": args.device,
                     "long_side": args.long_side,
                     "context": not args.no_context, "set": changes,
                     "red_hue": list(RED_HUE), "red_chroma": RED_CHROMA,
                     "strong_chroma": STRONG_CHROMA, "red_share": RED_SHARE,
                     "leak_dilate_px": LEAK_DILATE, "orthochromatic": list(ORTHOCHROMATIC),
                     "grain": GRAIN, "targets": TARGETS,
                     "backgrounds": f"photos-train test split (val_fraction={fb.VAL_FRACTION})"},
        **scored,
    })
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "flag_scenes.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False, allow_nan=False) + "\n",
        encoding="utf-8")
    table = markdown(report)
    (args.out / "flag_scenes.md").write_text(table, encoding="utf-8")
    by_id = {r["id"]: r for r in report["records"]}
    sheet(scenes, outputs, by_id).save(args.out / "sheet.png")
    print(table)
    return report


if __name__ == "__main__":
    main()
