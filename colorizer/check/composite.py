"""Before/after composites: the gray original beside its colorization in one image.

Colorizations are posted on social media as "before | after": the gray photo on the left and
the colorization on the right (or above and below), a few pixels of white or black between
them. Checked whole, the composite was compared with the original by its gray half (the
original against itself: "lightness matches" without looking at the colors) and its colors
were judged with half the image gray. So the check looks for two panels of the same photo,
one gray or a single tint (the "before") and one with more color (the "after"), checks the
"after" alone, and says so; its findings are placed back in the whole image's pixels, where
the page and the report draw them.

A photo is taken for a composite only where both halves show the same photo (their lightness
correlates at MIN_SAME or more once lined up edge to edge) and one is clearly the gray one:
an ordinary photo, whose halves show different things, is never split.

"Before | after | detail" (a third panel: an enlarged detail, another version) is posted too;
where no pair spans the whole image, the pair is looked for in its first and last two thirds
(checked whole, the original was lined up with the gray panel and the colors never looked at).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
from PIL import Image

from colorizer.check import thumbnails, tints
from colorizer.check.findings import Finding, LuminanceMatch
from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.imageio import LoadedImage

SEARCH_SIDE = 256  # the panels are found on a copy this long (px): positions, not detail
MIN_SHIFT, MAX_SHIFT = 0.4, 0.62  # where the second panel starts: share of the width
MAX_BORDER = 0.1  # a gutter or border: at most this share of a panel's length a side
UNIFORM = 3.0  # L* spread along a row or column below which it is a border or gutter
MIN_SAME = 0.9  # lightness correlation of the two panels: the same photo twice
MIN_PANEL = 16  # px: the smallest panel (search copy) worth comparing
# Correlation of the panels' edges: composites of 8 real photos posted at 1080 px, JPEG
# quality 40: 0.93 or more (a 120 px drawn scene, halved and at quality 40: 0.77); the halves
# of a drawn sky over a field, alike in lightness (0.94): 0.0. No half of 397 real photos
# (photos-train, historical-bw) even reaches MIN_SAME in lightness.
MIN_DETAIL = 0.6
DETAIL_SIDE = 128  # px: the panels' edges are compared at this size
LAYOUTS = ("side by side", "top and bottom")
KINDS = ("gray", "tint", "color")  # a panel: gray, one tint (a toned print), several hues
GRAY_HUED = 0.02  # a panel with at most this share of hued pixels is gray (JPEG's traces)
LINE_UNIFORM = 6.0  # std of 0-255 values along a column (row) below which it is uniform
# "before | after | detail" (or "detail | before | after"): the pair is looked for in the
# first and the last two thirds, where no pair spans the whole image.
THIRDS = ((0.0, 2 / 3), (1 / 3, 1.0))
THIRD_PANEL = ", a third panel beside them (a detail or another version) not checked"

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in the composite's pixels


@dataclass(frozen=True)
class Composite:
    """Where the colorization and its gray original lie in a before/after composite."""

    layout: str  # one of LAYOUTS
    color_box: Box  # the colorization ("after") panel
    gray_box: Box  # the gray ("before") panel
    size: tuple[int, int]  # (w, h) of the whole composite
    correlation: float  # lightness correlation of the two panels
    panels: int = 2  # 3: a third panel beside them ("before | after | detail"), not checked

    @property
    def color_side(self) -> str:
        """Where the colorization is: left, right, top or bottom."""
        horizontal = self.layout == LAYOUTS[0]
        first = self.color_box[0 if horizontal else 1] < self.gray_box[0 if horizontal else 1]
        return ("left", "right")[not first] if horizontal else ("top", "bottom")[not first]

    def to_dict(self) -> dict[str, Any]:
        return {"layout": self.layout, "colorization_side": self.color_side,
                "colorization_box": list(self.color_box), "gray_box": list(self.gray_box),
                "size": list(self.size), "correlation": round(self.correlation, 4),
                **({"panels": self.panels} if self.panels != 2 else {})}

    def note(self) -> str:
        x0, y0, x1, y1 = self.color_box
        where = (f"on the {self.color_side}" if self.panels == 2 else
                 f"the {_place(self.color_side, self.color_box, self.size, self.panels)}")
        return (f"the image ({self.size[0]}x{self.size[1]}) is a before/after composite: a "
                f"gray photo and its colorization {self.layout} (lightness correlation "
                f"{self.correlation:.2f}){THIRD_PANEL if self.panels == 3 else ''}; only "
                f"the colorization, {where} (x {x0}-{x1}, y {y0}-{y1}, {x1 - x0}x"
                f"{y1 - y0}), was checked, and the findings' boxes are in the whole image's "
                "pixels")

    def panel(self, image: LoadedImage) -> LoadedImage:
        """The colorization panel of `image` (the composite as loaded), as the check reads a
        colorization."""
        x0, y0, x1, y1 = self.color_box
        pixels = np.ascontiguousarray(image.pixels[y0:y1, x0:x1])
        return replace(image, pixels=pixels, size=(x1 - x0, y1 - y0))

    def placed_finding(self, finding: Finding) -> Finding:
        """A finding on the panel, with its box in the composite's pixels."""
        return replace(finding, box=self._shifted(finding.box))

    def placed_match(self, match: LuminanceMatch) -> LuminanceMatch:
        """The lightness comparison with its places in the composite's pixels (the local box;
        the registration's matrix from composite pixels to the original's)."""
        alignment = match.alignment
        if alignment is not None:
            x0, y0 = self.color_box[:2]
            from_whole = np.array([[1.0, 0, -x0], [0, 1, -y0], [0, 0, 1]])
            matrix = np.asarray(alignment["matrix"], dtype=np.float64) @ from_whole
            alignment = {**alignment, "matrix": [[round(float(v), 6) for v in row]
                                                 for row in matrix]}
        return replace(match, local_box=self._shifted(match.local_box), alignment=alignment)

    def placed_map(self, values: np.ndarray | None, outside: float) -> np.ndarray | None:
        """A (h, w) map of the panel inside one of the composite at the same scale,
        `outside` where it was not checked (the gray panel, the gutter)."""
        if values is None:
            return None
        (w, h), (x0, y0, x1, y1) = self.size, self.color_box
        sx, sy = values.shape[1] / (x1 - x0), values.shape[0] / (y1 - y0)
        whole = np.full((max(1, round(h * sy)), max(1, round(w * sx))), outside,
                        dtype=values.dtype)
        top, left = min(round(y0 * sy), whole.shape[0]), min(round(x0 * sx), whole.shape[1])
        part = whole[top:top + values.shape[0], left:left + values.shape[1]]
        part[...] = values[:part.shape[0], :part.shape[1]]
        return whole

    def _shifted(self, box: Box | None) -> Box | None:
        if box is None:
            return None
        x0, y0 = self.color_box[:2]
        return (box[0] + x0, box[1] + y0, box[2] + x0, box[3] + y0)


