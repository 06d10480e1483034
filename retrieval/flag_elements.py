"""The flag design language's shapes: a canvas in flag coordinates and one function per
element `shape` (see configs/retrieval/README.md), used by `retrieval.render.draw_flag`.

Coordinates are fractions: x of the width, y and all radii/sizes of the height. Every color
is a name from the entry's `colors` (plus the neutral "gray" backdrop for insignia).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

NEUTRAL = {"gray": (128, 128, 128)}
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)

RGB = tuple[int, int, int]


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.ImageFont:
    for path in _FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()  # readable enough for block lettering


class FlagCanvas:
    """A PIL drawing with flag coordinates (fractions) and named colors."""

    def __init__(self, width: int, height: int, palette: dict[str, RGB]):
        self.w, self.h = width, height
        self.image = Image.new("RGB", (width, height), (128, 128, 128))
        self.draw = ImageDraw.Draw(self.image)
        self.palette = palette

    def color(self, name: str) -> RGB:
        if name in self.palette:
            return self.palette[name]
        if name in NEUTRAL:
            return NEUTRAL[name]
        raise ValueError(f"design uses color {name!r}, which is not among the entry's colors "
                         f"{sorted(self.palette)}; add it to `colors` with its sRGB value")

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return x * self.w, y * self.h

    def rect(self, box, color) -> None:
        x0, y0 = self.xy(box[0], box[1])
        x1, y1 = self.xy(box[2], box[3])
        self.draw.rectangle([x0, y0, x1 - 1, y1 - 1], fill=self.color(color))

    def polygon(self, points, color) -> None:
        self.draw.polygon([self.xy(*p) for p in points], fill=self.color(color))

    def poly_px(self, points, color) -> None:
        self.draw.polygon([tuple(p) for p in points], fill=self.color(color))

    def disc(self, center, r, color) -> None:
        cx, cy = self.xy(*center)
        rr = r * self.h
        self.draw.ellipse([cx - rr, cy - rr, cx + rr, cy + rr], fill=self.color(color))


def _star_points(cx: float, cy: float, r: float, n: int = 5, inner: float = 0.382,
                 rotation: float = 0.0) -> list[tuple[float, float]]:
    pts = []
    for i in range(2 * n):
        rad = r if i % 2 == 0 else r * inner
        a = math.radians(rotation) - math.pi / 2 + i * math.pi / n
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return pts


def _rotated(points, cx, cy, degrees):
    a = math.radians(degrees)
    ca, sa = math.cos(a), math.sin(a)
    return [(cx + (x - cx) * ca - (y - cy) * sa, cy + (x - cx) * sa + (y - cy) * ca)
            for x, y in points]


# -- elements ------------------------------------------------------------------------------
# Each takes the canvas and the element dict; sizes in fractions of the height.

def _el_rect(c: FlagCanvas, e: dict) -> None:
    c.rect(e["box"], e["color"])


def _el_polygon(c: FlagCanvas, e: dict) -> None:
    c.polygon(e["points"], e["color"])


def _el_disc(c: FlagCanvas, e: dict) -> None:
    c.disc(e["center"], e["r"], e["color"])


def _el_ring(c: FlagCanvas, e: dict) -> None:
    cx, cy = c.xy(*e["center"])
    r = e["r"] * c.h
    c.draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=c.color(e["color"]),
                   width=max(1, int(e["width"] * c.h)))


def _el_star(c: FlagCanvas, e: dict) -> None:
    cx, cy = c.xy(*e["center"])
    r = e["r"] * c.h
    if e.get("outline"):
        c.poly_px(_star_points(cx, cy, r * 1.12, e.get("points", 5)), e["outline"])
    # `inner`: the inner corners' radius over the points' (0.382 a regular star; the
    # Democratic Republic of Vietnam's star of 1945-1955 was fatter, 0.5)
    c.poly_px(_star_points(cx, cy, r, e.get("points", 5), e.get("inner", 0.382),
                           rotation=e.get("rotation", 0)), e["color"])


def _el_crescent(c: FlagCanvas, e: dict) -> None:
    c.disc(e["center"], e["r"], e["color"])
    cx, cy = e["center"]
    shift = e["offset"] * e["r"] * c.h / c.w
    c.disc((cx + shift, cy), e["r"] * 0.8, e["cut"])


def _el_cross(c: FlagCanvas, e: dict) -> None:
    x0, y0, x1, y1 = e.get("box", (0, 0, 1, 1))
    half_x = e["width"] * c.h / c.w / 2 * (y1 - y0)
    half_y = e["width"] / 2 * (y1 - y0)
    c.rect((e["x"] - half_x, y0, e["x"] + half_x, y1), e["color"])
    c.rect((x0, e["y"] - half_y, x1, e["y"] + half_y), e["color"])


def _el_saltire(c: FlagCanvas, e: dict) -> None:
    x0, y0, x1, y1 = e.get("box", (0, 0, 1, 1))
    w = e["width"] * c.h * (y1 - y0)
    p0, p1, p2, p3 = c.xy(x0, y0), c.xy(x1, y1), c.xy(x1, y0), c.xy(x0, y1)
    c.draw.line([p0, p1], fill=c.color(e["color"]), width=max(1, int(w)))
    c.draw.line([p2, p3], fill=c.color(e["color"]), width=max(1, int(w)))


def _el_union_jack(c: FlagCanvas, e: dict) -> None:
    x0, y0, x1, y1 = e["box"]
    c.rect(e["box"], e["blue"])
    hgt = y1 - y0
    _el_saltire(c, {"box": e["box"], "width": 0.2, "color": e["white"]})
    _el_saltire(c, {"box": e["box"], "width": 0.067, "color": e["red"]})
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    _el_cross(c, {"box": e["box"], "x": mid_x, "y": mid_y, "width": 1 / 3, "color": e["white"]})
    _el_cross(c, {"box": e["box"], "x": mid_x, "y": mid_y, "width": 1 / 5, "color": e["red"]})
    del hgt


def _el_text(c: FlagCanvas, e: dict) -> None:
    font = _font(max(6, int(e["size"] * c.h)))
    cx, cy = c.xy(*e["center"])
    c.draw.text((cx, cy), e["text"], fill=c.color(e["color"]), font=font, anchor="mm")


def stars_grid_centers(e: dict) -> list[tuple[float, float]]:
    """Star centers of a `stars_grid`: `rows` x `cols` in straight columns (the US 48-star
    canton), or with `stagger` every second row one star shorter and set between the stars of
    its neighbours (the US 45- and 50-star cantons: 9 rows of 6 and 5 make 50, not 54)."""
    x0, y0, x1, y1 = e["box"]
    rows, cols = e["rows"], e["cols"]
    out = []
    for i in range(rows):
        if e.get("stagger"):
            # US specification: rows evenly spaced at 1/(rows+1) of the canton height, full
            # rows on the odd twelfths (for 6 columns), short rows on the even ones.
            y = y0 + (i + 1) * (y1 - y0) / (rows + 1)
            xs = [(j + 0.5) / cols for j in range(cols)] if i % 2 == 0 else \
                 [(j + 1) / cols for j in range(cols - 1)]
        else:
            y = y0 + (i + 0.5) * (y1 - y0) / rows
            xs = [(j + 0.5) / cols for j in range(cols)]
        out.extend((x0 + f * (x1 - x0), y) for f in xs)
    return out


def _el_stars_grid(c: FlagCanvas, e: dict) -> None:
    for center in stars_grid_centers(e):
        _el_star(c, {"center": center, "r": e["r"], "color": e["color"]})


def _el_rays(c: FlagCanvas, e: dict) -> None:
    cx, cy = c.xy(*e["center"])
    far = 2 * max(c.w, c.h)
    n = e["n"]
    for i in range(n):
        a0 = 2 * math.pi * i / n
        a1 = a0 + math.pi / n
        c.poly_px([(cx, cy), (cx + far * math.cos(a0), cy + far * math.sin(a0)),
                   (cx + far * math.cos(a1), cy + far * math.sin(a1))], e["color"])


def _el_sun(c: FlagCanvas, e: dict) -> None:
    cx, cy = c.xy(*e["center"])
    r = e["r"] * c.h
    c.poly_px(_star_points(cx, cy, r, e.get("n", 12), inner=0.62), e["color"])
    c.disc(e["center"], e["r"] * 0.56, e["ring"])
    c.disc(e["center"], e["r"] * 0.48, e["color"])


def _el_hammer_sickle(c: FlagCanvas, e: dict) -> None:
    """A simplified hammer and sickle: an open arc with a handle, crossed by a hammer."""
    cx, cy = c.xy(*e["center"])
    s = e["size"] * c.h
    col = c.color(e["color"])
    w = max(1, int(s * 0.11))
    c.draw.arc([cx - s * 0.42, cy - s * 0.45, cx + s * 0.38, cy + s * 0.35], 150, 20,
               fill=col, width=w)
    c.draw.line([(cx - s * 0.3, cy + s * 0.2), (cx - s * 0.45, cy + s * 0.45)], fill=col,
                width=w)
    handle = [(cx - s * 0.35, cy - s * 0.05), (cx + s * 0.3, cy + s * 0.45)]
    c.draw.line(handle, fill=col, width=w)
    head = _rotated([(cx - s * 0.18, cy - s * 0.38), (cx + s * 0.18, cy - s * 0.38),
                     (cx + s * 0.18, cy - s * 0.22), (cx - s * 0.18, cy - s * 0.22)],
                    cx, cy, -35)
    c.poly_px([(x - s * 0.14, y + s * 0.02) for x, y in head], e["color"])


def _el_hammer_compass(c: FlagCanvas, e: dict) -> None:
    cx, cy = c.xy(*e["center"])
    s = e["size"] * c.h
    col = c.color(e["color"])
    w = max(1, int(s * 0.1))
    c.draw.line([(cx, cy - s * 0.4), (cx - s * 0.3, cy + s * 0.4)], fill=col, width=w)
    c.draw.line([(cx, cy - s * 0.4), (cx + s * 0.3, cy + s * 0.4)], fill=col, width=w)
    c.draw.rectangle([cx - s * 0.05, cy - s * 0.35, cx + s * 0.05, cy + s * 0.35], fill=col)
    c.draw.rectangle([cx - s * 0.2, cy - s * 0.4, cx + s * 0.2, cy - s * 0.25], fill=col)


def _el_swastika(c: FlagCanvas, e: dict) -> None:
    cx, cy = c.xy(*e["center"])
    s = e["size"] * c.h / 2
    t = s / 5  # arm thickness / 2
    arms = [
        [(-t, -s), (t, -s), (t, t), (-t, t)],  # vertical bar
        [(-s, -t), (s, -t), (s, t), (-s, t)],  # horizontal bar
        [(t, -s), (s, -s), (s, -s + 2 * t), (t, -s + 2 * t)],  # hooks, clockwise
        [(s - 2 * t, t), (s, t), (s, s), (s - 2 * t, s)],
        [(-t, s - 2 * t), (-t, s), (-s, s), (-s, s - 2 * t)],
        [(-s, -t), (-s + 2 * t, -t), (-s + 2 * t, -s), (-s, -s)],
    ]
    for arm in arms:
        pts = _rotated([(cx + x, cy + y) for x, y in arm], cx, cy, 45)
        c.poly_px(pts, e["color"])


def _el_eagle(c: FlagCanvas, e: dict) -> None:
    """A heraldic eagle reduced to its silhouette: body, head and spread wings."""
    cx, cy = c.xy(*e["center"])
    s = e["size"] * c.h / 2
    body = [(cx - s * 0.2, cy - s * 0.5), (cx + s * 0.2, cy - s * 0.5),
            (cx + s * 0.25, cy + s * 0.6), (cx, cy + s * 0.9), (cx - s * 0.25, cy + s * 0.6)]
    wing = [(cx, cy - s * 0.3), (cx + s * 1.0, cy - s * 0.8), (cx + s * 0.9, cy - s * 0.3),
            (cx + s * 0.95, cy + s * 0.1), (cx + s * 0.7, cy + s * 0.2),
            (cx + s * 0.2, cy + s * 0.4)]
    c.poly_px(body, e["color"])
    c.poly_px(wing, e["color"])
    c.poly_px([(2 * cx - x, y) for x, y in wing], e["color"])
    c.disc(((cx) / c.w, (cy - s * 0.65) / c.h), 0.22 * s / c.h, e["color"])


def _el_dragon(c: FlagCanvas, e: dict) -> None:
    """A dragon as a thick undulating body with a head: enough for its luminance and hue."""
    cx, cy = c.xy(*e["center"])
    s = e["size"] * c.h
    col = c.color(e["color"])
    pts = [(cx - s * 0.6 + t * s * 1.2, cy + s * 0.18 * math.sin(t * 3 * math.pi))
           for t in np.linspace(0, 1, 40)]
    c.draw.line(pts, fill=col, width=max(1, int(s * 0.1)), joint="curve")
    hx, hy = pts[0]
    c.draw.ellipse([hx - s * 0.12, hy - s * 0.16, hx + s * 0.1, hy + s * 0.06], fill=col)
    for t in (0.25, 0.55, 0.8):
        x, y = pts[int(t * 39)]
        c.draw.line([(x, y), (x + s * 0.05, y + s * 0.2)], fill=col, width=max(1, int(s * 0.04)))


def _el_ornament(c: FlagCanvas, e: dict) -> None:
    x0, y0, x1, y1 = e["box"]
    c.rect(e["box"], e["bg"])
    n = 8
    for i in range(n):
        ya, yb = y0 + (y1 - y0) * i / n, y0 + (y1 - y0) * (i + 1) / n
        xm, ym = (x0 + x1) / 2, (ya + yb) / 2
        c.polygon([(xm, ya + 0.01), (x1 - 0.015, ym), (xm, yb - 0.01), (x0 + 0.015, ym)],
                  e["color"])


def _el_shield(c: FlagCanvas, e: dict) -> None:
    cx, cy = e["center"]
    s = e["size"]
    aspect = c.h / c.w
    def shape(scale):
        hw = s * 0.4 * scale * aspect
        return [(cx - hw, cy - s * 0.45 * scale), (cx + hw, cy - s * 0.45 * scale),
                (cx + hw, cy + s * 0.15 * scale), (cx, cy + s * 0.5 * scale),
                (cx - hw, cy + s * 0.15 * scale)]
    c.polygon(shape(1.0), e["border"])
    c.polygon(shape(0.85), e["color"])
    # `width` of a cross is a share of its box's height, so it must not scale with `s` again:
    # 0.22 of the box gives the broad cross of Savoy (about a fifth of the shield's width).
    _el_cross(c, {"x": cx, "y": cy - s * 0.05, "width": e.get("cross_width", 0.22),
                  "color": e["cross"],
                  "box": (cx - s * 0.3 * aspect, cy - s * 0.35, cx + s * 0.3 * aspect,
                          cy + s * 0.3)})


def _el_iron_cross(c: FlagCanvas, e: dict) -> None:
    cx, cy = c.xy(*e["center"])
    s = e["size"] * c.h / 2

    def arms(scale: float) -> list[list[tuple[float, float]]]:
        r, n, w = s * scale, s * 0.15 * scale, s * 0.55 * scale
        out = []
        for angle in (0, 90, 180, 270):
            arm = [(cx - n, cy), (cx - w, cy - r), (cx + w, cy - r), (cx + n, cy)]
            out.append(_rotated(arm, cx, cy, angle))
        return out

    for arm in arms(1.0):
        c.poly_px(arm, e["border"])
    for arm in arms(0.8):
        c.poly_px(arm, e["color"])


def wave_offset(x: np.ndarray, waves: float, profile: str) -> np.ndarray:
    """The wave's rise at x (fractions of the width) in [-1, 1], -1 at a crest (upward).
    "round": a sine; "pointed": sharp crests over round troughs (the Estonian SSR's sea)."""
    if profile == "round":
        return -np.cos(2 * np.pi * waves * x)
    if profile == "pointed":
        return 2 * np.abs(np.sin(np.pi * waves * x)) - 1
    raise ValueError(f"wave_stripes profile {profile!r} is unknown; use 'round' or 'pointed'")


def _el_wave_stripes(c: FlagCanvas, e: dict) -> None:
    """Horizontal stripes whose edges wave along the length (the sea at the foot of the
    Estonian and Latvian SSR flags of 1953): `colors` in `weights` fill the band `y`
    [top, bottom]; every edge rises and falls by `amplitude` (of the height) `waves` times.
    An edge on the cloth's own edge (0 or 1) stays straight, so a band there reaches it."""
    names, weights = e["colors"], e.get("weights") or [1] * len(e["colors"])
    if len(weights) != len(names):
        raise ValueError(f"wave_stripes has {len(names)} colors but {len(weights)} weights; "
                         "give one weight per color")
    top, bottom = e["y"]
    fractions = np.concatenate([[0], np.cumsum(weights) / np.sum(weights)])
    xs = np.linspace(0.0, 1.0, max(64, c.w // 2))
    rise = e["amplitude"] * wave_offset(xs, e["waves"], e.get("profile", "round"))

    def edge(y: float) -> list[tuple[float, float]]:
        ys = np.full_like(xs, y) if y <= 0 or y >= 1 else y + rise
        return [c.xy(x, yy) for x, yy in zip(xs, ys)]

    for name, a, b in zip(names, fractions[:-1], fractions[1:]):
        upper = edge(top + a * (bottom - top))
        lower = edge(top + b * (bottom - top))
        c.poly_px(upper + lower[::-1], name)


ELEMENTS = {
    name[4:]: fn for name, fn in globals().items() if name.startswith("_el_") and callable(fn)
}
