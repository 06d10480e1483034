"""Where each region's color came from: a region map and one record per region.

Every pixel is decided by one of: a user's hint (what the hint's effective weight is at least
0.5), else an exemplar (its contribution map, attention or transfer, at least 0.5), else the
model's own guess. Region ids: 0 the model, 1..K the hints in the order given (as error
messages number them), then the used exemplars. Each record says what decided the region, its
source (the hint's citation, the exemplar's archive record), its share of the image, its box,
and a confidence in [0, 1]:

    hint      how firmly the spread holds where it reached (`hint_step.HintUse`)
    exemplar  its mean contribution over its region
    model     1 - the mean uncertainty (normalised entropy) over its region
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageColor

from colorizer.pipeline.short_repr import array_text, clipped

if TYPE_CHECKING:  # annotations only: these modules import torch
    from colorizer.pipeline.exemplar_report import ExemplarUse
    from colorizer.pipeline.hint_step import HintUse

MAP_CELLS = 32  # long side of the coarse region grid in the JSON report
REGIONS_SHOWN = 8  # regions named in `ColorRegions`' one-line repr (64 hints are possible)
LABEL_SHOWN = 50  # characters of a region's label there
# Region colors of the map image where a region has no color of its own: the model gray,
# exemplars and reference hints in distinct hues (a color hint's region takes its color).
_PALETTE = [(128, 128, 128), (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200),
            (245, 130, 48), (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60),
            (250, 190, 212), (0, 128, 128), (220, 190, 255), (170, 110, 40), (255, 250, 200),
            (128, 0, 0), (170, 255, 195), (128, 128, 0), (255, 215, 180), (0, 0, 128)]


def region_color(region_id: int) -> tuple[int, int, int]:
    """The RGB color of a region id in the map image (and in the workbench's legend)."""
    return _PALETTE[region_id % len(_PALETTE)]


@dataclass(frozen=True)
class ColorRegion:
    id: int
    kind: str  # "hint", "exemplar" or "model"
    label: str  # what decided it, in words
    source: str | None  # the hint's citation / URL / note, the exemplar's record
    share: float  # of the image's pixels
    confidence: float
    box: tuple[int, int, int, int] | None  # x0, y0, x1, y1 in the input's pixels; None: empty
    detail: dict[str, Any] | None = None  # the hint as given, or the exemplar's record

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "source": self.source,
                "share": self.share, "confidence": self.confidence,
                "box": list(self.box) if self.box else None, "detail": self.detail}

    def __repr__(self) -> str:
        # The generated repr printed `detail` whole (the hint as given with its notes, the
        # exemplar's record): it is in to_dict; its keys say what it holds.
        detail = "None" if self.detail is None else f"<{', '.join(self.detail)}>"
        return (f"ColorRegion(id={self.id}, kind={self.kind!r}, label={clipped(self.label)}, "
                f"source={clipped(self.source)}, share={self.share}, "
                f"confidence={self.confidence}, box={self.box}, detail={detail})")

    def brief(self) -> str:
        """The region in a list: "1 hint 21.6%: 'user hint (point 50,60): #b22222'"."""
        return f"{self.id} {self.kind} {self.share:.1%}: {clipped(self.label, LABEL_SHOWN)}"

    def rgb(self) -> tuple[int, int, int]:
        """The color the map paints this region in: a color hint's own (its record keeps it as
        '#rrggbb'), so a person matches the map to the hints they gave; else the palette's
        color for its id (the model, exemplars, a reference hint)."""
        color = (self.detail or {}).get("color") if self.kind == "hint" else None
        if isinstance(color, str):
            try:
                return tuple(ImageColor.getrgb(color)[:3])  # type: ignore[return-value]
            except ValueError:
                pass  # not a color PIL reads: the palette's, as for a reference hint
        return region_color(self.id)


