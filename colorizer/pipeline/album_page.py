"""A scanned album page with several prints on it: each print colorized on its own.

A whole album page (3-6 prints on dark or cream paper, scanned at 600 dpi) colorized as one
photo gets the render size (320 px) for the page's long side: each print is predicted at a
fraction of it, the paper between them gets color, and one print's context colors its
neighbours. On synthetic pages (2x2 and 3x2, prints turned -4..4 degrees, white borders,
captions on dark or cream paper; 40 prints each, no context; `python -m eval.album_pages`)
the prints' mean CIEDE2000 went from 11.21 (page whole) to 10.37 (split here; gray 11.32)
with photos-train's photos, and the paper's mean C* from 0.18 to 0.00; Prokudin-Gorsky
plates 12.26 and 11.59 (gray 12.48); real-color-dev's 240-px slides (rendered near their own
size either way) 9.98 and 9.98 (gray 9.96).

A page is recognised at a small size (long side `_SIDE`):

    paper  = the page's outer frame is flat: one level (L*) with little spread
    things = pixels away from the paper's level or with detail, holes filled
    prints = things whose minimum-area rectangle holds at least `MIN_PRINT_SHARE` of the page,
             that fill it (`MIN_FILL`), away from the page's edge
    page   = at least two prints, covering `MIN_COVER` of all things (the rest: captions);
             never a stereo card (two views of one scene: stereo.py keeps them alike)

Anything else is an ordinary photo, colorized exactly as before. A page's output keeps its L*
everywhere; inside each print's rectangle it is that print's crop colorized alone, elsewhere
(the paper, its captions) neutral. The prints are colorized one at a time (memory bounded by
the largest print, not the page). With context on, the writing on the paper is read, a piece
round each print (paper_pieces.py), and each caption given, as its caption, to the print it
was written by (page_captions.py); the records name them (`paper_captions`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import torch
from PIL import Image
from scipy import ndimage

from colorizer.model.colorspace import gray_rgb_from_lightness
from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.luminance import lightness_rows, row_bands
from colorizer.pipeline.page_captions import (
    attach,
    captions_note,
    print_caption,
    read_paper,
    reads_writing,
)
from colorizer.pipeline.result import ColorizationResult
from colorizer.pipeline.stereo import stereo_inside

if TYPE_CHECKING:
    from colorizer.pipeline.batching import PreparedPhoto

_SIDE = 512  # the long side (px) the page is read at
FRAME_SHARE = 0.02  # of each side: the page's outer frame, where only paper lies
MAX_PAPER_SPREAD = 6.0  # L*: 90th percentile of the frame's distance from the paper level
MIN_CONTRAST = 4.0  # L*: a thing differs from the paper at least this much (or has detail)
DETAIL = 3.0  # L*: local std (5x5) above which a pixel is a print's detail
MIN_PRINT_SHARE = 0.06  # of the page: each print's rectangle (6 prints on a page: 7-10% each)
MIN_FILL = 0.85  # a print's area over its rectangle's
MIN_COVER = 0.8  # of all the things: what the prints cover
EDGE_MARGIN = 0.005  # of each side: a print keeps this far from the page's edge
MIN_PRINTS = 2


@dataclass(frozen=True)
class PagePrint:
    """One print found on a page, in the page's pixels."""

    corners: tuple[tuple[float, float], ...]  # its rectangle's 4 corners (x, y)
    box: tuple[int, int, int, int]  # the crop colorized: (left, top, right, bottom)
    angle: float  # degrees the rectangle is turned (OpenCV's minAreaRect)

    def to_dict(self) -> dict[str, Any]:
        return {"box": list(self.box), "angle": round(self.angle, 2),
                "corners": [[round(x, 1), round(y, 1)] for x, y in self.corners]}


