"""Cloth drawings before they are hung: folder SVGs and flags, banners and ribbons drawn here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from eval import metrics
from eval.flag_scenes.definitions import (
    BACKGROUND,
    BANNER_WORDS,
    DETAIL,
    DISTRACTORS,
    FONT_DIR,
    FONTS,
    GOLDS,
    LETTERING,
    OTHER,
    OTHER_FLAGS,
    PALETTE0,
    RED,
    RED_CHROMA,
    REDS,
    SLOGANS,
    red_pixels,
)
from eval.flags.designs import SOVIET, Flag, FlagSpec, load_flag, rasterize


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
    return _classified("svg:variant", rasterize(markup, width))


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

    soviet: Flag
    distractors: tuple[Flag, ...]  # flags of other colors, for the "beside" kind
    targets: tuple[Flag, ...]  # other flags scored with their own hint (report only)

    def soviet_cloth(self, name: str, rng: np.random.Generator, width: int = 480) -> Texture:
        """A Soviet cloth by design name (FLAG_DESIGNS, slogan_banner, vertical_banner, ribbon)."""
        if name == "svg:soviet":
            return _classified(name, rasterize(self.soviet.path, width))
        drawn = {"svg:variant": svg_variant, "emblem_flag": emblem_flag, "plain_red": plain_red,
                 "slogan_banner": slogan_banner, "vertical_banner": vertical_banner,
                 "ribbon": ribbon}
        return drawn[name](rng, width)

    def other_cloth(self, flag: Flag, target: bool, width: int = 480) -> Texture:
        """A folder flag: labeled by design color when it is scored, else as OTHER cloth."""
        rgba, labels = flag.flat(width)
        opaque = rgba[..., 3] > 0.5
        parts = np.where(opaque, PALETTE0 + labels if target else OTHER, BACKGROUND)
        return Texture(flag.path.name, rgba, parts)


@lru_cache(maxsize=4)
def load_designs(folder: Path) -> DesignBook:
    """The folder's Soviet, distractor and target flags (each must pass its manifest note);
    cached, as reading their palettes takes seconds."""
    def spec(file: str) -> FlagSpec:
        return FlagSpec(file, file, "", (), "")

    return DesignBook(load_flag(folder, SOVIET),
                      tuple(load_flag(folder, spec(f)) for f in DISTRACTORS),
                      tuple(load_flag(folder, s) for s in OTHER_FLAGS))
