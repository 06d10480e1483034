"""The tiles the text detector's network reads a large photo in (context/detector_tiles.py),
and the freed heap handed back after detection (context/heap.py)."""

import sys

from context.detector_tiles import TILE_CORE, TILE_MARGIN, TILE_PIXELS, grid_size, spans
from context.heap import release_freed_memory


def test_the_tiles_cover_the_map_once_each_read_with_its_margin():
    cut = spans(2016)
    assert [(c0, c1) for _, _, c0, c1 in cut] == [(0, 1024), (1024, 2016)]
    assert cut[0][:2] == (0, 1024 + TILE_MARGIN) and cut[1][:2] == (1024 - TILE_MARGIN, 2016)
    assert all(r0 % 32 == 0 and r1 % 32 == 0 for r0, r1, _, _ in cut)
    assert (TILE_CORE + 2 * TILE_MARGIN) ** 2 <= TILE_PIXELS
    assert spans(900) == [(0, 900, 0, 900)]
    assert grid_size(1500, 2000, 2000) == (1504, 1984)  # rapidocr's own rounding (62.5 -> 62)


def test_release_freed_memory_works_here():
    assert release_freed_memory() is (sys.platform == "linux")