def small_lightness(loaded: LoadedImage) -> np.ndarray:
    """(h, w) float32 L* at long side `_SIDE`, read from every step-th pixel (never the
    whole page's L* at full size: 140 MB of float32 on a 600 dpi page)."""
    height, width = loaded.pixels.shape[:2]
    step = max(1, max(height, width) // (2 * _SIDE))
    sparse = np.ascontiguousarray(np.asarray(loaded.pixels[::step])[:, ::step])
    lightness = lightness_rows(sparse, slice(0, sparse.shape[0]))[0, 0].numpy()
    scale = _SIDE / max(lightness.shape)
    if scale >= 1:
        return lightness.astype(np.float32)
    size = (max(1, round(lightness.shape[1] * scale)), max(1, round(lightness.shape[0] * scale)))
    return cv2.resize(lightness.astype(np.float32), size, interpolation=cv2.INTER_AREA)


def find_prints(loaded: LoadedImage) -> tuple[PagePrint, ...]:
    """The prints on an album page; () for anything else (an ordinary photo)."""
    height, width = loaded.pixels.shape[:2]
    if min(height, width) < 32:
        return ()
    small = small_lightness(loaded)
    things = _things(small)
    if things is None:
        return ()
    rects = _print_rectangles(things)
    if len(rects) < MIN_PRINTS:
        return ()
    covered = np.zeros(things.shape, np.uint8)
    for rect in rects:
        cv2.fillPoly(covered, [np.round(cv2.boxPoints(rect)).astype(np.int32)], 1)
    if (covered.astype(bool) & things).sum() < MIN_COVER * things.sum():
        return ()
    if stereo_inside(torch.from_numpy(small)[None, None], small.shape) is not None:
        return ()
    scale_x, scale_y = width / small.shape[1], height / small.shape[0]
    return tuple(_page_print(rect, scale_x, scale_y, width, height) for rect in rects)


def _things(small: np.ndarray) -> np.ndarray | None:
    """Pixels that are not paper, holes filled; None where the frame is no flat paper."""
    h, w = small.shape
    fh, fw = max(2, round(h * FRAME_SHARE)), max(2, round(w * FRAME_SHARE))
    frame = np.concatenate([small[:fh].ravel(), small[-fh:].ravel(),
                            small[:, :fw].ravel(), small[:, -fw:].ravel()])
    paper = float(np.median(frame))
    spread = float(np.percentile(np.abs(frame - paper), 90))
    if spread > MAX_PAPER_SPREAD:
        return None
    smooth = cv2.medianBlur(np.clip(small * 2.55, 0, 255).astype(np.uint8), 3) / 2.55
    mean = cv2.blur(small, (5, 5))
    std = np.sqrt(np.maximum(cv2.blur(small * small, (5, 5)) - mean * mean, 0))
    contrast = max(MIN_CONTRAST, 2.0 * spread + 1.5)
    # The 5x5 window reads a print's edge as detail 2 px onto the paper: eroded back.
    detail = ndimage.binary_erosion(std > DETAIL, iterations=2)
    things = (np.abs(smooth - paper) > contrast) | detail
    things = ndimage.binary_opening(things, iterations=1)
    return ndimage.binary_fill_holes(things)


def _print_rectangles(things: np.ndarray) -> list[tuple]:
    """minAreaRects of the things large, full and clear of the edge enough to be prints."""
    h, w = things.shape
    contours, _ = cv2.findContours(things.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    rects = []
    for contour in contours:
        rect = cv2.minAreaRect(contour)
        rect_area = rect[1][0] * rect[1][1]
        if rect_area < MIN_PRINT_SHARE * h * w:
            continue
        if cv2.contourArea(contour) < MIN_FILL * rect_area:
            continue
        corners = cv2.boxPoints(rect)
        mx, my = max(1.0, EDGE_MARGIN * w), max(1.0, EDGE_MARGIN * h)
        if (corners[:, 0].min() < mx or corners[:, 1].min() < my
                or corners[:, 0].max() > w - 1 - mx or corners[:, 1].max() > h - 1 - my):
            continue
        rects.append(rect)
    return sorted(rects, key=lambda r: (round(r[0][1] / (h / 6)), r[0][0]))  # rows, then x


def _page_print(rect: tuple, sx: float, sy: float, width: int, height: int) -> PagePrint:
    corners = [((x + 0.5) * sx - 0.5, (y + 0.5) * sy - 0.5) for x, y in cv2.boxPoints(rect)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    box = (max(0, int(np.floor(min(xs)))), max(0, int(np.floor(min(ys)))),
           min(width, int(np.ceil(max(xs))) + 1), min(height, int(np.ceil(max(ys))) + 1))
    return PagePrint(tuple((float(x), float(y)) for x, y in corners), box, float(rect[2]))


def print_mask(page_print: PagePrint) -> np.ndarray:
    """(h, w) bool of the print's rectangle within its crop box."""
    left, top, right, bottom = page_print.box
    mask = np.zeros((bottom - top, right - left), np.uint8)
    corners = np.array([(x - left, y - top) for x, y in page_print.corners])
    cv2.fillPoly(mask, [np.round(corners).astype(np.int32)], 1)
    return mask.astype(bool)


def crop_of(loaded: LoadedImage, page_print: PagePrint, index: int) -> LoadedImage:
    """The print's crop as a photo of its own (the page's metadata and captions kept)."""
    left, top, right, bottom = page_print.box
    pixels = np.ascontiguousarray(np.asarray(loaded.pixels[top:bottom])[:, left:right])
    return dataclasses.replace(loaded, pixels=pixels, size=(right - left, bottom - top),
                               name=f"{loaded.name} (print {index + 1})", sha256=None)


def split_page(pipeline: Any, photo: PreparedPhoto,
               page: ColorizationResult) -> ColorizationResult:
    """`page` itself for an ordinary photo (or with `split_page` off); for an album page,
    each print colorized alone by `pipeline` (a ColorizationPipeline, not imported: it
    imports this module) and placed back inside its rectangle, the paper neutral (L* kept)."""
    if not pipeline.config.split_page or photo.color_hints:  # hints' places are the page's
        return page
    prints = find_prints(photo.loaded)
    if not prints:
        return page
    single = pipeline.with_config(split_page=False, negative=False)
    image, deep = _neutral_page(photo.loaded, page.image16 is not None)
    uncertainty = np.zeros(image.shape[:2], np.float32)
    records = []
    # The paper's captions read round the prints, each given to its print (page_captions).
    reader = pipeline.context_fn if reads_writing(photo.context) else None
    read = read_paper(reader, photo.loaded, prints)
    captions = attach(read, prints)
    for index, page_print in enumerate(prints):  # one at a time: memory of one print
        alone = single(crop_of(photo.loaded, page_print, index), photo.hints,
                       print_caption(photo.caption, captions[index]), exemplars=photo.user)
        left, top, right, bottom = page_print.box
        inside = print_mask(page_print)
        image[top:bottom, left:right][inside] = np.asarray(alone.image)[inside]
        if deep is not None and alone.image16 is not None:
            deep[top:bottom, left:right][inside] = alone.image16[inside]
        uncertainty[top:bottom, left:right][inside] = alone.uncertainty[inside]
        records.append({**page_print.to_dict(), "context": alone.context.to_dict(),
                        "exemplars": len(alone.exemplars),
                        "paper_captions": [block.to_dict() for block in captions[index]]})
        del alone
    note = (f"album page: {len(prints)} prints found, each colorized on its own; the paper "
            "kept neutral (--no-split-page colorizes the page as one photo)"
            + captions_note(read, captions))
    return dataclasses.replace(page, image=Image.fromarray(image), image16=deep,
                               uncertainty=uncertainty, context_region=None, color_regions=None,
                               exemplars=(), exemplar_maps=(), exemplar_images=(),
                               notes=(*page.notes, note),
                               settings={**page.settings, "album_page": records})


def _neutral_page(loaded: LoadedImage, deep: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The page's L* with no chroma, 8-bit RGB (and 16-bit for a deep input), band by band."""
    height, width = loaded.pixels.shape[:2]
    image = np.empty((height, width, 3), np.uint8)
    image16 = np.empty((height, width, 3), np.uint16) if deep else None
    for band in row_bands(height, width):
        gray = gray_rgb_from_lightness(lightness_rows(loaded.pixels, band))[0]
        gray = gray.permute(1, 2, 0).numpy()
        image[band] = np.round(gray * 255.0).astype(np.uint8)
        if image16 is not None:
            image16[band] = np.round(gray * 65535.0).astype(np.uint16)
    return image, image16
