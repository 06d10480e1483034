"""Album pages: each print colorized with the page whole, split by the pipeline, or cropped.

    python -m eval.album_pages --out DIR --shared DATASETS [--limit N]   # N pages a dataset

Synthetic album pages (seeded, so every run builds the same pages): 2x2 and 3x2 prints of a
dataset's color photos, 300 px on the long side, a white border, turned -4..4 degrees, on dark
or cream paper with grain and a handwritten-style caption under each. The page's L* (as a gray
scan) is colorized, without context or exemplars, three ways:

    whole   the page as one photo (`split_page=False`): each print gets a fraction of the
            render size, and the paper some color
    split   the pipeline as shipped: it finds the prints (colorizer/pipeline/album_page.py),
            colorizes each alone and keeps the paper neutral
    crop    each placed print's box cropped by hand and colorized alone (an oracle: the
            boxes are known), the rest gray: what /tmp/albumpage/measure.py measured

Per print: mean CIEDE2000 to the true colors inside the print (its border left out), for the
three and for the gray input. Per page: the paper's mean chroma C* (away from the prints),
and the prints found by the split against those placed (a found box overlapping a placed one
by IoU >= 0.5 counts). photos-train is the tuning set (the default rule was decided on it:
/tmp/albumpage/rule.md); real-color-dev and prokudin-gorsky are reported after it.

The captions under the prints are also read from the page's paper and given to their prints
as the pipeline does with context on (eval/album_captions.py: how many reach the print they
were written under), with the OCR reader alone; the colorization above runs without it.

Writes OUT/report.json, OUT/report.md and OUT/sheet-<dataset>.png (the first two pages of
each dataset: gray | whole | split).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage
from skimage.color import deltaE_ciede2000

from colorizer.pipeline.colorization import ColorizationPipeline
from eval import metrics
from eval.album_captions import (
    Reader,
    caption_figures,
    caption_lines,
    caption_reader,
    caption_summary,
)
from eval.common import (
    RESULTS_DIR,
    absent_data,
    add_shared_argument,
    configure_logging,
    fail,
    luminance_input,
    missing_data,
    now,
    parse_eval_args,
    parse_setting,
    pixels,
    positive_int,
    rounded,
    shared_datasets,
    with_settings,
)

DATASETS = ("photos-train", "real-color-dev", "prokudin-gorsky")  # the tuning set first
PAGES = 8  # a dataset's pages in a whole run: 40 prints
SEED = 7  # each dataset's pages are drawn from a fresh generator of this seed
PRINT_SIDE, BORDER = 300, 10  # px: a print's long side, its white border
SUFFIXES = (".jpg", ".png")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Oblique.ttf")
CAPTIONS = ("Moscow 1965", "Crimea, summer 1972", "Kazan 1958", "Grandma's garden",
            "Paris 1925", "at the lake")
MATCH_IOU = 0.5  # a found print is the placed one it overlaps this much
SHEET_PAGES, SHEET_HEIGHT = 2, 360


@dataclass(frozen=True)
class AlbumPage:
    """A synthetic page: its true colors, each print's photo mask and box, the paper mask."""

    truth: np.ndarray  # (H, W, 3) float sRGB in [0, 1]
    masks: tuple[np.ndarray, ...]  # (H, W) bool: each print's photo, 2 px in from its border
    boxes: tuple[tuple[int, int, int, int], ...]  # each print's (left, top, right, bottom)
    paper: np.ndarray  # (H, W) bool: paper at least 6 px from any print
    layout: str
    paper_kind: str
    # Each print's caption and the box it was drawn in, in the order of `boxes`.
    captions: tuple[tuple[str, tuple[int, int, int, int]], ...] = ()


def _turned_print(path: Path, rng: np.random.Generator) -> tuple[Image.Image, ...]:
    """(the framed print, its photo's mask, its whole mask), each turned by a random angle."""
    photo = Image.open(path).convert("RGB")
    scale = PRINT_SIDE / max(photo.size)
    photo = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.LANCZOS)
    size = (photo.width + 2 * BORDER, photo.height + 2 * BORDER)
    framed = Image.new("RGB", size, (246, 245, 240))
    framed.paste(photo, (BORDER, BORDER))
    photo_mask = Image.new("L", size, 0)
    photo_mask.paste(255, (BORDER, BORDER, BORDER + photo.width, BORDER + photo.height))
    angle = float(rng.uniform(-4, 4))
    return (framed.rotate(angle, Image.BICUBIC, expand=True),
            photo_mask.rotate(angle, Image.NEAREST, expand=True),
            Image.new("L", size, 255).rotate(angle, Image.BILINEAR, expand=True))


