"""Text regions from the detector: words joined into lines, and tilted lines cut out straight.

The detector gives a quadrilateral per word or line. Handwritten titles and signs seen at an
angle are tilted: the axis-aligned box of a line tilted by 8 degrees is much taller than its
letters, so at a fixed line height the letters shrink and Tesseract reads nothing (generated
titles rotated by up to 8 degrees: no letters read on 5 of 6). A line whose angle is at
least `MIN_ANGLE` is therefore rotated level and cut to its own height before it is read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]
MIN_ANGLE = 2.0  # degrees: flatter lines are cut as axis-aligned boxes, as before
# Pixels across a line (its height; a column's width) at most, as it is cut. Every reader
# brings a line down to 48 px or less (Tesseract's strip 40, PP-OCR's recogniser 48, the
# script classifier's own height, a column 40 wide), so a sign 700 px tall in a 12000 px
# photo loses nothing they read when cut at 256: its crop and every float copy made of it
# (line_images.py) stay a few MB instead of a few hundred. Lines of ordinary photos are
# thinner and cut as before: eval.context_suite's readings (every line, box, confidence)
# and the context of 20 historical-bw photos are the same with and without the bound.
MAX_LINE_SIDE = 256


def quad_angle(quad: np.ndarray) -> float:
    """Angle in degrees of a detector quadrilateral's long edges ((4, 2) corners, clockwise
    from top-left as PP-OCR gives them), positive when the line rises to the right."""
    q = np.asarray(quad, dtype=np.float64)
    top, bottom = q[1] - q[0], q[2] - q[3]
    vec = top + bottom
    if abs(vec[0]) < 1e-6:
        return 0.0
    angle = -math.degrees(math.atan2(vec[1], vec[0]))
    return max(-45.0, min(45.0, angle))


def line_size(box: Box, angle: float) -> tuple[int, int]:
    """(width, height) of a line tilted by `angle` whose axis-aligned box is `box`."""
    w, h = box[2] - box[0], box[3] - box[1]
    t = math.radians(abs(angle))
    c, s = math.cos(t), math.sin(t)
    det = c * c - s * s
    if abs(angle) < MIN_ANGLE or det < 0.3:
        return w, h
    lw, lh = (w * c - h * s) / det, (h * c - w * s) / det
    if lh < 4 or lw < lh:  # the box is not a tilted line of that angle
        return w, h
    return round(lw), round(lh)


def crop_line(image: Image.Image, box: Box, angle: float = 0.0) -> Image.Image:
    """The line in `box`, rotated level and cut to its own height when tilted; a line
    taller (a column wider) than `MAX_LINE_SIDE` is cut shrunk to that (`line_scale`)."""
    lw, lh = line_size(box, angle)
    scale = line_scale(lw, lh)
    crop = _cut(image, box, scale)
    if (lw, lh) == (box[2] - box[0], box[3] - box[1]):
        return crop
    lw, lh = (lw, lh) if scale == 1.0 else (round(lw * scale), round(lh * scale))
    level = crop.rotate(-angle, Image.BILINEAR, expand=True, fillcolor=_edge_colour(crop))
    cx, cy = level.width / 2, level.height / 2
    pad = max(2, lh // 6)
    return level.crop((round(cx - lw / 2), round(cy - lh / 2 - pad),
                       round(cx + lw / 2), round(cy + lh / 2 + pad)))


def line_scale(lw: int, lh: int) -> float:
    """How much a line of `lw` x `lh` pixels is shrunk as it is cut: to `MAX_LINE_SIDE`
    across its short side, 1.0 (as it is) when that side is no longer."""
    short = min(lw, lh)
    return 1.0 if short <= MAX_LINE_SIDE else MAX_LINE_SIDE / short


def _cut(image: Image.Image, box: Box, scale: float) -> Image.Image:
    """`box` of `image`, shrunk by `scale` in the same step (no full-resolution copy)."""
    if scale == 1.0:
        return image.crop(box)
    x0, y0, x1, y1 = box
    size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
    inside = (max(0, x0), max(0, y0), min(image.width, x1), min(image.height, y1))
    if inside == tuple(box):
        return image.resize(size, Image.BILINEAR, box=box)
    # Part of the box lies off the photo: that part is black, as `Image.crop` leaves it.
    out = Image.new(image.mode, size)
    if inside[2] > inside[0] and inside[3] > inside[1]:
        part = image.resize((max(1, round((inside[2] - inside[0]) * scale)),
                             max(1, round((inside[3] - inside[1]) * scale))),
                            Image.BILINEAR, box=inside)
        out.paste(part, (round((inside[0] - x0) * scale), round((inside[1] - y0) * scale)))
    return out


def _edge_colour(crop: Image.Image):  # -> a colour for `crop`'s mode
    """The median of the crop's border: the background the rotation fills in with."""
    arr = np.asarray(crop)
    border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    med = np.median(border, axis=0)
    return int(med) if np.ndim(med) == 0 else tuple(int(v) for v in med)


def merge_words(boxes: Sequence[tuple]) -> list[tuple[Box, tuple[Box, ...]]]:
    """Join word boxes that lie on one text line into line boxes; returns each line box with
    the detector boxes it was joined from (sorted left to right). Boxes are (x0, y0, x1, y1,
    score[, angle]); only the first four are used.

    The detector often splits a line at wide word gaps (Arabic, monospaced or letter-spaced
    signs); a lone word is too short for the script models (and fails the line-shape test),
    so boxes whose vertical extents mostly overlap, of similar height, with a gap under
    ~1.2 line heights, are merged (repeatedly, so chains of words become one line)."""
    out: list[tuple[list[int], list[Box]]] = [
        (list(b[:4]), [(b[0], b[1], b[2], b[3])]) for b in boxes]
    merged = True
    while merged:
        merged = False
        out.sort(key=lambda x: (x[0][0], x[0][1], x[0][2], x[0][3]))
        for i in range(len(out)):
            a = out[i][0]
            for j in range(i + 1, len(out)):
                b = out[j][0]
                ha, hb = a[3] - a[1], b[3] - b[1]
                if min(ha, hb) <= 0:
                    continue
                overlap = min(a[3], b[3]) - max(a[1], b[1])
                gap = max(a[0], b[0]) - min(a[2], b[2])
                if (overlap >= 0.6 * min(ha, hb) and min(ha, hb) >= 0.5 * max(ha, hb)
                        and gap <= 1.2 * max(ha, hb)):
                    box = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    out[i] = (box, out[i][1] + out[j][1])
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return [((b[0], b[1], b[2], b[3]), tuple(sorted(parts))) for b, parts in out]


def line_angles(boxes: Sequence[tuple], lines: Sequence[tuple[Box, tuple[Box, ...]]]
                ) -> list[float]:
    """Each line's angle: its parts' detector angles (6th field), weighted by width."""
    angle_of = {(b[0], b[1], b[2], b[3]): (b[5] if len(b) > 5 else 0.0) for b in boxes}
    out = []
    for _, parts in lines:
        weights = [max(1, p[2] - p[0]) for p in parts]
        out.append(sum(angle_of.get(p, 0.0) * w for p, w in zip(parts, weights)) / sum(weights))
    return out
