"""Album pages scanned at archive resolution: do the captions on their paper reach their prints?

    python -m eval.archive_album_captions [--out FILE.md] [--pages N] [--sizes 3500x5000,...]
                                          [--big-side 20000]

eval/album_pages.py measures the paper's captions on pages of ~700 x 800 px. Archives scan
album pages at 400-600 dpi: an A4 page is ~3300-5000 x 4700-7000 px, a typed caption under a
print 40-80 px tall. Here each page (seeded, so every run builds the same pages) is cream
paper with grain, 2 x 3 prints (skimage's sample photos, shown in gray, turned -3..3 degrees,
with a white border) filling it as a 9 x 13 cm print fills an A4 sheet, a typed caption
(`eval/album_pages.py`'s font) `CAPTION_HEIGHT` px tall of the 3500-px page (scaled with the
page) 0.4 cm under each print, a second line under two of them, and the album's title across
the top, far from every print. The page is read as the pipeline reads it with context on
(colorizer/pipeline/page_captions.py `read_paper`, the context encoder's real OCR reader; no
CLIP, scene model or embedding): per page, the captions attached to the print they were
written under, read exactly, given to a wrong print, and the paper read's seconds and peak
memory over the memory before it (the kernel's high-water mark, reset before the read; the
reader's models are loaded on a small page first). Last, a cheap `--big-side` square page
(flat paper, two prints of random blocks, a caption under each: `big_page`) measures the
paper read's memory on a page far larger than any scan of an album page.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from skimage import data as skdata

from colorizer.pipeline.album_page import find_prints
from colorizer.pipeline.page_captions import attach, box_gap, read_paper
from colorizer.pipeline.photo_input import load_photo
from eval.album_captions import Reader, caption_reader
from eval.album_pages import FONT
from eval.common import RESULTS_DIR, fail, now, positive_int

Box = tuple[int, int, int, int]
SEED = 11
BASE_WIDTH = 3500  # px: the page width the sizes below are given for (400 dpi A4)
CAPTION_HEIGHT = 45  # px: a caption line's ink height on a BASE_WIDTH page
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "retina", "camera", "moon",
          "hubble_deep_field")
CAPTIONS = ("Kazan, 1956", "Crimea, summer 1972", "Yalta 1961", "Moscow 1965",
            "Paris, May 1925", "Sochi 1968", "Riga 1959", "Odessa 1974")
SECOND_LINES = ("with Aunt Vera", "the old house")  # under the 2nd and 5th prints
TITLE = "Family album 1956-1974"
DEFAULT_SIZES = ((3500, 5000), (5000, 7000))
BIG_SIDE = 20000  # px: the cheap page whose paper read's memory is measured
MIN_SIDE = 800  # px: the smallest page side built (six prints and their captions fit)
MAX_PAGE_SIDE = 10000  # px: a page's grain is drawn whole (float64: 800 MB at 10000 x 10000)
MAX_BIG_SIDE = 30000  # px: the big page is built whole in memory (900 MB at this side)


@dataclass(frozen=True)
class ArchivePage:
    """A page's gray scan, each print's placed box and its caption (text, box drawn in)."""

    gray: Image.Image
    boxes: tuple[Box, ...]
    captions: tuple[tuple[str, Box], ...]


def _photo(name: str, fit: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """A sample photo in gray, as large as fits in `fit` (w, h), with a white border, turned."""
    photo = Image.fromarray(getattr(skdata, name)()).convert("L")
    scale = min(fit[0] / photo.width, fit[1] / photo.height)
    long_side = round(max(photo.size) * scale)
    photo = photo.resize((round(photo.width * scale), round(photo.height * scale)),
                         Image.BILINEAR)
    border = max(4, long_side // 40)
    framed = Image.new("L", (photo.width + 2 * border, photo.height + 2 * border), 246)
    framed.paste(photo, (border, border))
    return framed.rotate(float(rng.uniform(-3, 3)), Image.BICUBIC, expand=True, fillcolor=0)


def _font(size: int) -> ImageFont.ImageFont:
    """eval/album_pages.py's caption font; Pillow's own where Debian's DejaVu is absent."""
    return ImageFont.truetype(str(FONT), size) if FONT.is_file() else ImageFont.load_default(size)


def _font_for(height: int) -> ImageFont.ImageFont:
    """The eval's caption font at the size whose ink of a caption is `height` px tall."""
    size = height
    while size > 6 and _ink_height(size) > height:
        size -= 1
    return _font(size)


def _ink_height(size: int) -> int:
    box = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), "Crimea, 1972", font=_font(size))
    return box[3] - box[1]