def checked_panel(composite: dict[str, Any]) -> str:
    """What of a composite was checked, in words the report and the page share:
    "the colorization half of a before/after composite (right half: x 262-518)".
    `composite`: `Composite.to_dict()` (as the check's JSON carries it)."""
    (x0, y0, x1, y1), panels = composite["colorization_box"], composite.get("panels", 2)
    across = composite["layout"] == LAYOUTS[0]
    span = f"x {x0}-{x1}" if across else f"y {y0}-{y1}"
    place = _place(composite["colorization_side"], composite["colorization_box"],
                   composite["size"], panels)
    if panels == 2:
        return f"the colorization half of a before/after composite ({place}: {span})"
    return (f"the colorization panel of a before/after composite of three panels ({place}: "
            f"{span})")


def _place(side: str, box: Box, size: tuple[int, int], panels: int) -> str:
    """Where the colorization panel lies: "right half"; of three panels, "middle panel"."""
    if panels == 2:
        return f"{side} half"
    across = side in ("left", "right")
    middle = (box[0] + box[2]) / 2 / size[0] if across else (box[1] + box[3]) / 2 / size[1]
    names = ("left", "middle", "right") if across else ("top", "middle", "bottom")
    return f"{names[min(2, int(3 * middle))]} panel"


def find_composite(image: LoadedImage) -> Composite | None:
    """The before/after composite `image` is, or None (module docstring)."""
    if not image.is_color or image.pixels.ndim != 3:
        return None
    small = thumbnails.thumbnail(image.pixels, SEARCH_SIDE)
    rgb = torch.from_numpy(np.asarray(small, dtype=np.float64) / 255.0).permute(2, 0, 1)[None]
    lab = rgb_to_lab(rgb)[0].numpy()  # (3, h, w)
    lightness, hued = lab[0], np.hypot(lab[1], lab[2]) > tints.CHROMATIC
    found, count = _pairs(lightness, ((0.0, 1.0),)), 2
    if not found:  # a third panel beside the pair: cut from the search, trimmed to its edges
        found, count = _pairs(lightness, THIRDS), 3
    if not found:
        return None
    (panels, correlation, bordered), layout = max(found, key=lambda item: item[0][1])
    bordered = bordered or count == 3
    if layout == LAYOUTS[1]:
        panels = tuple(_transposed(box) for box in panels)
    kinds = [_kind(image, hued, box, small.size) for box in panels]
    if sorted(kinds) not in (["color", "gray"], ["color", "tint"], ["gray", "tint"]):
        return None  # both gray, or two colorizations side by side: not a before and after
    after = int(KINDS.index(kinds[1]) > KINDS.index(kinds[0]))
    scale = (image.size[0] / small.width, image.size[1] / small.height)
    boxes = [_full_box(box, scale, image.size) for box in panels]
    if bordered:
        boxes = [_edges(image, box, layout) for box in boxes]
    else:
        boxes = _halves(image, boxes, layout)
    if _detail_correlation(image, boxes, layout) < MIN_DETAIL:
        return None  # alike only in broad bands (a horizon across the photo), not one photo
    return Composite(layout, boxes[after], boxes[1 - after], image.size, correlation, count)


