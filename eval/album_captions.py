"""Album pages' captions: each caption written under a print given to that print.

The captions eval/album_pages.py writes under its prints are read the way the pipeline reads
them (colorizer/pipeline/page_captions.py: the page's paper read round each print by the
context reader, each caption block given to its nearest print) with the real OCR reader
(rapidocr boxes and Tesseract; no CLIP, scene model or embedding: they read no writing).
Per page:

    placed    captions written (one under each print)
    attached  those given to the print they were written under: a block given to the found
              print that matches the placed one (IoU, as album_pages counts prints) and
              overlapping where that print's caption was drawn
    exact     of those, the ones read as written (case and spaces aside)
    wrong     blocks given to a print they were not written under

The colorization figures are not touched: the pages are colorized without context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PIL import Image

from colorizer.pipeline.album_page import find_prints
from colorizer.pipeline.page_captions import attach, box_gap, read_paper
from colorizer.pipeline.photo_input import load_photo
from context import Caption, ContextConfig, ContextEncoder

Reader = Callable[[Image.Image, str | None, Sequence[Caption]], Any]
Box = tuple[int, int, int, int]


def caption_reader() -> Reader:
    """The context encoder's writing reader, as the pipeline calls its context."""
    encoder = ContextEncoder.from_default(ContextConfig(embed=False))
    return lambda image, hints, captions: encoder(image, hint=hints, captions=captions)


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def caption_figures(reader: Reader, gray: Image.Image, placed: Sequence[tuple[str, Box]],
                    boxes: Sequence[Box], iou: Callable[[Box, Box], float],
                    min_iou: float) -> dict[str, int]:
    """One page's caption figures (the module docstring): `placed` is each print's caption
    and where it was drawn, `boxes` each print's placed box, in the same order."""
    loaded = load_photo(gray, 10**9)
    prints = find_prints(loaded)
    attached = attach(read_paper(reader, loaded, prints), prints)
    right = exact = wrong = 0
    for found, blocks in zip(prints, attached, strict=True):
        owner = next((i for i, box in enumerate(boxes) if iou(box, found.box) >= min_iou), None)
        for block in blocks:
            if owner is None or box_gap(block.box, placed[owner][1]) > 0:
                wrong += 1
                continue
            right += 1
            exact += _same(block.text, placed[owner][0])
    return {"placed": len(placed), "attached": right, "exact": exact, "wrong": wrong}


def caption_summary(pages: Sequence[dict]) -> dict[str, int] | None:
    """A dataset's caption figures over its pages; None where captions were not read."""
    figures = [page["captions"] for page in pages if page.get("captions")]
    if not figures:
        return None
    return {key: sum(f[key] for f in figures) for key in ("placed", "attached", "exact",
                                                          "wrong")}


def caption_lines(datasets: dict[str, dict]) -> list[str]:
    """The report's markdown on captions: a table of each dataset's figures."""
    rows = [(name, result["summary"].get("captions")) for name, result in datasets.items()]
    if not any(figures for _, figures in rows):
        return []
    lines = ["", ("Captions written under the prints, read from the paper and given to a print "
                  "(colorizer/pipeline/page_captions.py, real OCR): attached to the print "
                  "they were written under / written; read exactly as written; given to "
                  "another print."), "",
             "| dataset | attached to the right print | read exactly | wrong print |",
             "|---|---:|---:|---:|"]
    for name, c in rows:
        if c:
            lines.append(f"| {name} | {c['attached']} / {c['placed']} | {c['exact']} / "
                         f"{c['placed']} | {c['wrong']} |")
    return lines
