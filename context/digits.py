"""A title's year where the reader read none: the boxes read again for digits alone.

The script and dictionary models read a hand title's letters and often lose its year: the
digits after a hyphen ("Украина-1977" read "Україна-"), a year on its own box, or digits
stacked in a column beside the name ("Кавказ" with "1979" written downwards, a box the
reader skips as no line). When no line read shows a year, the largest lines (each whole and
each of its detector boxes) are read again by one model allowed only digits and the hyphen
(`TesseractEngine.digit_words`) where a year would stand: the end of the line and just
right of it (`tails`), and tall narrow boxes are read as a column of stacked
digits and turned a quarter either way (upright or sideways writing). A year of 1826-2029
standing alone (no digit beside it) in such a reading becomes a line of its own, with the
mean confidence of its four digits; the encoder weighs it as any read year
(context/hints.py, context/writing.py `checked_year`).

Forced to digits, letters come out as digits too, so a year is taken only at
`YearPassConfig.min_confidence` (see there for how it was chosen), and only when no line
already shows one, so a photo pays for the pass only when a line of it was read as writing
(3+ letters) and none shows a year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

from context.line_images import LINE_HEIGHT, LineView, build_strip, otsu, plain_line
from context.regions import crop_line
from context.temporal import FIRST_PHOTO_YEAR, LAST_YEAR, find_dates
from context.tesseract import TesseractEngine

Box = tuple[int, int, int, int]
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20[0-2]\d)(?!\d)")
_YEAR_KINDS = ("year", "date", "range", "circa", "short", "decade")


@dataclass(frozen=True)
class YearPassConfig:
    enabled: bool = True
    model: str = "Latin"  # digits are one script's as much as another's
    # Floor on the mean confidence of the year's digits (0-1, Tesseract's). Chosen on 108
    # generated titles (eval/year_pass.py, seeds 1 and 2) and 40 untitled training photos by
    # the rule written there before it ran (max right - 2 x wrong, ties to the higher floor):
    # every floor of 0-0.9 gave 3 right, 0 wrong (eval/results/year-pass/); never chosen on
    # real-color-dev or Prokudin-Gorsky.
    min_confidence: float = 0.9
    max_lines: int = 3  # the largest lines are read again (each whole and box by box)
    max_columns: int = 2  # ... and the largest tall narrow boxes
    reach: float = 3.0  # line heights: a year's four digits and a hyphen (`tails`)
    column_width: int = LINE_HEIGHT  # a column is scaled to this width: one digit a line


def shows_year(text: str) -> bool:
    """Whether a reading already dates itself ("1977", "Молдова-81", "1950-х")."""
    return any(d.kind in _YEAR_KINDS for d in find_dates(text, catalogue=False))


def columns(boxes: list[tuple], image: Image.Image, limit: int) -> list[Box]:
    """Detector boxes at least twice as tall as wide and 16 px tall (stacked or sideways
    writing), lengthened by a quarter at each end; the largest `limit`."""
    out = []
    for b in boxes:
        x0, y0, x1, y1 = (int(v) for v in b[:4])
        if y1 - y0 >= max(16, 2 * (x1 - x0)) and x1 - x0 >= 4:
            pad = (y1 - y0) // 4  # the detector cuts stacked digits short at both ends
            out.append((max(0, x0 - 2), max(0, y0 - pad), min(image.width, x1 + 2),
                        min(image.height, y1 + pad)))
    out.sort(key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))
    return out[:limit]


def best_year(words: list[tuple[str, list[float]]]) -> tuple[int, float] | None:
    """The most confident year standing alone in words read digits-only, with its digits'
    confidence; None when none is there."""
    best = None
    for text, confs in words:
        for m in _YEAR.finditer(text):
            year = int(m.group(1))
            if not FIRST_PHOTO_YEAR <= year <= LAST_YEAR or len(confs) != len(text):
                continue
            conf = sum(confs[m.start(): m.end()]) / 4
            if best is None or conf > best[1]:
                best = (year, conf)
    return best


def tails(box: Box, image: Image.Image, reach: float) -> list[Box]:
    """Where a line's year would be: the end of the box, `reach` line heights wide, and
    as wide again right of it (the detector often stops a felt-tip title at its hyphen,
    "Україна-"), clipped to the image."""
    x0, y0, x1, y1 = box
    h, pad = y1 - y0, max(2, (y1 - y0) // 8)
    width = round(reach * h)
    out = [(max(x0, x1 - width), y0, x1, y1)]
    if x1 < image.width - h:
        out.append((max(x0, x1 - h // 2), max(0, y0 - pad), min(image.width, x1 + width),
                    min(image.height, y1 + pad)))
    return out


# The views of a line the reader itself tries (context/line_images.py): plain, binarized,
# and the ground removed for light and for dark letters (felt-tip on grass or a crowd).
VIEWS = (LineView(), LineView(binarized=True), LineView(cleaned_for="light"),
         LineView(cleaned_for="dark"))


def line_years(engine: TesseractEngine, image: Image.Image, boxes: list[Box],
               model: str) -> list[tuple[int, float] | None]:
    """`best_year` of each box over `VIEWS`, each view's boxes read in one strip."""
    if not boxes:
        return []
    per_line: list[list[tuple[str, list[float]]]] = [[] for _ in boxes]
    for view in VIEWS:
        strip, tops = build_strip(image, boxes, view)
        for text, confs, top, height in engine.digit_words(strip, model):
            centre = top + height / 2
            for i, t in enumerate(tops):
                if t - LINE_HEIGHT / 2 <= centre <= t + 1.5 * LINE_HEIGHT:
                    per_line[i].append((text, confs))
                    break
    return [best_year(words) for words in per_line]


