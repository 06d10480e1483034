"""A cut print's rectangle on its card, when the photo the mount test found is not convex.

Two ways a card's print loses its outline at the small size mount.py reads (eval:
eval/mount_edge_scans.py):

    a pale sky meets the card   the sky is as flat and as light as the card, the print's edge
                                between them a faint line (local std ~0.5-0.9 L* where the
                                card's is ~0.2, under mount.py's FLAT_DETAIL): the sky is read
                                as card, and the photo left is the print less its sky
    a stain across the edge     a water stain's tide line, foxing spots lying on the print's
                                edge join the photo's detail: the photo bulges past its edge

Either way most of the print's outline is still there, straight. The rectangle is read back:

    sides  = each side of the photo found, its outermost pixel per row / column, fitted by the
             line (at most ~2 degrees askew) most of them lie on: straight when that is most
             of the side (bulges, stains and foxing are a minority of it)
    missing= a side that is not straight (the sky's side) is the faint line of the print's
             edge: the row / column beyond the photo whose local std is above the card's
             along the most of its length (nearly all)
    print  = the quadrilateral of the four lines, when at least three sides were straight
             and the fourth was straight or found as a line, and the card or border round it
             is wide (MAX_PRINT_SHARE)
"""

from __future__ import annotations

import numpy as np

STRAIGHT_TOLERANCE = 2.0  # px at the small size: a side's pixel lies on its line within this
MIN_STRAIGHT_SHARE = 0.6  # of a side's pixels on its line: the side is a cut print's edge
MAX_SLOPE = 0.035  # a print lies at most ~2 degrees askew on its card
LINE_OVER_CARD = 2.0  # a print's faint edge: its local std over the card's median, at least
MIN_LINE_DETAIL = 0.3  # L*: and at least this (a card's grain alone is ~0.1-0.2)
MIN_LINE_SHARE = 0.7  # of the row's length between the sides: the faint line runs along it
MAX_PRINT_SHARE = 0.85  # of the image: a print read back so is on a card or a wide border;
#                         a thinner frame round a whole picture is more often its own (a
#                         catalogue photo's bevel in photos-train fired at 0.89)
_INSET = 3  # px at the small size: a found line is read between the sides, this far in
_SKY_REACH = 20  # percentile of the side's outline: above it, a faint line is looked for


def _outermost(photo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, profile) of the photo's topmost pixel in each column that holds one."""
    columns = np.flatnonzero(photo.any(0))
    return columns, np.argmax(photo[:, columns], axis=0).astype(np.float64)


def _fit(positions: np.ndarray, profile: np.ndarray) -> tuple[float, float, float]:
    """(offset, slope, share on the line): of the lines at most MAX_SLOPE off the axis, the
    one that most of the profile lies on (within STRAIGHT_TOLERANCE): a stain's bulge or the
    rows a pale sky took are off it, whatever their share."""
    if len(positions) < 8:
        return 0.0, 0.0, 0.0
    best = (0.0, 0.0, -1)
    for slope in np.linspace(-MAX_SLOPE, MAX_SLOPE, 9):
        offsets = np.sort(profile - slope * positions)
        ends = np.searchsorted(offsets, offsets + 2 * STRAIGHT_TOLERANCE, side="right")
        first = int(np.argmax(ends - np.arange(len(offsets))))
        count = int(ends[first] - first)
        if count > best[2]:
            best = (float(np.median(offsets[first:ends[first]])), float(slope), count)
    return best[0], best[1], best[2] / len(positions)


def _faint_line(detail: np.ndarray, photo: np.ndarray, card_level: float,
                profile: np.ndarray) -> float | None:
    """The row above the photo's top that holds the print's faint edge along the most of the
    print's width (its columns at least half as tall as its tallest: a stain's bulge is not),
    searched above the row the photo's outline (`profile`) rarely reaches; None when no row
    holds a line along MIN_LINE_SHARE of it."""
    heights = photo.sum(0)
    columns = np.flatnonzero(heights >= 0.5 * heights.max())
    if len(columns) <= 2 * _INSET:
        return None
    inner = np.arange(columns[0] + _INSET, columns[-1] - _INSET + 1)
    above = detail > _line_threshold(card_level)
    rise = np.linspace(-MAX_SLOPE, MAX_SLOPE, 9)[:, None] * (inner - inner.mean())  # askew
    candidates = np.arange(int(np.percentile(profile, _SKY_REACH)) + 1)
    rows = np.clip(np.round(candidates[:, None, None] + rise).astype(int), 0,
                   photo.shape[0] - 1)  # (row, slope, column)
    shares = above[rows, inner].mean(2).max(1)  # along the best-fitting slope, per row
    best = int(np.argmax(shares))  # the print's edge is its clearest line (a cloud is not)
    return float(best) if shares[best] >= MIN_LINE_SHARE else None


