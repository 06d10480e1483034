"""The captions written on an album page's paper, each given to the print it belongs to.

Archives scan albums with their captions ("Kazan, 1956" typed or written under a print); a
historian expects that caption to be the print's evidence of place and time. The page's
paper is read by the pipeline's own context reader (the OCR every photo's context runs,
`pipeline.context_fn`) in pieces, one round each print (paper_pieces.py: the paper within
reach of a caption, at most the size the text detector reads in one pass, so a page scanned
at 600 dpi is read as a small one is), on the page's 8-bit gray with every print painted
over in the paper's level: only the paper's writing is left to read, each piece has the
reader's line budget (`ContextConfig.ocr_max_lines`) to itself, and none of it is spent
inside the prints. A line read in two pieces (a caption between two prints) is kept once
(`distinct_lines`).

1. Lines read close together (one above the other, overlapping sideways, at most
   `BLOCK_GAP` of a line's height apart) are one caption block: a two-line caption.
2. Each block goes to the print it is nearest to (the gap between the block's box and the
   print's box: 0 where they touch; below, above or beside alike), if that gap is at most
   `MAX_GAP_SHARE` of the print's shorter side. A caption is written within a few mm of its
   print (a 9 x 13 cm print: 0.5-1 cm under it; the synthetic pages of eval/album_pages.py:
   15 px under a 300 px print), and the next print lies farther (there: 35 px and more), so a
   caption between two prints goes to the nearer; a page's title far from every print, or
   writing in a corner, goes to none (farther than paper_pieces.PIECE_SHARE of every print's
   shorter side, it is not even read). A print with no block near it gets no caption.
3. Each block becomes a `Caption` with source `PAPER_SOURCE`, merged with the captions the
   print had (`print_caption`): with none it is the print's; with the user's own caption both
   are read (as the user's alone would be, in place of the file's); with a collection's
   record it is one more of its fields.

The page's note names the caption each print was given (`captions_note`), and its records
(`album_page` in the result's settings) list them under `paper_captions`. A page with no
writing on its paper passes each print exactly what it passed before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from colorizer.pipeline.captions import CatalogueCaption
from colorizer.pipeline.components import ContextFn
from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.paper_pieces import PlacedPrint, paper_piece, piece_regions
from context.types import Caption, SceneContext, TextLine

PAPER_SOURCE = "album-page:paper"
MAX_GAP_SHARE = 0.35  # of a print's shorter side: the farthest its caption may be written
BLOCK_GAP = 0.8  # of a line's height: lines this close are one caption
MIN_SIGNS = 2  # letters or digits in a line for it to be writing, not a speck read as "."
SAME_LINE_SHARE = 0.5  # of the smaller box: lines of two pieces overlapping this much are one

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PaperCaption:
    """One caption block read from the page's paper, in the page's pixels."""

    text: str
    box: Box  # (left, top, right, bottom)

    def caption(self) -> Caption:
        return Caption(self.text, PAPER_SOURCE)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "box": list(self.box), "source": PAPER_SOURCE}


def read_paper(context_fn: ContextFn | None, loaded: LoadedImage,
               prints: Sequence[PlacedPrint]) -> tuple[PaperCaption, ...]:
    """The caption blocks on the page's paper; () where context inference is off."""
    if context_fn is None:
        return ()
    height, width = loaded.pixels.shape[:2]
    lines: list[TextLine] = []
    for region in piece_regions(prints, width, height):  # one piece in memory at a time
        piece = paper_piece(loaded, region, prints)
        lines += [dataclasses.replace(line, box=piece.to_page(line.box))
                  for line in context_fn(piece.image, None, ()).text
                  if sum(ch.isalnum() for ch in line.text) >= MIN_SIGNS]
        del piece
    return tuple(caption_blocks(distinct_lines(lines)))


