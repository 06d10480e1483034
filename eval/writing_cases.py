"""Generated writing cases for eval/real_writing.py: a place name and a year, written the
way slide titles and signs write them, in several fonts, slanted, rotated and wavy.

The places and years are drawn from the gazetteer (configs/context/places.csv) with a seeded
generator, not from real-color-dev's titles, so rules chosen on these cases are not fit to
the photos they are reported on. Two sets of faces: the printed ones installed here
(DejaVu, FreeFont), where "hand-like" means an oblique or extra-light face, slanted by a
shear and bent by a sine warp along the line; and, with `hands=True`, eight handwriting
faces with Cyrillic letters (eval/hand_fonts.py, fetched with `python -m eval.hand_fonts`),
a third of those titles in capitals as many slide titles are. Either is drawn in a light or
coloured ink, as a felt-tip title is; an ink that would not show in the gray image the
reader is given is swapped for black or white (`legible_ink`).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from eval.common import luminance_input
from eval.hand_fonts import HandFont, hand_fonts

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/freefont")
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-ExtraLight.ttf",
         "DejaVuSerif-Italic.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSansMono.ttf",
         "FreeSans.ttf", "FreeSerifItalic.ttf", "FreeSansBoldOblique.ttf", "FreeMono.ttf")
# How titles write a place and a year ({y} four digits, {yy} the last two).
TEMPLATES = ("{place} {y} г.", "{place}-{yy}", "{place} {y}", "{place}, {y}",
             "{place} - {y} год")
LATIN_TEMPLATES = ("{place} {y}", "{place}, {y}", "{place} - {y}")
# Lightness levels (L* on 0-255) between a title's ink and its ground, at least: of the 8
# generated titles of seeds 1 and 2 closer to their ground than this (2-38 levels), the
# reader got the place of none and the year of one; of the 52 others, 16 and 19.
MIN_CONTRAST = 40


@dataclass(frozen=True)
class WritingCase:
    name: str
    image: Image.Image
    text: str
    script: str  # ISO 15924 of the writing
    place: str  # gazetteer place id the writing names
    year: int


def available_fonts() -> list[str]:
    return [str(Path(d) / f) for d in FONT_DIRS for f in FONTS if (Path(d) / f).exists()]


def _names(data_dir: str, cyrillic: bool) -> list[tuple[str, str]]:
    """(alias, place id): the first one-word alias, in one script, of each city, region and
    country of places.csv."""
    out = []
    with (Path(data_dir) / "places.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] not in ("city", "country", "region"):
                continue
            for alias in row["aliases"].split(";"):
                is_cyr = all("\u0400" <= ch <= "\u04ff" for ch in alias if ch.isalpha())
                if is_cyr == cyrillic and alias.isalpha() and len(alias) >= 4:
                    out.append((alias, row["id"]))
                    break
    return out


def _hand(line: Image.Image, rng: random.Random) -> Image.Image:
    """Slant (shear), a sine bend along the line and a small rotation: (H, W) mask in, out."""
    w, h = line.size
    shear = rng.uniform(-0.35, 0.15)
    line = line.transform((w + int(abs(shear) * h) + 4, h), Image.AFFINE,
                          (1, shear, -abs(shear) * h if shear < 0 else 0, 0, 1, 0),
                          Image.BILINEAR)
    arr = np.asarray(line)
    amp, period = rng.uniform(0, 0.08) * h, rng.uniform(1.5, 4) * h
    phase = rng.uniform(0, 6.3)
    out = np.zeros((h + int(2 * amp) + 2, arr.shape[1]), np.uint8)
    for x in range(arr.shape[1]):  # shift each column: a wavy baseline
        dy = round(amp + amp * np.sin(phase + x / period * 6.283))
        out[dy: dy + h, x] = arr[:, x]
    return Image.fromarray(out).rotate(rng.uniform(-8, 8), Image.BILINEAR, expand=True)


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """L* on 0-255 of (..., 3) uint8 sRGB: the gray the reader is given (eval/common.py)."""
    arr = np.asarray(rgb, dtype=np.float32).reshape(-1, 1, 3) / 255.0
    return np.asarray(luminance_input(arr), dtype=np.float32).ravel()


def legible_ink(ink: tuple[int, int, int], img: Image.Image, mask: Image.Image,
                at: tuple[int, int]) -> tuple[int, int, int]:
    """`ink`, or black or white (whichever stands out more) when `ink`'s lightness lies
    within `MIN_CONTRAST` of the median lightness of the ground under the letters: a
    title in red on a mid-gray ground, or dark on a dark arch, is invisible in the gray
    image the reader is given, so it tests nothing the reader could do. (This changes the
    ink of 7 of seed 16's 30 titles, "Ялта 1963" in red on a ground 4 levels from it
    among them, and of 4 and 3 of seeds 1 and 2; the other titles are drawn as before.)"""
    x, y = at
    letters = np.asarray(mask) > 128
    under = np.asarray(img.crop((x, y, x + mask.width, y + mask.height)))[letters]
    if not len(under):
        return ink
    ground = float(np.median(_lightness(under)))
    if abs(float(_lightness(np.array(ink, np.uint8))[0]) - ground) >= MIN_CONTRAST:
        return ink
    return (20, 20, 20) if ground > 127 else (250, 250, 250)


def render_title(text: str, background: Image.Image, font_path: str | HandFont,
                 rng: random.Random, mask_of=None) -> Image.Image:
    """`text` drawn onto `background` as a slide title: light or coloured felt-tip ink on the
    photo (no panel), slanted and bent when the face is oblique or light; grain, blur, JPEG.
    `mask_of(font)`, when given, draws the letters instead (eval/year_cases.py layouts); a
    `HandFont` draws them in its own runs of subset files."""
    img = background.copy()
    size = rng.randint(max(14, img.height // 14), max(18, img.height // 7))
    if isinstance(font_path, HandFont):
        hand = font_path
        font_path = str(hand.latin)
        mask_of = mask_of or (lambda font: hand.mask(text, font.size))
    font = ImageFont.truetype(font_path, size)
    if mask_of is not None:
        mask = mask_of(font)
    else:
        left, top, right, bottom = font.getbbox(text)
        mask = Image.new("L", (right - left + 8, bottom - top + 8), 0)
        ImageDraw.Draw(mask).text((4 - left, 4 - top), text, font=font, fill=255)
    if rng.random() < 0.6 or "Oblique" in font_path or "Light" in font_path:
        mask = _hand(mask, rng)
    if mask.width > img.width - 8:
        mask = mask.resize((img.width - 8, max(8, mask.height * (img.width - 8) // mask.width)))
    x = rng.randint(4, max(4, img.width - mask.width - 4))
    y = rng.choice((rng.randint(4, img.height // 4), rng.randint(img.height // 2,
                    max(img.height // 2, img.height - mask.height - 4))))
    inks = [(250, 250, 250), (250, 235, 120), (230, 60, 40), (20, 20, 20), (255, 255, 255)]
    ink = Image.new("RGB", mask.size, legible_ink(rng.choice(inks), img, mask, (x, y)))
    img.paste(ink, (x, y), mask)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 0.8)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randint(55, 85))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def generated_cases(data_dir: str, photos: list[Path], n: int, seed: int = 16,
                    sizes: tuple[tuple[int, int], ...] = ((480, 360), (240, 180)),
                    hands: bool = False) -> list[WritingCase]:
    """`n` titles (two thirds Cyrillic) on photos from `photos`, resized to each of `sizes`
    in turn (240 x 180 is the size of real-color-dev's slide frames); in the handwriting
    faces with `hands` (none when they are not fetched)."""
    rng = random.Random(seed)
    fonts: list = hand_fonts() if hands else available_fonts()
    cyr, lat = _names(data_dir, True), _names(data_dir, False)
    if not fonts or not cyr or not lat or not photos:
        return []
    out = []
    for i in range(n):
        cyrillic = i % 3 != 2
        alias, pid = rng.choice(cyr if cyrillic else lat)
        year = rng.randint(1905, 1989)
        template = rng.choice(TEMPLATES if cyrillic else LATIN_TEMPLATES)
        text = template.format(place=alias, y=year, yy=f"{year % 100:02d}")
        if template == "{place}-{yy}" and year < 1950:  # "-25" is too short to say 1925
            text = f"{alias}-{year}"
        size = sizes[(i // 2) % len(sizes)]
        photo = Image.open(rng.choice(photos)).convert("RGB").resize(size, Image.BICUBIC)
        font = fonts[i % len(fonts)]
        if hands and rng.random() < 1 / 3:
            text = text.upper()
        img = render_title(text, photo, font, rng)
        stem = f"hand-{font.name}" if hands else Path(font).stem
        out.append(WritingCase(f"gen{i:02d}-{stem}", img, text,
                               "Cyrl" if cyrillic else "Latn", pid, year))
    return out