def _pairs(lightness: np.ndarray, spans: tuple[tuple[float, float], ...]
           ) -> list[tuple[tuple[tuple[Box, Box], float, bool], str]]:
    """Each layout's pair of panels found within `spans` (shares of the image's length
    across the layout), with its boxes in the whole search copy's pixels."""
    found = []
    for layout, plane in ((LAYOUTS[0], lightness), (LAYOUTS[1], lightness.T)):
        width = plane.shape[1]
        for low, high in spans:
            start = round(low * width)
            split = _split(plane[:, start:round(high * width)])
            if split is not None:
                boxes = tuple((x0 + start, y0, x1 + start, y1) for x0, y0, x1, y1 in split[0])
                found.append(((boxes, *split[1:]), layout))
    return found


def _kind(image: LoadedImage, hued: np.ndarray, box: Box, small: tuple[int, int]) -> str:
    """What a panel (`box`: in the search copy of size `small`) holds: one of KINDS."""
    x0, y0, x1, y1 = box
    if hued[y0:y1, x0:x1].mean() <= GRAY_HUED:
        return KINDS[0]
    sx, sy = image.size[0] / small[0], image.size[1] / small[1]
    full = _full_box(box, (sx, sy), image.size)
    tint = tints.tint_of(_cropped(image, full))
    return KINDS[2] if tint is not None and tint.several_hues else KINDS[1]