def distinct_lines(lines: Sequence[TextLine]) -> list[TextLine]:
    """`lines` with each line read in two pieces kept once: of lines overlapping by
    `SAME_LINE_SHARE` of the smaller box, the largest (a piece's edge may cut a line)."""
    kept: list[TextLine] = []
    for line in sorted(lines, key=lambda line: -_area(line.box)):
        if not any(_overlap(line.box, other.box) >= SAME_LINE_SHARE * _area(line.box)
                   for other in kept):
            kept.append(line)
    return kept


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _overlap(a: Box, b: Box) -> int:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def reads_writing(page_context: SceneContext) -> bool:
    """Whether the page's own context read writing (its OCR ran): with --no-ocr, or no
    Tesseract, reading the paper would run the rest of the context for nothing."""
    status = page_context.sources.get("ocr")
    return status is not None and status.used


def caption_blocks(lines: Sequence[TextLine]) -> list[PaperCaption]:
    """Step 1: lines close above one another joined into blocks, in reading order."""
    ordered = sorted(lines, key=lambda line: (line.box[1], line.box[0]))
    blocks: list[list[TextLine]] = []
    for line in ordered:
        home = next((block for block in blocks if _continues(block[-1], line)), None)
        if home is None:
            blocks.append([line])
        else:
            home.append(line)
    return [PaperCaption(" ".join(line.text.strip() for line in block),
                         (min(line.box[0] for line in block), min(line.box[1] for line in block),
                          max(line.box[2] for line in block), max(line.box[3] for line in block)))
            for block in blocks]


def _continues(upper: TextLine, lower: TextLine) -> bool:
    """`lower` is the next line of `upper`'s caption: just under it, overlapping sideways."""
    height = min(upper.box[3] - upper.box[1], lower.box[3] - lower.box[1])
    gap = lower.box[1] - upper.box[3]
    overlap = min(upper.box[2], lower.box[2]) - max(upper.box[0], lower.box[0])
    return gap <= BLOCK_GAP * height and overlap > 0


def box_gap(a: Box, b: Box) -> float:
    """Pixels between two boxes (0 where they touch or overlap)."""
    dx = max(0, b[0] - a[2], a[0] - b[2])
    dy = max(0, b[1] - a[3], a[1] - b[3])
    return float(np.hypot(dx, dy))


def attach(blocks: Sequence[PaperCaption], prints: Sequence[PlacedPrint]
           ) -> list[tuple[PaperCaption, ...]]:
    """Step 2: each print's caption blocks (in reading order), each block with its nearest
    print if it is near enough."""
    attached: list[list[PaperCaption]] = [[] for _ in prints]
    for block in blocks:
        gaps = [box_gap(block.box, page_print.box) for page_print in prints]
        if not gaps:
            continue
        nearest = int(np.argmin(gaps))
        left, top, right, bottom = prints[nearest].box
        if gaps[nearest] <= MAX_GAP_SHARE * min(right - left, bottom - top):
            attached[nearest].append(block)
    return [tuple(blocks_of_print) for blocks_of_print in attached]


def print_caption(caption: str | None, blocks: Sequence[PaperCaption]) -> str | None:
    """Step 3: the caption argument a print is colorized with; `caption` itself (the page's)
    where no block is attached."""
    if not blocks:
        return caption
    paper = [block.caption() for block in blocks]
    if isinstance(caption, CatalogueCaption):
        return CatalogueCaption.of([*caption.fields, *paper], caption.replaces)
    if caption is not None:  # the user's: read with the paper's, as it alone would be
        return CatalogueCaption.of([Caption(caption, "user"), *paper], replaces=True)
    return CatalogueCaption.of(paper, replaces=False)


def captions_note(read: Sequence[PaperCaption],
                  attached: Sequence[Sequence[PaperCaption]]) -> str:
    """What the page's note adds of its paper's writing ("" where none was read): which
    caption each print was given, and how many were near no print (read, not used)."""
    given = [f"print {index + 1}: {block.text!r}"
             for index, blocks in enumerate(attached) for block in blocks]
    unused = len(read) - len(given)
    parts = ([f"captions read on the paper, each given to its print ({'; '.join(given)})"]
             if given else [])
    plural = "s" if unused > 1 else ""
    parts += [f"{unused} caption{plural} on the paper near no print, not used"] if unused else []
    return "".join(f"; {part}" for part in parts)
