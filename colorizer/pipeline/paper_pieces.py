"""An album page's paper cut into the pieces its captions are read from: the paper round each
print, with every print painted over, at a bounded size.

Read whole, a page scanned at archive resolution (400-600 dpi: 3500 x 5000 px and more) is
shrunk by the text detector to its working size (context/detector.py `DETECTOR_MAX_SIDE`,
2000 px: a 45-px caption became 18 px) and keeps at most the context's `ocr_max_lines` (8)
lines, where a page of 6 prints with a two-line caption under two of them and a title has 9
(eval/archive_album_captions.py: 22 of 24 captions reached their print at 3500 x 5000
before, 21 of 24 at 5000 x 7000, the lines past the 8th lost). A caption is given only to a
print it is written near (within `MAX_GAP_SHARE` of the print's shorter side:
page_captions.py), so only the paper that near a print is read, a piece per print: its box
grown by `PIECE_SHARE` of its shorter side (the farthest caption, and room for a caption's
line reaching past it), cut at the page's edge. Each piece is read on its own (a line budget
of its own; a page holds at most 16 prints, each at least 6% of it:
album_page.MIN_PRINT_SHARE) at most `PIECE_SIDE` px long, the most the text detector reads
in one pass: a piece's writing keeps the share of the detector's input it has of its print's
surroundings whatever the scan's resolution (a 45-px caption under a print of a 3500 x 5000
page is read at ~24 px; with the page read whole, the detector found such captions at 18
px). A piece is made from the page's pixels a band of rows at a time, averaged down (cv2's
INTER_AREA) to its size before the next band is read: a piece takes memory of its own size,
not of the page (the paper read of a 20000 x 20000 page: +258 MB; with the page's whole gray
and a mask of it copied, +1078 MB). The price is time: a text detection (~1.3 s on 2 CPU
cores) a print, where the page read whole took one (8.6 s a page against 2.7 s).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np
from PIL import Image

from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.imageio import LoadedImage
from context.detector_tiles import TILE_PIXELS

PIECE_SHARE = 0.5  # of a print's shorter side: the paper read round it (page_captions' 0.35 +)
# px: a piece's long side at most: the largest the text detector reads in one pass (a larger
# piece it reads in tiles: 2.6 s a piece at 2000 px against 1.3 s at 1216 on 2 CPU cores, and
# the same lines read on the 3500 x 5000 pages of eval/archive_album_captions.py).
PIECE_SIDE = math.isqrt(TILE_PIXELS)
EDGE_PAD_SHARE = 0.01  # of a print's shorter side (+2 px): its edge painted over with it
BAND_ROWS = 64  # a piece's rows made from one band of the page's rows

Box = tuple[int, int, int, int]


class PlacedPrint(Protocol):
    """A print on the page (album_page.PagePrint: not imported, it imports this module)."""

    corners: tuple[tuple[float, float], ...]
    box: Box


@dataclass(frozen=True)
class PaperPiece:
    """The paper round one print: 8-bit gray, every print painted in the paper's level."""

    image: Image.Image
    region: Box  # (left, top, right, bottom) in the page's pixels
    scale: tuple[float, float]  # the piece's pixels per page pixel (x, y)

    def to_page(self, box: Box) -> Box:
        """A box in the piece's pixels as a box in the page's (grown to whole pixels)."""
        left, top, right, bottom = self.region
        sx, sy = self.scale
        return (max(left, left + int(np.floor(box[0] / sx))),
                max(top, top + int(np.floor(box[1] / sy))),
                min(right, left + int(np.ceil(box[2] / sx))),
                min(bottom, top + int(np.ceil(box[3] / sy))))


def piece_regions(prints: Sequence[PlacedPrint], width: int, height: int,
                  share: float = PIECE_SHARE) -> list[Box]:
    """Each print's box grown by `share` of its shorter side, cut at the page's edge."""
    regions = []
    for page_print in prints:
        left, top, right, bottom = page_print.box
        grow = round(share * min(right - left, bottom - top))
        regions.append((max(0, left - grow), max(0, top - grow),
                        min(width, right + grow), min(height, bottom + grow)))
    return regions


def paper_piece(loaded: LoadedImage, region: Box, prints: Sequence[PlacedPrint],
                side: int = PIECE_SIDE) -> PaperPiece:
    """The piece of `loaded`'s paper in `region`, at most `side` px long, every print (and a
    few pixels round its edge) painted in the paper's level (the median of the rest: no edge
    is left for the text detector to read as writing)."""
    gray = region_gray(loaded, region, side)
    left, top, right, bottom = region
    scale = (gray.shape[1] / (right - left), gray.shape[0] / (bottom - top))
    covered = np.zeros(gray.shape, np.uint8)
    for page_print in prints:
        print_left, print_top, print_right, print_bottom = page_print.box
        pad = 2 + EDGE_PAD_SHARE * min(print_right - print_left, print_bottom - print_top)
        outline = np.round([((x + 0.5 - left) * scale[0] - 0.5, (y + 0.5 - top) * scale[1] - 0.5)
                            for x, y in page_print.corners]).astype(np.int32)
        cv2.fillPoly(covered, [outline], 1)
        thickness = 2 * max(1, round(pad * min(scale))) + 1
        cv2.polylines(covered, [outline], True, 1, thickness=thickness)
    rest = gray[::4, ::4][covered[::4, ::4] == 0]  # every 4th pixel: the level, not a copy
    gray[covered == 1] = int(np.median(rest)) if rest.size else 0
    return PaperPiece(Image.fromarray(gray, "L"), region, scale)


def region_gray(loaded: LoadedImage, region: Box, side: int = PIECE_SIDE) -> np.ndarray:
    """(h, w) uint8, a copy: the page's gray (as its context reads it: context_gray.py) in
    `region`, at most `side` px long. Whole blocks of `factor` x `factor` pixels are averaged
    a band of rows at a time (exact, no seam between bands), then the rest of the way at once
    (on at most 2 x `side` px)."""
    left, top, right, bottom = region
    width, height = right - left, bottom - top
    factor = max(1, min(max(width, height) // side, width, height))
    rows = []
    for start in range(top, bottom - factor + 1, factor * BAND_ROWS):
        stop = start + factor * ((min(bottom, start + factor * BAND_ROWS) - start) // factor)
        pixels = loaded.pixels[start:stop, left:right]
        if not pixels.flags.c_contiguous:
            pixels = pixels.copy()  # ndarray.copy keeps a subclass (InvertedLevels)
        band = np.asarray(context_gray(dataclasses.replace(
            loaded, pixels=pixels, size=(width, stop - start))))
        if factor > 1:
            band = cv2.resize(band[:, : width - width % factor],
                              (width // factor, (stop - start) // factor),
                              interpolation=cv2.INTER_AREA)
        rows.append(np.array(band))  # a copy: an 8-bit gray band is the page's own pixels
    gray = np.concatenate(rows) if len(rows) > 1 else rows[0]
    shrink = side / max(gray.shape)
    if shrink < 1:
        size = (max(1, round(gray.shape[1] * shrink)), max(1, round(gray.shape[0] * shrink)))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    return gray
