"""Color hints: the colors people know, each with where it applies and where it comes from.

    from colorizer import Box, ColorHint, LibraryExemplar, Point, ReferenceHint
    result = pipe("parade.jpg", color_hints=[
        ColorHint(Point(212, 140), "#b22222", source="regimental history, p. 12"),
        ColorHint(Box(10, 300, 180, 420), "navy"),
        ReferenceHint(Box(400, 40, 620, 300), "color_postcard.jpg", source="postcard, 1936"),
        ReferenceHint(Box(0, 0, 200, 120), LibraryExemplar("ussr_state_flag")),
    ])

Where a hint applies (pixel coordinates of the input image, x to the right, y down):
    Point(x, y)             the region the photo shows around the point (spread edge-aware,
                            colorizer.pipeline.hint_spread); it stops at the region's edges.
                            Several points also correct the rest of the photo: the color cast
                            they agree on, and their residuals over what looks alike
                            (colorizer.pipeline.hint_balance); one point alone never does
    Box(x0, y0, x1, y1)     the area itself, its border snapped to the photo's edges;
    Polygon(((x, y), ...))  ... so are a polygon's ...
    Mask(array)             ... and a mask's (nonzero = inside; the input's size)
What it says:
    ColorHint(where, color)          that color (its hue and chroma: the photo's lightness is
                                     kept exactly); '#RRGGBB', '#RGB', 'rgb(200, 30, 30)' or a
                                     CSS name such as 'darkred'
    ReferenceHint(where, reference)  the colors of that reference photo, or of a library
                                     exemplar named by its id (`LibraryExemplar`, the retrieval
                                     index's record id: `chronochrome library search --json`
                                     lists them), matched onto the area by the exemplar transfer
Every hint may carry a `source`: a citation, a URL or a note; it is reported with the region.

Checked before any work (`check_hints`), each failure a `HintError` naming the hint and the fix:
a hint outside the image, a color that is not one, and two hints that conflict: two points
closer than `CONFLICT_RADIUS` of the long side, or two areas that mostly overlap, with colors
more than `SAME_COLOR` apart. A point inside an area refines it (not a conflict): the more
specific hint wins where both reach.

JSON (the CLI's --color-hints file, the HTTP API's `color_hints`), `hint_json.hints_from_json`:
    [{"point": [212, 140], "color": "#b22222", "source": "..."},
     {"box": [10, 300, 180, 420], "color": "navy"},
     {"polygon": [[0, 0], [50, 0], [25, 40]], "color": "rgb(20, 90, 40)"},
     {"mask": "data:image/png;base64,...", "color": "#eeddaa"},
     {"box": [400, 40, 620, 300], "reference": "data:image/jpeg;base64,..."},
     {"box": [0, 0, 200, 120], "exemplar": "ussr_state_flag"}]
A file path (mask, reference) is read relative to the hints file; over HTTP only data: URIs.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageColor, ImageDraw

from colorizer.errors import ChronochromeError
from colorizer.pipeline.short_repr import array_text

MAX_HINTS = 64  # per photo: each hint costs a spread over the photo
MAX_SOURCE_CHARS = 1000
CONFLICT_RADIUS = 0.01  # share of the long side within which two points are "one spot"
MIN_CONFLICT_PX = 3.0
SAME_COLOR = 10.0  # a*b* distance below which two hints say the same color
AREA_OVERLAP = 0.5  # share of the smaller area two areas must share to be "one spot"


class HintError(ChronochromeError):
    """A color hint cannot be used as given; the message names the hint and the fix."""

    reason = "invalid_hint"


@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def describe(self) -> str:
        return f"point {_numbers(self.x, self.y)}"


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def describe(self) -> str:
        return f"box {_numbers(self.x0, self.y0, self.x1, self.y1)}"


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]

    def describe(self) -> str:
        count = len(self.points) if isinstance(self.points, Sequence | np.ndarray) else "?"
        return f"polygon of {count} points"


@dataclass(frozen=True, eq=False)
class Mask:
    mask: np.ndarray  # (H, W) nonzero = inside, the input image's size

    def __repr__(self) -> str:
        # The generated repr printed the array's numbers, in every ColorHint that holds it.
        return f"Mask(mask={array_text(np.asarray(self.mask))})"

    def describe(self) -> str:
        shape = getattr(self.mask, "shape", ())
        return f"mask {shape[1]}x{shape[0]}" if len(shape) == 2 else "mask"


Where = Point | Box | Polygon | Mask


def _numbers(*values: object) -> str:
    """Coordinates as a hint's label shows them; a value that is no number (Point("5", "5"))
    as written, so the check can say what is wrong instead of a format error."""
    return ",".join(f"{v:g}" if isinstance(v, int | float) else repr(v) for v in values)


@dataclass(frozen=True)
class ColorHint:
    """`where` takes `color` (its a*b*; the photo's L* stays)."""

    where: Where
    color: str | tuple[int, int, int]
    source: str | None = None

    @property
    def rgb(self) -> tuple[int, int, int]:
        return parse_color(self.color)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "color", "where": where_dict(self.where), "color": hex_color(self.rgb),
                "source": self.source}


