"""A full-size float map (the uncertainty) shrunk to the page's display size a band of rows at a
time, never made whole.

The page's overlay was `Image.fromarray(result.uncertainty, "F").resize(size, BILINEAR)`: on a
108 MP scan (12000 x 9000) that read made the whole float32 map (432 MB) and PIL copied it
(432 MB more), to keep 1600 x 1200 of it: the workbench's peak RSS went from about 1.3 GB to
2.6 GB at that line. PIL resizes in two passes, each row across first (`ResampleHorizontal`,
into a float32 (height, display width) image) then each column down; a row's horizontal pass
reads that row alone. So the rows are shrunk across a band at a time (`UpsampledMap.rows`: the
small map upsampled as the result would make it), then the (height, display width) image
(57 MB for that scan) is shrunk down a strip of columns at a time: 83 MB more at the peak,
measured on that scan.

The floats are PIL's on the whole map, to the bit, where PIL also shrinks across first: always
before Pillow 13; Pillow 13 (python-pillow/Pillow#9549) shrinks down first where the height
loses more than twice as many pixels as the width (H - h > 2 (W - w), measured): on a display
copy, photos over twice as tall as wide. There a value differs by at most one float32 step (6e-8): the orders
round the same sums differently; 7 and 9 of a million overlay pixels moved by one level on two
such photos (761x1832, 1248x3084), none on five others. Following Pillow there would mean
reading each column of the full map whole, so the map would be made once per strip.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from colorizer.pipeline.luminance import row_bands

STRIP_COLUMNS = 256  # columns shrunk down at a time: 9 MB of float32 for 9000 rows


def display_map(source: Any, size: tuple[int, int]) -> np.ndarray:
    """(h, w) float32: `source` ((H, W): an array, or a map made when read with a `rows(band)`
    method, as `upsampled_map.UpsampledMap`) resized bilinearly to `size` (w, h), as
    `Image.fromarray(whole, "F").resize(size, Image.BILINEAR)` gives it (to one float32 step:
    see the module's docstring)."""
    height, width = source.shape
    out_width, out_height = size
    across = np.empty((height, out_width), dtype=np.float32)  # after PIL's first pass
    for band in row_bands(height, width):
        rows = _rows(source, band)
        across[band] = _resized(rows, (out_width, rows.shape[0]))
    out = np.empty((out_height, out_width), dtype=np.float32)
    for left in range(0, out_width, STRIP_COLUMNS):
        strip = slice(left, min(out_width, left + STRIP_COLUMNS))
        columns = np.ascontiguousarray(across[:, strip])
        out[:, strip] = _resized(columns, (columns.shape[1], out_height))
    return out


def _rows(source: Any, band: slice) -> np.ndarray:
    """Rows `band` of `source` as a contiguous float32 array, without making the rest."""
    rows = source.rows(band) if hasattr(source, "rows") else source[band]
    return np.ascontiguousarray(rows, dtype=np.float32)


def _resized(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """PIL's bilinear resize of a float32 array; a pass whose size is kept is skipped (as PIL
    skips it on the whole map), so one call does one of the two passes."""
    return np.asarray(Image.fromarray(values, "F").resize(size, Image.BILINEAR),
                      dtype=np.float32)