def _split(lightness: np.ndarray) -> tuple[tuple[Box, Box], float, bool] | None:
    """Two panels of the same photo side by side in `lightness` ((h, w) L*), as boxes in
    its pixels, their correlation and whether a border lies around them; None where no
    split reaches MIN_SAME.

    The second copy is the first moved right by `shift` (its width and the gutter): the
    shift where the image best matches itself is found. Without an outer border each copy
    is what overlaps, and the lines between them (the gutter) are uniform. With one, the
    copies would overlap, and each is what overlaps less the uniform lines at its ends.
    The rows are kept whole: a border above and below is the same in both panels."""
    height, width = lightness.shape
    best = None
    for shift in range(int(MIN_SHIFT * width), int(MAX_SHIFT * width) + 1):
        if width - shift < MIN_PANEL or height < MIN_PANEL:
            break
        correlation = _correlation(lightness[:, :width - shift], lightness[:, shift:])
        if best is None or correlation > best[1]:
            best = (shift, correlation)
    if best is None or best[1] < MIN_SAME:
        return None
    shift, correlation = best
    gutter = lightness[:, width - shift:shift]  # (h, g); empty: the panels touch
    middle = gutter[:, gutter.shape[1] // 2] if gutter.shape[1] > 1 else None
    if 2 * shift >= width - 1 and (middle is None or middle.std() < UNIFORM):
        boxes = ((0, 0, width - shift, height), (shift, 0, width, height))
        return boxes, correlation, False
    spread = lightness.std(axis=0)
    first = _inner(spread[:width - shift])
    second = _inner(spread[shift:])
    return ((first[0], 0, first[1], height),
            (shift + second[0], 0, shift + second[1], height)), correlation, True


def _inner(spread: np.ndarray) -> tuple[int, int]:
    """The span within the uniform lines at the ends of a copy (a gutter, a border). A run
    longer than MAX_BORDER of its length is the photo's own (a dark band of the print, seen
    in both copies alike) and is kept whole: cut, it would read as the colorist's crop."""
    n = len(spread)
    limit = int(MAX_BORDER * n)
    start = 0
    while start <= limit and spread[start] < UNIFORM:
        start += 1
    end = n
    while n - end <= limit and spread[end - 1] < UNIFORM:
        end -= 1
    return (0 if start > limit else start), (n if n - end > limit else end)


def _edges(image: LoadedImage, box: Box, layout: str) -> Box:
    """`box` (full pixels, placed from the search copy: off by up to a few pixels) with its
    two ends across the layout moved onto the panel's own edges: past the gutter's or the
    border's uniform lines, so that the checked panel has the photo's shape."""
    horizontal = layout == LAYOUTS[0]
    start, end = (box[0], box[2]) if horizontal else (box[1], box[3])
    length = image.size[0] if horizontal else image.size[1]
    reach = 2 + math.ceil(length / SEARCH_SIDE)
    lines = image.pixels[box[1]:box[3]] if horizontal else image.pixels[:, box[0]:box[2]]
    low, high = max(0, start - reach), min(length, end + reach)
    spread = _line_spread(lines, low, high, horizontal)
    uniform = spread < LINE_UNIFORM
    at_start = np.nonzero(uniform[:start + reach - low])[0]
    at_end = np.nonzero(uniform[end - reach - low:])[0]
    if len(at_start):
        start = low + int(at_start.max()) + 1  # after the last uniform line before it
    if len(at_end):
        end = end - reach + int(at_end.min())  # at the first uniform line after it
    if end - start < MIN_PANEL:
        return box
    return (start, box[1], end, box[3]) if horizontal else (box[0], start, box[2], end)


def _detail_correlation(image: LoadedImage, boxes: list[Box], layout: str) -> float:
    """How alike the two panels are in their edges across the layout (a photo's posts,
    walls and figures; not a horizon, which every column of a landscape shares): the
    correlation of their lightness's slope along it, both at one small size."""
    from scipy.ndimage import gaussian_filter

    crops = [Image.fromarray(thumbnails.as_uint8(image.pixels[y0:y1, x0:x1])).convert("L")
             for x0, y0, x1, y1 in boxes]
    width, height = min(c.width for c in crops), min(c.height for c in crops)
    scale = min(1.0, DETAIL_SIDE / max(width, height))
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    axis = 1 if layout == LAYOUTS[0] else 0
    slopes = [np.diff(gaussian_filter(np.asarray(c.resize(size, Image.BILINEAR),
                                                 dtype=np.float64), 1.0), axis=axis)
              for c in crops]
    return _correlation(*slopes)


def _halves(image: LoadedImage, boxes: list[Box], layout: str) -> list[Box]:
    """The two panels of a composite without an outer border (`boxes`: placed from the
    search copy), in full pixels: the gutter is the run of plain lines where the search
    put it (none: the panels touch), and each panel runs from it to the image's edge, both
    as long as the longer (a panel's own plain edge beside the gutter is kept)."""
    horizontal = layout == LAYOUTS[0]
    length = image.size[0] if horizontal else image.size[1]
    seam = ((boxes[0][2] + boxes[1][0]) / 2) if horizontal else ((boxes[0][3] + boxes[1][1]) / 2)
    reach = 2 + math.ceil(length / SEARCH_SIDE)
    gap = (boxes[1][0] - boxes[0][2]) if horizontal else (boxes[1][1] - boxes[0][3])
    low = max(0, math.floor(seam - gap / 2) - reach)
    high = min(length, math.ceil(seam + gap / 2) + reach)
    spread, means = _line_spread(image.pixels, low, high, horizontal, with_means=True)
    # The gutter: its plainest line, and the lines beside it as plain and of its one fill
    # (JPEG's ringing roughens it; a plain sky beside it is of another value and stays).
    seed = int(np.argmin(spread))
    panel = length // 2  # no plain line: the panels touch
    if spread[seed] < LINE_UNIFORM:
        near = (spread < 2 * LINE_UNIFORM) & (np.abs(means - means[seed]).max(axis=-1)
                                              < 2 * LINE_UNIFORM)
        start, end = seed, seed + 1
        while start > 0 and near[start - 1]:
            start -= 1
        while end < len(near) and near[end]:
            end += 1
        panel = max(low + start, length - (low + end))
    first, second = (0, panel), (length - panel, length)
    if horizontal:
        return [(first[0], 0, first[1], image.size[1]), (second[0], 0, second[1], image.size[1])]
    return [(0, first[0], image.size[0], first[1]), (0, second[0], image.size[0], second[1])]


def _line_spread(lines: np.ndarray, low: int, high: int, horizontal: bool,
                 with_means: bool = False):
    """The largest channel's std along each column (row) from `low` to `high`; with
    `with_means`, each one's mean color (n, 3) too."""
    part = lines[:, low:high] if horizontal else lines[low:high].transpose(1, 0, 2)
    values = thumbnails.as_uint8(part).astype(np.float32)  # (along, across, 3)
    spread = values.std(axis=0).max(axis=-1)
    return (spread, values.mean(axis=0)) if with_means else spread


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    if a.std() < 1e-3 or b.std() < 1e-3:
        return 0.0  # a flat panel: nothing to tell a photo by
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def _transposed(box: Box) -> Box:
    return (box[1], box[0], box[3], box[2])


def _full_box(box: Box, scale: tuple[float, float], size: tuple[int, int]) -> Box:
    """A box of the search copy in the composite's pixels, kept inside it."""
    sx, sy = scale
    return (max(0, round(box[0] * sx)), max(0, round(box[1] * sy)),
            min(size[0], round(box[2] * sx)), min(size[1], round(box[3] * sy)))


def _cropped(image: LoadedImage, box: Box) -> LoadedImage:
    x0, y0, x1, y1 = box
    return replace(image, pixels=image.pixels[y0:y1, x0:x1], size=(x1 - x0, y1 - y0))