MAX_ID_CHARS = 200  # an exemplar id's length


@dataclass(frozen=True)
class LibraryExemplar:
    """A reference hint's reference: the exemplar of the pipeline's library with this id."""

    id: str

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip() or len(self.id) > MAX_ID_CHARS:
            raise HintError(f"an exemplar id is text of 1-{MAX_ID_CHARS} characters (the "
                            f"library's record id), not {self.id!r}")


@dataclass(frozen=True)
class ReferenceHint:
    """`where` takes its colors from `reference` (a color photo: path, bytes or PIL image;
    or a library exemplar by id)."""

    where: Where
    reference: str | Path | bytes | Image.Image | LibraryExemplar = field(repr=False)
    source: str | None = None
    name: str | None = None  # how reports name the reference (default: its file name)

    @property
    def title(self) -> str:
        if self.name:
            return self.name
        if isinstance(self.reference, LibraryExemplar):
            return f"library exemplar {self.reference.id}"
        return Path(self.reference).name if isinstance(self.reference, str | Path) else "reference"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "reference", "where": where_dict(self.where), "reference": self.title,
                "source": self.source}


Hint = ColorHint | ReferenceHint


def hint_key(hint: Hint) -> str:
    """SHA-256 of everything in a hint that changes the output (a mask's pixels and a
    reference's bytes included; the source too, as the report carries it)."""
    digest = hashlib.sha256(json.dumps(hint.to_dict(), sort_keys=True).encode())
    if isinstance(hint.where, Mask):
        digest.update(np.packbits(hint.where.mask.astype(bool)).tobytes())
    if isinstance(hint, ReferenceHint):
        ref = hint.reference
        if isinstance(ref, Image.Image):
            digest.update(ref.tobytes())
        elif isinstance(ref, bytes):
            digest.update(ref)
        elif isinstance(ref, LibraryExemplar):
            digest.update(f"library:{ref.id}".encode())
        else:  # a path: its bytes (the pipeline reports it when it cannot be read)
            try:
                digest.update(Path(ref).read_bytes())
            except OSError:
                digest.update(str(ref).encode())
    return digest.hexdigest()


def parse_color(value: str | Sequence[int]) -> tuple[int, int, int]:
    """'#b22222', '#b22', 'rgb(178, 34, 34)', 'firebrick' or (178, 34, 34) -> (r, g, b)."""
    if isinstance(value, str):
        try:
            rgb = ImageColor.getrgb(value.strip())
        except ValueError:
            raise HintError(f"{value!r} is not a color; write '#RRGGBB' (e.g. '#b22222'), "
                            "'#RGB', 'rgb(178, 34, 34)' or a CSS color name such as "
                            "'firebrick'") from None
        return tuple(rgb[:3])  # type: ignore[return-value]
    if (isinstance(value, Sequence) and len(value) == 3
            and all(isinstance(v, int) and 0 <= v <= 255 for v in value)):
        return (value[0], value[1], value[2])
    raise HintError(f"{value!r} is not a color; give a string such as '#b22222' or three "
                    "integers 0-255")