def archive_page(width: int, height: int, seed: int = SEED) -> ArchivePage:
    """A `width` x `height` cream page of 2 x 3 prints, each with its caption (docstring)."""
    rng = np.random.default_rng(seed)
    scale = width / BASE_WIDTH
    noise = rng.normal(0, 2.0, (height, width)).astype(np.float32)
    page = Image.fromarray(np.clip(226 + noise, 0, 255).astype(np.uint8), "L")
    del noise
    draw = ImageDraw.Draw(page)
    font = _font_for(round(CAPTION_HEIGHT * scale))
    names = rng.permutation(len(PHOTOS))[:6]
    texts = rng.permutation(len(CAPTIONS))[:6]
    top, cell_w = round(0.16 * height), width // 2
    cell_h = (height - top - round(0.03 * height)) // 3
    boxes, captions = [], []
    for index in range(6):
        framed = _photo(PHOTOS[names[index]], (round(0.8 * cell_w), round(0.74 * cell_h)), rng)
        mask = Image.fromarray((np.asarray(framed) > 0).astype(np.uint8) * 255)
        x = (index % 2) * cell_w + (cell_w - framed.width) // 2
        y = top + (index // 2) * cell_h
        page.paste(framed, (x, y), mask)
        box = (x, y, x + framed.width, y + framed.height)
        boxes.append(box)
        lines = [CAPTIONS[texts[index]]] + ([SECOND_LINES[index // 3]] if index % 3 == 1 else [])
        at = (x + round(60 * scale), box[3] + round(60 * scale))
        drawn = []
        for line in lines:
            drawn.append(draw.textbbox(at, line, font=font))
            draw.text(at, line, fill=40, font=font)
            at = (at[0], drawn[-1][3] + round(0.35 * CAPTION_HEIGHT * scale))
        union = (min(b[0] for b in drawn), min(b[1] for b in drawn),
                 max(b[2] for b in drawn), max(b[3] for b in drawn))
        captions.append((" ".join(lines), union))
    title_font = _font_for(round(1.6 * CAPTION_HEIGHT * scale))
    draw.text((round(0.3 * width), round(0.05 * height)), TITLE, fill=30, font=title_font)
    return ArchivePage(page, tuple(boxes), tuple(captions))


def big_page(side: int = BIG_SIDE) -> ArchivePage:
    """A cheap `side` x `side` page (the memory bound, not the reading): flat paper, two
    prints of large random blocks side by side, a caption under each at the page's scale."""
    pixels = np.full((side, side), 226, np.uint8)
    unit = side // 200  # 100 px of a 20000-px page
    boxes, captions = [], []
    for index, text in enumerate(("Kazan, 1956", "Yalta 1961")):
        left, top = (15 + 95 * index) * unit, 30 * unit
        tile = np.random.default_rng(index).integers(30, 200, (70, 75), np.uint8)
        pixels[top:top + 70 * unit, left:left + 75 * unit] = np.kron(
            tile, np.ones((unit, unit), np.uint8))
        label = Image.new("L", (30 * unit, 4 * unit), 226)
        draw = ImageDraw.Draw(label)
        draw.text((0, 0), text, fill=30, font=_font(round(3.2 * unit)))
        x, y = left + 3 * unit, top + 74 * unit
        pixels[y:y + 4 * unit, x:x + 30 * unit] = np.asarray(label)
        ink = draw.textbbox((0, 0), text, font=_font(round(3.2 * unit)))
        boxes.append((left, top, left + 75 * unit, top + 70 * unit))
        captions.append((text, (x + ink[0], y + ink[1], x + ink[2], y + ink[3])))
    return ArchivePage(Image.fromarray(pixels, "L"), tuple(boxes), tuple(captions))


def _high_water_mb() -> float:
    """The process's peak resident memory since the last reset (VmHWM), MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def _resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def _reset_high_water() -> None:
    """VmHWM back to the current resident size (Linux: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def page_figures(reader: Reader, page: ArchivePage) -> dict:
    """One page's caption figures (the module docstring) and its paper read's cost."""
    loaded = load_photo(page.gray, page.gray.width * page.gray.height)
    prints = find_prints(loaded)
    _reset_high_water()
    before = _resident_mb()
    started = time.perf_counter()
    read = read_paper(reader, loaded, prints)
    seconds = time.perf_counter() - started
    peak = _high_water_mb() - before
    attached = attach(read, prints)
    owners = [next((i for i, box in enumerate(page.boxes) if _overlap(box, found.box)), None)
              for found in prints]
    given: list[list[str]] = [[] for _ in page.captions]  # blocks given to each caption's print
    wrong = []
    for owner, blocks in zip(owners, attached, strict=True):
        for block in blocks:
            if owner is None or box_gap(block.box, page.captions[owner][1]) > 0:
                wrong.append(block.text)
            else:
                given[owner].append(block.text)
    return {"size": list(page.gray.size), "prints": len(page.boxes), "found": len(prints),
            "placed": len(page.captions), "attached": sum(bool(g) for g in given),
            "exact": sum(_same(" ".join(g), text) for g, (text, _) in zip(given, page.captions)),
            "wrong": len(wrong), "missed": [text for g, (text, _) in zip(given, page.captions)
                                            if not g],
            "wrong_blocks": wrong, "blocks": [block.text for block in read],
            "seconds": round(seconds, 2), "peak_mb": round(peak)}


def _overlap(a: Box, b: Box) -> bool:
    """Most of the smaller box inside the other (a found print is the placed one)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width > 0 and height > 0 and width * height >= 0.5 * smaller


def report(rows: list[dict], pages: int) -> list[str]:
    """The markdown report: a row per page size, then each page."""
    lines = ["# Album pages at archive resolution: captions on the paper", "",
             (f"Generated {now()} by `python -m eval.archive_album_captions` ({pages} pages "
              "of six prints a size, and one cheap square page of two; how they are built and "
              "measured: the module's docstring). On a 2-core CPU shared with other work: the "
              "seconds are a guide, not a benchmark."), "",
             ("| page (px) | captions attached / written | read exactly | wrong print | "
              "paper read s (mean, max) | peak MB over before (max) |"),
             "|---|---:|---:|---:|---:|---:|"]
    for size in dict.fromkeys(tuple(r["size"]) for r in rows):
        of = [r for r in rows if tuple(r["size"]) == size]
        lines.append(f"| {size[0]} x {size[1]} | {sum(r['attached'] for r in of)} / "
                     f"{sum(r['placed'] for r in of)} | {sum(r['exact'] for r in of)} | "
                     f"{sum(r['wrong'] for r in of)} | "
                     f"{np.mean([r['seconds'] for r in of]):.1f}, "
                     f"{max(r['seconds'] for r in of):.1f} | {max(r['peak_mb'] for r in of)} |")
    lines += ["", "Per page: size, prints found, captions attached, the blocks read.", ""]
    lines += [f"- {r['size'][0]} x {r['size'][1]}: {r['found']}/{r['prints']} prints, "
              f"{r['attached']}/{r['placed']} captions, {r['seconds']} s, {r['peak_mb']} MB; "
              f"missed {r['missed']}, to a wrong print {r['wrong_blocks']}; read {r['blocks']}"
              for r in rows]
    return lines + [""]


def page_sizes(text: str) -> tuple[tuple[int, int], ...]:
    """argparse type of --sizes: "WxH,WxH", each side at least MIN_SIDE px."""
    sizes = []
    for size in text.split(","):
        parts = size.strip().lower().split("x")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise argparse.ArgumentTypeError(f"{size.strip()!r} is not WIDTHxHEIGHT: write "
                                             "e.g. 3500x5000,5000x7000")
        width, height = int(parts[0]), int(parts[1])
        if min(width, height) < MIN_SIDE:
            raise argparse.ArgumentTypeError(f"{width}x{height} is too small for six prints "
                                             f"and their captions: give sides of {MIN_SIDE} "
                                             "px or more")
        if max(width, height) > MAX_PAGE_SIDE:
            raise argparse.ArgumentTypeError(f"{width}x{height}: a page's grain is drawn whole "
                                             f"in memory; give sides of at most {MAX_PAGE_SIDE}"
                                             " px (--big-side measures a larger page)")
        sizes.append((width, height))
    return tuple(sizes)


def _big_side(text: str) -> int:
    """argparse type of --big-side: 0 (not measured) or MIN_SIDE to MAX_BIG_SIDE px."""
    value = int(text) if text.strip().isdigit() else -1
    if value != 0 and not MIN_SIDE <= value <= MAX_BIG_SIDE:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 (no big page) or a side of "
                                         f"{MIN_SIDE} to {MAX_BIG_SIDE} px")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.archive_album_captions",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=RESULTS_DIR / "archive-album-captions.md")
    parser.add_argument("--pages", type=positive_int, default=4,
                        help="pages a size (default 4)")
    parser.add_argument("--sizes", type=page_sizes, default=DEFAULT_SIZES,
                        help="WxH,WxH (default 3500x5000,5000x7000)")
    parser.add_argument("--big-side", type=_big_side, default=BIG_SIDE,
                        help=f"the cheap square page's side (default {BIG_SIDE}; 0: none)")
    args = parser.parse_args(argv)
    try:
        _reset_high_water()
    except OSError:
        raise fail("the paper read's peak memory is measured with /proc/self/clear_refs, "
                   "which this system does not offer: run this eval on Linux") from None
    reader = caption_reader()
    # A small page first, not measured: the reader's models are loaded at their first use.
    page_figures(reader, archive_page(BASE_WIDTH // 4, 5000 // 4))
    pages = [(f"{width}x{height} page {k}", lambda w=width, h=height, k=k:
              archive_page(w, h, SEED + k)) for width, height in args.sizes
             for k in range(args.pages)]
    pages += [(f"{args.big_side}x{args.big_side} cheap page", lambda: big_page(args.big_side))
              ] if args.big_side else []
    rows = []
    for name, build in pages:
        row = page_figures(reader, build())
        rows.append(row)
        print(f"{name}: {row['found']}/{row['prints']} prints, captions {row['attached']}/"
              f"{row['placed']} (exact {row['exact']}, wrong {row['wrong']}), {row['seconds']} "
              f"s, +{row['peak_mb']} MB; missed {row['missed']}, wrong {row['wrong_blocks']}; "
              f"read {row['blocks']}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(report(rows, args.pages)), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