def _font(size: int) -> ImageFont.ImageFont:
    # DejaVu is a Debian font; without it Pillow's own (captions only need to be ink).
    return ImageFont.truetype(str(FONT), size) if FONT.is_file() else ImageFont.load_default(size)


def compose(photos: list[Path], cols: int, rows: int, paper_kind: str,
            rng: np.random.Generator) -> AlbumPage:
    """The page of `photos` in a cols x rows grid (the same draws as the scratch script)."""
    prints = [_turned_print(p, rng) for p in photos]
    cell_w = max(p[0].width for p in prints) + 40
    cell_h = max(p[0].height for p in prints) + 70  # room for a caption
    width, height = cols * cell_w + 40, rows * cell_h + 40
    color = (22, 22, 24) if paper_kind == "dark" else (236, 226, 203)
    noise = rng.normal(0, 2.0, (height, width, 1))
    page = Image.fromarray(np.clip(np.asarray(Image.new("RGB", (width, height), color)) + noise,
                                   0, 255).astype(np.uint8))
    ink = (225, 225, 220) if paper_kind == "dark" else (40, 35, 60)
    draw, font = ImageDraw.Draw(page), _font(22)
    masks, boxes, captions, anywhere = [], [], [], np.zeros((height, width), bool)
    for i, (framed, photo_mask, whole_mask) in enumerate(prints):
        x = 20 + (i % cols) * cell_w + (cell_w - framed.width) // 2
        y = 20 + (i // cols) * cell_h + 10
        page.paste(framed, (x, y), whole_mask)
        box = (x, y, x + framed.width, y + framed.height)
        mask = np.zeros((height, width), bool)
        mask[y:box[3], x:box[2]] = np.asarray(photo_mask) > 127
        masks.append(ndimage.binary_erosion(mask, iterations=2))
        anywhere[y:box[3], x:box[2]] |= np.asarray(whole_mask) > 0
        boxes.append(box)
        text = CAPTIONS[i % len(CAPTIONS)]
        draw.text((x + 20, box[3] + 12), text, fill=ink, font=font)
        captions.append((text, tuple(draw.textbbox((x + 20, box[3] + 12), text, font=font))))
    return AlbumPage(pixels(page), tuple(masks), tuple(boxes),
                     ~ndimage.binary_dilation(anywhere, iterations=6), f"{cols}x{rows}",
                     paper_kind, tuple(captions))


def dataset_pages(folder: Path, count: int):
    """The first `count` pages of `folder`'s photos: (index, page or the error that stopped it).
    Each dataset draws from a fresh generator: its page k is the same whatever --limit."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
    rng = np.random.default_rng(SEED)
    for k in range(count):
        cols, rows = (2, 2) if k % 2 == 0 else (3, 2)
        paper_kind = "dark" if (k // 2) % 2 == 0 else "cream"
        if len(files) < cols * rows:
            fix = f"add photos or pass --limit {k}" if k else "add photos"
            yield k, (f"{folder} holds {len(files)} photos ({'/'.join(SUFFIXES)}); a {cols}x{rows}"
                      f" page needs {cols * rows}: {fix}")
            continue
        pick = [files[i] for i in rng.choice(len(files), cols * rows, replace=False)]
        try:
            yield k, compose(pick, cols, rows, paper_kind, rng)
        except OSError as error:  # one unreadable photo loses its page, not the run
            yield k, f"{', '.join(p.name for p in pick)}: {error}"


def _chroma(rgb: np.ndarray, mask: np.ndarray) -> float:
    lab = metrics.lab_of(rgb)
    return float(np.hypot(lab[..., 1], lab[..., 2])[mask].mean())


def _iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _cropped(pipe: ColorizationPipeline, page: AlbumPage, gray: Image.Image) -> np.ndarray:
    """The oracle: each placed print's box colorized alone, the rest of the page gray."""
    out = np.repeat(np.asarray(gray, np.float64)[..., None] / 255, 3, -1)
    for left, top, right, bottom in page.boxes:
        out[top:bottom, left:right] = pixels(pipe(gray.crop((left, top, right, bottom))).image)
    return out


def evaluate(split_pipe: ColorizationPipeline, whole_pipe: ColorizationPipeline,
             page: AlbumPage, reader: Reader | None = None
             ) -> tuple[dict, dict[str, np.ndarray]]:
    """One page's figures, and its images (gray, whole, split) for the contact sheet; with
    a `reader`, its captions' figures too (eval/album_captions.py)."""
    gray = luminance_input(page.truth)
    whole = pixels(whole_pipe(gray).image)
    split_result = split_pipe(gray)
    split = pixels(split_result.image)
    outputs = {"whole": whole, "split": split, "crop": _cropped(whole_pipe, page, gray),
               "gray": metrics.gray_baseline(page.truth)}
    truth_lab = metrics.lab_of(page.truth)
    labs = {name: metrics.lab_of(rgb) for name, rgb in outputs.items()}
    prints = [{name: float(deltaE_ciede2000(truth_lab[m], lab[m]).mean())
               for name, lab in labs.items()} for m in page.masks]
    found = [tuple(p["box"]) for p in split_result.settings.get("album_page", [])]
    matched = sum(any(_iou(placed, box) >= MATCH_IOU for box in found) for placed in page.boxes)
    figures = {"layout": page.layout, "paper": page.paper_kind,
               "size": list(page.truth.shape[:2]), "prints": prints,
               "placed": len(page.boxes), "found": len(found), "matched": matched,
               "paper_chroma": {name: _chroma(outputs[name], page.paper)
                                for name in ("whole", "split", "crop")}}
    if reader is not None:
        figures["captions"] = caption_figures(reader, gray, page.captions, page.boxes, _iou,
                                              MATCH_IOU)
    return figures, {"gray": outputs["gray"], "whole": whole, "split": split}


def summarize(pages: list[dict]) -> dict:
    """A dataset's figures over its pages: per-print means, paper C*, detection recall."""
    prints = [p for page in pages for p in page["prints"]]
    if not prints:
        return {"pages": 0, "prints": 0}
    placed = sum(page["placed"] for page in pages)
    captions = caption_summary(pages)
    return {"pages": len(pages), "prints": len(prints),
            **({"captions": captions} if captions else {}),
            "de00": {k: float(np.mean([p[k] for p in prints]))
                     for k in ("whole", "split", "crop", "gray")},
            "paper_chroma": {k: float(np.mean([page["paper_chroma"][k] for page in pages]))
                             for k in ("whole", "split", "crop")},
            "placed": placed, "found": sum(page["found"] for page in pages),
            "matched": sum(page["matched"] for page in pages),
            "recall": sum(page["matched"] for page in pages) / placed}


def contact_sheet(rows: list[dict[str, np.ndarray]], path: Path) -> None:
    """Each page a row, gray | whole | split, SHEET_HEIGHT px high, labelled."""
    tiles = []
    for row in rows:
        images = [Image.fromarray((np.clip(row[k], 0, 1) * 255 + 0.5).astype(np.uint8))
                  for k in ("gray", "whole", "split")]
        width = round(images[0].width * SHEET_HEIGHT / images[0].height)
        tile = Image.new("RGB", (3 * width + 20, SHEET_HEIGHT + 24), (255, 255, 255))
        draw = ImageDraw.Draw(tile)
        for i, (label, image) in enumerate(zip(("gray", "whole", "split"), images, strict=True)):
            tile.paste(image.resize((width, SHEET_HEIGHT), Image.LANCZOS), (i * (width + 10), 24))
            draw.text((i * (width + 10) + 4, 2), label, fill=(0, 0, 0), font=_font(16))
        tiles.append(tile)
    sheet = Image.new("RGB", (max(t.width for t in tiles), sum(t.height + 10 for t in tiles)),
                      (255, 255, 255))
    top = 0
    for tile in tiles:
        sheet.paste(tile, (0, top))
        top += tile.height + 10
    sheet.save(path)


def run_dataset(pipes: tuple[ColorizationPipeline, ColorizationPipeline], folder: Path,
                count: int, out: Path, reader: Reader | None = None) -> dict:
    """A dataset's pages, figures and contact sheet (written to OUT/sheet-<name>.png); with
    a `reader`, the captions' figures too."""
    pages, errors, sheet_rows = [], [], []
    for k, page in dataset_pages(folder, count):
        if isinstance(page, str):
            errors.append(f"page {k}: {page}")
            print(f"{folder.name} page {k} skipped: {page}", flush=True)
            continue
        started = time.perf_counter()
        figures, images = evaluate(*pipes, page, reader)
        figures["seconds"] = round(time.perf_counter() - started, 1)
        pages.append(figures)
        if len(sheet_rows) < SHEET_PAGES:
            sheet_rows.append(images)
        means = {name: np.mean([p[name] for p in figures["prints"]])
                 for name in ("whole", "split", "crop", "gray")}
        print(f"{folder.name} page {k} {page.layout} {page.paper_kind}: "
              + " ".join(f"{name} {value:.2f}" for name, value in means.items())
              + f"; found {figures['found']} of {figures['placed']}"
              + (f"; captions {figures['captions']['attached']} of {figures['placed']}"
                 if "captions" in figures else "") + f" ({figures['seconds']} s)",
              flush=True)
    if sheet_rows:
        contact_sheet(sheet_rows, out / f"sheet-{folder.name}.png")
    return {"summary": summarize(pages), "pages": pages, "errors": errors,
            "sheet": f"sheet-{folder.name}.png" if sheet_rows else None}


def markdown(report: dict) -> list[str]:
    limit = report["pages_per_dataset"]
    lines = ["# Album pages: whole, split, cropped", "",
             (f"Generated {report['generated']} by `python -m eval.album_pages` "
              f"({limit} page{'s' if limit > 1 else ''} a dataset"
              f"{'' if limit == PAGES else ', a partial run'}; "
              f"weights: {report['weights']}; no context, no exemplars"
              f"{''.join(f'; {k}={v}' for k, v in report['settings'].items())}). How the pages are "
              "built and measured: the module's docstring."), "",
             ("Mean CIEDE2000 per print (lower is better); paper C* (0 = neutral); prints "
              f"found by the split that match a placed one (IoU >= {MATCH_IOU})."), "",
             ("| dataset | prints | whole | split | crop (oracle) | gray | paper C* whole | "
              "split | crop | found / placed | recall |"),
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, result in report["datasets"].items():
        s = result["summary"]
        if not s["prints"]:
            lines.append(f"| {name} | 0 | | | | | | | | | |")
            continue
        de, paper = s["de00"], s["paper_chroma"]
        lines.append(f"| {name} | {s['prints']} | {de['whole']:.2f} | {de['split']:.2f} | "
                     f"{de['crop']:.2f} | {de['gray']:.2f} | {paper['whole']:.2f} | "
                     f"{paper['split']:.2f} | {paper['crop']:.2f} | "
                     f"{s['found']} / {s['placed']} ({s['matched']} matched) | "
                     f"{s['recall']:.2f} |")
    lines += caption_lines(report["datasets"])
    lines += ["", "photos-train is the tuning set; the others are reported after it."]
    for name, result in report["datasets"].items():
        if result["sheet"]:
            lines += ["", f"![{name}: gray | whole | split]({result['sheet']})"]
        lines += [f"- {name}: {error}" for error in result["errors"]]
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.album_pages",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "album-pages",
                        help="the report's folder (default: eval/results/album-pages)")
    add_shared_argument(parser, ", ".join(DATASETS))
    parser.add_argument("--limit", type=positive_int, default=PAGES,
                        help=f"pages a dataset (default {PAGES}: 40 prints)")
    parser.add_argument("--weights", type=Path, default=None, help="default: the embedded")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    parser.add_argument("--set", dest="settings", type=parse_setting, action="append",
                        default=[], metavar="KEY=VALUE",
                        help="pipeline setting for pipe.with_config, VALUE as JSON; repeatable "
                             "(e.g. render_size=512)")
    args = parse_eval_args(parser, argv)
    shared, asked = shared_datasets(args)
    if problem := absent_data(shared, *DATASETS):
        return missing_data(asked, "album_pages", problem)
    configure_logging()
    split_pipe = ColorizationPipeline.from_pretrained(args.weights, device=args.device,
                                                      context=False, exemplars=False)
    try:
        split_pipe = with_settings(split_pipe, args.settings)
    except ValueError as error:  # an unknown or out-of-range --set
        raise fail(f"--set: {error}") from None
    whole_pipe = split_pipe.with_config(split_page=False)
    reader = caption_reader()
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"generated": now(), "weights": str(args.weights or "embedded default"),
              "pages_per_dataset": args.limit, "seed": SEED,
              "settings": dict(args.settings),
              "datasets": {name: run_dataset((split_pipe, whole_pipe), shared / name,
                                             args.limit, args.out, reader)
                           for name in DATASETS}}
    (args.out / "report.json").write_text(json.dumps(rounded(report, 3), indent=1) + "\n",
                                          encoding="utf-8")
    (args.out / "report.md").write_text("\n".join(markdown(report)), encoding="utf-8")
    print(f"wrote {args.out / 'report.json'}, report.md and the sheets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