def column_year(engine: TesseractEngine, image: Image.Image, box: Box, model: str,
                width: int) -> tuple[int, float] | None:
    """`best_year` of a tall box read as stacked digits (cut apart at the blank rows between
    them and set side by side, `unstacked`) and turned a quarter either way (a line of
    writing going up or down)."""
    crop = crop_line(image, box, 0.0)
    found = []
    row = unstacked(crop, width)
    if row is not None:
        found.append(best_year([(w, cs) for w, cs, *_ in engine.digit_words(row, model)]))
    for angle in (90, -90):
        turned = plain_line(crop.rotate(angle, expand=True), LINE_HEIGHT)
        found.append(best_year([(w, cs) for w, cs, *_ in engine.digit_words(
            _framed(turned), model)]))
    hits = [f for f in found if f is not None]
    return max(hits, key=lambda f: f[1]) if hits else None


def unstacked(crop: Image.Image, width: int) -> Image.Image | None:
    """A column of letters one under the other as one line, dark on white: the column at
    `width` px, its ground removed (a closing half as wide as the column), cut at the rows
    without ink into letters, which are set side by side at `LINE_HEIGHT`; None when the
    column holds fewer than 2 or more than 8 letters."""
    gray = plain_line(crop, crop.height, flatten=False)
    gray = gray.resize((width, max(width, round(gray.height * width / max(1, gray.width)))),
                       Image.BILINEAR)
    arr = np.asarray(gray, dtype=np.float32)
    ink = ndimage.grey_closing(arr, size=(width // 2, width // 2)) - arr
    mask = ink > max(otsu(np.clip(ink * 255.0 / max(float(ink.max()), 1.0), 0, 255))
                     * max(float(ink.max()), 1.0) / 255.0, 8.0)
    profile = mask.sum(axis=1)
    rows = profile > max(1.0, 0.15 * float(profile.max()))  # thin joins between letters cut
    cells, start = [], None
    for y, on in enumerate(list(rows) + [False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= width // 4:  # a letter, not a speck
                cells.append((start, y))
            start = None
    if not 2 <= len(cells) <= 8:
        return None
    letters = [Image.fromarray(np.where(mask[a:b], 0, 255).astype(np.uint8)) for a, b in cells]
    letters = [c.resize((max(1, round(c.width * LINE_HEIGHT / c.height)), LINE_HEIGHT))
               for c in letters]
    gap = LINE_HEIGHT // 5
    line = Image.new("L", (sum(c.width for c in letters) + gap * (len(letters) - 1),
                           LINE_HEIGHT), 255)
    x = 0
    for c in letters:
        line.paste(c, (x, 0))
        x += c.width + gap
    return _framed(line)


def _framed(line: Image.Image) -> Image.Image:
    """A white margin of half a line around the letters: Tesseract misses letters touching
    the image edge."""
    return ImageOps.expand(line.convert("L"), border=LINE_HEIGHT // 2, fill=255)


def read_year(engine: TesseractEngine, image: Image.Image,
              lines: list[tuple[Box, tuple[Box, ...]]], cols: list[Box],
              cfg: YearPassConfig) -> tuple[int, Box, float] | None:
    """(year, box, confidence) of the most confident year at `cfg.min_confidence` or above
    read digits-only at the ends (`tails`) of the largest lines, whole and box by box, and
    in the tall narrow boxes `cols`; None when none is."""
    largest = sorted(lines, key=lambda x: -(x[0][2] - x[0][0]) * (x[0][3] - x[0][1]))
    boxes = list(dict.fromkeys(b for box, parts in largest[: cfg.max_lines]
                               for b in ((box,) + (parts if len(parts) > 1 else ()))))
    boxes = list(dict.fromkeys(t for b in boxes for t in tails(b, image, cfg.reach)))
    found = list(zip(boxes, line_years(engine, image, boxes, cfg.model)))
    found += [(b, column_year(engine, image, b, cfg.model, cfg.column_width)) for b in cols]
    hits = [(b, y) for b, y in found if y is not None and y[1] >= cfg.min_confidence]
    if not hits:
        return None
    box, (year, conf) = max(hits, key=lambda h: h[1][1])
    return year, box, conf