def _side(photo: np.ndarray, detail: np.ndarray, card_level: float
          ) -> tuple[float, float, float] | None:
    """The top side's line (offset, slope, share) of `photo` (turned so that the side is on
    top): fitted to the photo's outline when straight, else its faint line; None when
    neither."""
    positions, profile = _outermost(photo)
    offset, slope, share = _fit(positions, profile)
    if share >= MIN_STRAIGHT_SHARE:
        return offset, slope, share
    row = _faint_line(detail, photo, card_level, profile)
    return None if row is None else (row, 0.0, share)


def _line_threshold(card_level: float) -> float:
    return max(MIN_LINE_DETAIL, LINE_OVER_CARD * card_level)


def faint_edge_flat(detail: np.ndarray, card: np.ndarray) -> np.ndarray:
    """(h, w) bool: the pixels flatter than a print's faint edge (local std of L* under
    _line_threshold of the card's, `card` the flat pixels on the image's outline), so that
    the edge parts a pale sky from the card."""
    level = float(np.median(detail[card])) if card.any() else 0.0
    return detail < _line_threshold(level)


def print_rectangle(photo: np.ndarray, detail: np.ndarray, card: np.ndarray
                    ) -> np.ndarray | None:
    """(h, w) bool: the cut print whose outline `photo` (the region mount.py found, filled)
    lost to a pale sky or a stain, `detail` the local std of L*, `card` the flat mount
    pixels; None when its sides are not a print's."""
    from skimage.draw import polygon

    card_level = float(np.median(detail[card])) if card.any() else 0.0
    lines, bent = [], 0
    for turns in range(4):  # top, left, bottom, right: each turned to the top in turn
        turned_photo = np.rot90(photo, turns)
        side = _side(turned_photo, np.rot90(detail, turns), card_level)
        if side is None:
            return None
        bent += side[2] < MIN_STRAIGHT_SHARE
        lines.append(side[:2])
    if bent > 1:
        return None
    corners = _corners(lines, photo.shape)
    rows, columns = polygon(corners[:, 0], corners[:, 1], photo.shape)
    rectangle = np.zeros_like(photo)
    rectangle[rows, columns] = True
    return rectangle if rectangle.mean() <= MAX_PRINT_SHARE else None


def _to_image(turns: int, x: float, y: float, shape: tuple[int, int]) -> tuple[float, float]:
    """(row, column) in the image (`shape` (H, W)) of the point (column x, row y) of the
    image turned by np.rot90 `turns` times."""
    height, width = shape
    return ((y, x), (x, width - 1 - y), (height - 1 - y, width - 1 - x),
            (height - 1 - x, y))[turns]


def _corners(lines: list[tuple[float, float]], shape: tuple[int, int]) -> np.ndarray:
    """(4, 2) (row, column) corners of the four sides' lines, each (offset, slope) in its
    turned frame: each line as two image points, intersected with the next."""
    height, width = shape
    points = []
    for turns, (offset, slope) in enumerate(lines):
        span = (width, height)[turns % 2]
        ends = [_to_image(turns, x, offset + slope * x, shape) for x in (0.0, span - 1.0)]
        points.append(np.array(ends))
    corners = [_intersect(points[i], points[(i + 1) % 4]) for i in range(4)]
    return np.array(corners)


def _intersect(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The point where the line through `first`'s two points meets `second`'s."""
    d1, d2 = first[1] - first[0], second[1] - second[0]
    matrix = np.array([d1, -d2]).T
    t = np.linalg.solve(matrix, second[0] - first[0])[0]
    return first[0] + t * d1
