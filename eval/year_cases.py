"""Generated titles whose year is hard to read, for eval/real_writing.py: the year after a
hyphen ("Хорезм-1984"), on a line of its own ("Крым / 1973"), or its digits stacked in a
column beside the name (a slide's "Кавказ" with "1979" written downwards).

Places and years come from the gazetteer with a seeded generator (eval/writing_cases.py),
never from real-color-dev's titles, and are drawn in the same fonts (oblique and light faces
slanted and bent, `_hand`, for handwriting), inks, blur and JPEG as the other generated titles.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from eval.writing_cases import WritingCase, _names, available_fonts, render_title

LAYOUTS = ("hyphen", "apart", "stacked")


def _text_mask(text: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    left, top, right, bottom = font.getbbox(text)
    mask = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(mask).text((4 - left, 4 - top), text, font=font, fill=255)
    return mask


def layout_mask(place: str, year: int, layout: str, font: ImageFont.FreeTypeFont
                ) -> Image.Image:
    """The title's letters (white on black) in `layout` (`LAYOUTS`)."""
    if layout == "hyphen":
        return _text_mask(f"{place}-{year}", font)
    name = _text_mask(place, font)
    if layout == "apart":  # the year on its own line under the name, a half line apart
        digits = _text_mask(str(year), font)
        gap = font.size // 2
        out = Image.new("L", (max(name.width, digits.width), name.height + gap + digits.height))
        out.paste(name, (0, 0))
        out.paste(digits, ((out.width - digits.width) // 2, name.height + gap))
        return out
    # stacked: one digit under the other, in a column right of the name
    cells = [_text_mask(d, font) for d in str(year)]
    col_w = max(c.width for c in cells)
    col_h = sum(c.height for c in cells)
    out = Image.new("L", (name.width + font.size // 3 + col_w, max(name.height, col_h)))
    out.paste(name, (0, (out.height - name.height) // 2))
    y = 0
    for c in cells:
        out.paste(c, (name.width + font.size // 3 + (col_w - c.width) // 2, y))
        y += c.height
    return out


def year_cases(data_dir: str, photos: list[Path], n: int, seed: int = 16,
               sizes: tuple[tuple[int, int], ...] = ((480, 360), (240, 180))
               ) -> list[WritingCase]:
    """`n` Cyrillic titles, the layouts in turn, on photos from `photos` resized to each of
    `sizes` in turn (240 x 180: real-color-dev's slide frames)."""
    rng = random.Random(seed)
    fonts, names = available_fonts(), _names(data_dir, True)
    if not fonts or not names or not photos:
        return []
    out = []
    for i in range(n):
        layout = LAYOUTS[i % len(LAYOUTS)]
        alias, pid = rng.choice(names)
        year = rng.randint(1905, 1989)
        size = sizes[(i // len(LAYOUTS)) % len(sizes)]
        photo = Image.open(rng.choice(photos)).convert("RGB").resize(size, Image.BICUBIC)
        font = fonts[(i * 7) % len(fonts)]
        img = render_title("", photo, font, rng,
                           mask_of=lambda f, a=alias, y=year, k=layout: layout_mask(a, y, k, f))
        text = f"{alias}-{year}" if layout == "hyphen" else f"{alias} {year}"
        out.append(WritingCase(f"yr{i:02d}-{layout}-{Path(font).stem}", img, text, "Cyrl",
                               pid, year))
    return out