@dataclass(frozen=True, eq=False)
class ColorRegions:
    map: np.ndarray  # (h', w') uint8 region ids at the working size
    size: tuple[int, int]  # (width, height) of the input
    regions: tuple[ColorRegion, ...]

    def __repr__(self) -> str:
        # The generated repr printed the map's numbers (1,573 characters for 320 x 177) and
        # every region's record; the regions here one short line each, the first few.
        shown = [region.brief() for region in self.regions[:REGIONS_SHOWN]]
        more = len(self.regions) - len(shown)
        listed = ", ".join(shown) + (f", +{more} more" if more > 0 else "")
        return (f"ColorRegions(map={array_text(self.map)}, size={self.size}, "
                f"regions=[{listed}])")

    def palette(self) -> np.ndarray:
        """(256, 3) uint8: the color of each region id in the map (`ColorRegion.rgb`)."""
        colors = np.array([region_color(i) for i in range(256)], dtype=np.uint8)
        for region in self.regions:
            colors[region.id] = region.rgb()
        return colors

    def image(self) -> Image.Image:
        """The map at the input's size, one color per region (palette PNG), a color hint's
        region in the hint's color."""
        picture = Image.fromarray(self.map.astype(np.uint8), "P")
        picture.putpalette(self.palette().ravel().tolist())
        return picture.resize(self.size, Image.NEAREST)

    def grid(self) -> list[list[int]]:
        """The map on a coarse grid (long side `MAP_CELLS`), the most common id per cell."""
        h, w = self.map.shape
        scale = MAP_CELLS / max(h, w)
        gh, gw = max(1, round(h * scale)), max(1, round(w * scale))
        rows = np.minimum((np.arange(h) * gh) // h, gh - 1)
        cols = np.minimum((np.arange(w) * gw) // w, gw - 1)
        cell = rows[:, None] * gw + cols[None, :]
        count = max(int(self.map.max()) + 1, 1)
        votes = np.zeros((gh * gw, count), dtype=np.int64)
        np.add.at(votes, (cell.ravel(), self.map.ravel().astype(np.int64)), 1)
        return votes.argmax(1).reshape(gh, gw).tolist()

    def to_dict(self) -> dict[str, Any]:
        return {"regions": [r.to_dict() for r in self.regions],
                "map": {"cells": self.grid(), "legend": "cell = region id (0 = the model)"}}


def color_regions(uses: Sequence[HintUse], hint_weights: np.ndarray,
                  exemplars: Sequence[ExemplarUse], exemplar_maps: Sequence[np.ndarray],
                  uncertainty: np.ndarray, size: tuple[int, int]) -> ColorRegions:
    """The map and records from the hints' effective weights (K, h', w'), the used
    exemplars' contribution maps (any grid) and the uncertainty at the working size."""
    shape = uncertainty.shape
    ids = np.zeros(shape, dtype=np.uint8)
    used = [e for e in exemplars if e.used]
    first_exemplar = len(uses) + 1
    maps = [_resize(m, shape) for m in exemplar_maps]
    if maps:
        stack = np.stack(maps)
        best = stack.argmax(0)
        ids = np.where(stack.max(0) >= 0.5, best + first_exemplar, ids).astype(np.uint8)
    if len(uses):
        best = hint_weights.argmax(0)
        ids = np.where(hint_weights.max(0) >= 0.5, best + 1, ids).astype(np.uint8)
    regions = [_region(0, "model", "the model's guess", None, ids, size,
                       1.0 - _mean(uncertainty, ids == 0), None)]
    for k, use in enumerate(uses):
        regions.append(_region(k + 1, "hint", _hint_label(use), use.hint.source, ids, size,
                               use.confidence, {**use.hint.to_dict(), "notes": list(use.notes)}))
    for j, (record, mass) in enumerate(zip(used, maps)):
        rid = first_exemplar + j
        regions.append(_region(rid, "exemplar", f"{record.kind} exemplar: {record.title}",
                               _exemplar_source(record), ids, size, _mean(mass, ids == rid),
                               {"id": record.id, "kind": record.kind}))
    return ColorRegions(ids, size, tuple(regions))


def _region(rid: int, kind: str, label: str, source: str | None, ids: np.ndarray,
            size: tuple[int, int], confidence: float, detail: dict[str, Any] | None
            ) -> ColorRegion:
    inside = ids == rid
    return ColorRegion(rid, kind, label, source, round(float(inside.mean()), 4),
                       round(float(np.clip(confidence, 0, 1)), 4), _box(inside, size), detail)


def _hint_label(use: HintUse) -> str:
    what = use.hint.to_dict()
    said = what.get("color") or f"the colors of {what.get('reference')}"
    return f"user hint ({use.hint.where.describe()}): {said}"


def _exemplar_source(record: ExemplarUse) -> str | None:
    data = record.exemplar.to_dict()  # never its image_path: a server's paths are not sources
    if data.get("source"):
        return str(data["source"])
    return f"the user's reference photo {record.title}" if record.kind == "user" else None


def _mean(values: np.ndarray, where: np.ndarray) -> float:
    return float(values[where].mean()) if bool(where.any()) else 0.0


def _box(inside: np.ndarray, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The region's bounding box in the input's pixels (from the working grid)."""
    if not bool(inside.any()):
        return None
    rows, cols = np.nonzero(inside)
    h, w = inside.shape
    sx, sy = size[0] / w, size[1] / h
    return (int(cols.min() * sx), int(rows.min() * sy),
            min(size[0], int(np.ceil((cols.max() + 1) * sx))),
            min(size[1], int(np.ceil((rows.max() + 1) * sy))))


def _resize(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if values.shape == shape:
        return values.astype(np.float32)
    image = Image.fromarray(values.astype(np.float32), "F")
    return np.asarray(image.resize((shape[1], shape[0]), Image.BILINEAR), dtype=np.float32)