def hex_color(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def where_dict(where: Where) -> dict[str, Any]:
    if isinstance(where, Point):
        return {"point": [where.x, where.y]}
    if isinstance(where, Box):
        return {"box": [where.x0, where.y0, where.x1, where.y1]}
    if isinstance(where, Polygon):
        return {"polygon": [list(p) for p in where.points]}
    return {"mask": {"size": [where.mask.shape[1], where.mask.shape[0]],
                     "pixels": int(np.count_nonzero(where.mask))}}


def area_mask(where: Where, size: tuple[int, int]) -> np.ndarray:
    """(H, W) bool: the pixels a box, polygon or mask covers in an image of `size` (w, h)."""
    width, height = size
    if isinstance(where, Mask):
        return where.mask.astype(bool)
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    if isinstance(where, Box):
        draw.rectangle((where.x0, where.y0, where.x1 - 1, where.y1 - 1), fill=1)
    elif isinstance(where, Polygon):
        draw.polygon([tuple(p) for p in where.points], fill=1)
    else:
        raise TypeError(f"area_mask takes a box, polygon or mask, not {where!r}")
    return np.asarray(canvas, dtype=bool)


def check_hints(hints: Sequence[Hint], size: tuple[int, int]) -> tuple[Hint, ...]:
    """The hints, checked against an image of `size` (w, h); a `HintError` names the first
    problem (which hint, what is wrong, how to fix it)."""
    if hints is None:  # color_hints=None: no hints, as the default ()
        return ()
    if isinstance(hints, str | bytes | dict | ColorHint | ReferenceHint):
        raise HintError(f"color hints must be a list of hints, not one {type(hints).__name__}"
                        ": e.g. [ColorHint(Point(120, 80), \"#b22222\")] or, as in a hints "
                        'file, [{"point": [120, 80], "color": "#b22222"}]')
    hints = tuple(hints)
    check_count(len(hints))
    for n, hint in enumerate(hints, 1):
        label = f"color hint {n} ({_describe(hint)})"
        if not isinstance(hint, ColorHint | ReferenceHint):
            raise HintError(f"color hint {n}: {hint!r} is not a ColorHint or ReferenceHint")
        if hint.source is not None and (not isinstance(hint.source, str)
                                        or len(hint.source) > MAX_SOURCE_CHARS):
            raise HintError(f"{label}: the source must be text of at most "
                            f"{MAX_SOURCE_CHARS} characters (a citation, a URL or a note)")
        if isinstance(hint, ColorHint):
            try:
                parse_color(hint.color)
            except HintError as exc:
                raise HintError(f"{label}: {exc}") from None
        _check_where(hint.where, size, label)
    _check_conflicts(hints, size)
    return hints


def _describe(hint: object) -> str:
    where = getattr(hint, "where", None)
    return where.describe() if isinstance(where, Point | Box | Polygon | Mask) else "?"


def _check_where(where: Where, size: tuple[int, int], label: str) -> None:
    width, height = size
    image = f"the image is {width} x {height} px: x in [0, {width}), y in [0, {height})"
    if isinstance(where, Point):
        if not _finite(where.x, where.y):
            raise HintError(f"{label}: a point's x and y are finite numbers of pixels, e.g. "
                            "Point(120, 80)")
        if not (0 <= where.x < width and 0 <= where.y < height):
            raise HintError(f"{label} is outside the image; {image}")
    elif isinstance(where, Box):
        check_box_shape(where, label)
        if where.x1 <= 0 or where.y1 <= 0 or where.x0 >= width or where.y0 >= height:
            raise HintError(f"{label} is outside the image; {image}")
    elif isinstance(where, Polygon):
        if not _point_pairs(where.points):
            raise HintError(f"{label}: a polygon needs at least 3 points [x, y]")
        if not area_mask(where, size).any():
            raise HintError(f"{label} covers no pixel of the image; {image}")
    elif isinstance(where, Mask):
        if not isinstance(where.mask, np.ndarray):
            raise HintError(f"{label}: a mask is a numpy array, (H, W) nonzero inside, given a "
                            f"{type(where.mask).__name__}: pass Mask(np.asarray(image) > 0)")
        if where.mask.ndim != 2 or where.mask.shape != (height, width):
            raise HintError(f"{label}: a mask must have the image's size, {width} x {height} "
                            f"px, not {where.mask.shape[::-1]}")
        if not where.mask.any():
            raise HintError(f"{label} is empty: nonzero pixels mark the area")
    else:
        raise HintError(f"{label}: where must be a Point, Box, Polygon or Mask, not {where!r}")


def check_count(count: int) -> None:
    """At most MAX_HINTS hints for one photo (a hints file's are counted before any decoding)."""
    if count > MAX_HINTS:
        raise HintError(f"{count} color hints: at most {MAX_HINTS} per photo; merge hints of "
                        "one color into one box, polygon or mask")


def check_box_shape(box: Box, label: str) -> None:
    """What any image would refuse in a box (a hints file's is refused before any work)."""
    if not _finite(box.x0, box.y0, box.x1, box.y1) or box.x1 <= box.x0 or box.y1 <= box.y0:
        raise HintError(f"{label}: a box is x0,y0,x1,y1 with x1 > x0 and y1 > y0")


def _point_pairs(points: object) -> bool:
    """At least 3 points, each [x, y] of finite numbers (Polygon(5) was a bare TypeError)."""
    pairs = isinstance(points, Sequence | np.ndarray) and len(points) >= 3
    return pairs and all(isinstance(p, Sequence | np.ndarray) and len(p) == 2 and _finite(*p)
                         for p in points)


def _finite(*values: float) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


def _check_conflicts(hints: tuple[Hint, ...], size: tuple[int, int]) -> None:
    """Two hints on one spot that say different colors (module docstring)."""
    radius = max(MIN_CONFLICT_PX, CONFLICT_RADIUS * max(size))
    areas: dict[int, np.ndarray] = {}
    for i, a in enumerate(hints):
        for j in range(i + 1, len(hints)):
            b = hints[j]
            if _same_color(a, b):
                continue
            if isinstance(a.where, Point) and isinstance(b.where, Point):
                close = math.dist((a.where.x, a.where.y), (b.where.x, b.where.y)) <= radius
            elif not isinstance(a.where, Point) and not isinstance(b.where, Point):
                ma = areas.setdefault(i, area_mask(a.where, size))
                mb = areas.setdefault(j, area_mask(b.where, size))
                smaller = max(1, min(int(ma.sum()), int(mb.sum())))
                close = (ma & mb).sum() / smaller > AREA_OVERLAP
            else:
                continue  # a point inside an area refines it
            if close:
                raise HintError(
                    f"color hints {i + 1} ({_describe(a)}) and {j + 1} ({_describe(b)}) "
                    f"conflict: they mark one spot with different colors ({_says(a)} and "
                    f"{_says(b)}); remove one, or move it onto the part it means")


def _same_color(a: Hint, b: Hint) -> bool:
    if isinstance(a, ReferenceHint) or isinstance(b, ReferenceHint):
        return False
    from colorizer.pipeline.hint_spread import hint_ab

    return float(np.hypot(*(np.subtract(hint_ab(a.rgb), hint_ab(b.rgb))))) < SAME_COLOR


def _says(hint: Hint) -> str:
    return hex_color(hint.rgb) if isinstance(hint, ColorHint) else f"reference {hint.title}"
