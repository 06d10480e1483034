"""The region map the workbench draws over the photo (where each region's color came from),
in colors and numbers a person can match to the hint list.

A hint's region is painted in the hint's own color, the color of its swatch in the hint list
and the region list, and numbered as the hint list numbers it: `label_points` gives each
hint's region a point well inside it, where the page puts that number. The number is what
tells two hints of one color apart, or a gray hint from the model's gray; a white outline
around each hint's region separates it from a neighbour of a similar color. The model and the
exemplars, which have no color of their own, keep `color_regions`' palette
(`ColorRegion.rgb`, shared with the CLI's `.regions.png`).

Before, every region took the palette's color for its id, so hint 1 was drawn red and hint 2
green whatever colors they asked for, and nothing on the map said which hint a region was.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from scipy import ndimage

if TYPE_CHECKING:
    from colorizer.pipeline.color_regions import ColorRegion, ColorRegions

REGION_ALPHA = 150  # opacity of the region map over the photo
ONLY_ALPHA = 200  # one region highlighted alone (the others clear)
OUTLINE = (255, 255, 255, 230)  # the edge of a hint's region


def region_hex(region: ColorRegion) -> str:
    return "#" + "".join(f"{c:02x}" for c in region.rgb())


def hint_numbers(regions: ColorRegions) -> dict[int, int]:
    """Region id -> the hint's number, 1.. in the order the hints were given (the order of the
    page's hint list and of the pipeline's error messages)."""
    hints = [r.id for r in regions.regions if r.kind == "hint"]
    return {rid: n for n, rid in enumerate(hints, start=1)}


def label_points(regions: ColorRegions) -> dict[int, tuple[float, float]]:
    """Region id -> where to put a hint's number: its region's point farthest from the
    region's edge (and from the photo's), as fractions (x, y) of the photo's width and height.
    A region that holds no pixel has none."""
    h, w = regions.map.shape
    points = {}
    for rid in hint_numbers(regions):
        inside = regions.map == rid
        if not inside.any():
            continue
        depth = ndimage.distance_transform_edt(np.pad(inside, 1))[1:-1, 1:-1]
        row, col = np.unravel_index(int(depth.argmax()), depth.shape)
        points[rid] = (round((col + 0.5) / w, 4), round((row + 0.5) / h, 4))
    return points


def regions_png(regions: ColorRegions, size: tuple[int, int], only: int | None = None) -> bytes:
    """RGBA at `size`: every region in its color (`ColorRegion.rgb`), hints' regions outlined; or
    only region `only` (the others clear)."""
    ids = np.asarray(Image.fromarray(regions.map.astype(np.uint8), "L")
                     .resize(size, Image.NEAREST))
    palette = regions.palette()
    pixels = np.concatenate([palette[ids], np.full((*ids.shape, 1), REGION_ALPHA, np.uint8)],
                            axis=-1)
    if only is not None:
        pixels[..., 3] = np.where(ids == only, ONLY_ALPHA, 0)
    else:
        pixels[_edges(ids, list(hint_numbers(regions)))] = OUTLINE
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _edges(ids: np.ndarray, which: list[int]) -> np.ndarray:
    """The pixels of the regions `which` that touch another region (4-neighbours)."""
    differs = np.zeros(ids.shape, dtype=bool)
    differs[1:, :] |= ids[1:, :] != ids[:-1, :]
    differs[:-1, :] |= ids[:-1, :] != ids[1:, :]
    differs[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    differs[:, :-1] |= ids[:, :-1] != ids[:, 1:]
    return differs & np.isin(ids, which)
