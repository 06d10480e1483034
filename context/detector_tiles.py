"""The text detector's network run over a large photo in overlapping tiles, in bounded memory.

The PP-OCRv4 det network's memory grows with the area it reads: ~+560 MB over the loaded
session for one 1984 x 1504 pass (a 2000-px photo: DETECTOR_MAX_SIDE), ~150-190 MB a
megapixel; onnxruntime's session options do not change that (its CPU arena is already off
in rapidocr; no memory pattern: -17 MB, lower graph optimisation: -20 MB). A photo whose
network input is larger than `TILE_PIXELS` is therefore read here tile by tile:

1. It is resized to the network's grid exactly as rapidocr does it (each side rounded to a
   multiple of 32, cv2's resize), so the probability map has the same size and pixels map
   to the same places.
2. Cores of at most `TILE_CORE` px, on the 32-px grid, cover the map; each is read with
   `TILE_MARGIN` px of its neighbours around it (so the network sees each core's writing
   in its surroundings and its stride lines up with the whole photo's), normalised tile by
   tile in float32, and only the core of its probability map is kept.
3. rapidocr's own post-processing (threshold, contours, unclip, box filter) runs on the
   stitched map, as on a whole pass: a line crossing a seam is one box, not two halves.

The network's squeeze-and-excitation blocks pool over what they are handed, so a tile's
map is not bit-identical to the whole pass's (one tile covering the whole map is), and some
boxes on texture come and go; the writing is found as before. On 10 historical-bw photos
enlarged to 2000 px, each with 5 signs written at random places, sizes and polarities
(across seams too), the full reader read 43 of the 50 signs with the whole pass and 45 tiled;
the differences were look-alike letters ("KAZAN" read in Greek or Latin) and noise lines.
Detection on a 2000 x 1500 photo: +560 MB over the loaded session in one pass, +300 MB
tiled (4 tiles of up to 1120 x 1120 instead of one 1984 x 1504 pass: 24% more pixels read).
Inputs up to `TILE_PIXELS` (every eval and dataset photo: none is over 1.05 MP) are read
whole, as before, so their readings do not change.
"""

from __future__ import annotations

import numpy as np

# Network inputs of up to this many pixels are read in one pass (rapidocr's own path).
TILE_PIXELS = 1216 * 1216
# A tile's core side and the context read around it (px on the network's grid, multiples of
# 32 so every tile's stride lines up with the whole photo's). 1024 + 2 x 96 keeps a tile
# within TILE_PIXELS; a 2000-px photo takes 2 x 2 tiles. Wider margins did not make the map
# the whole pass's (192 px: 336 of 14799 text pixels still on the other side of rapidocr's
# 0.3 threshold, 96 px: 424; the pooled context differs), and cost memory and time.
TILE_CORE = 1024
TILE_MARGIN = 96
_GRID = 32


def grid_size(height: int, width: int, limit_side: int) -> tuple[int, int]:
    """The (height, width) rapidocr's DetPreProcess resizes an image to ("max" limit type):
    shrunk to `limit_side` on its long side if over it, each side rounded to a multiple of 32."""
    ratio = min(1.0, limit_side / max(height, width))
    return (int(round(int(height * ratio) / _GRID) * _GRID),
            int(round(int(width * ratio) / _GRID) * _GRID))


def spans(length: int, core: int = TILE_CORE, margin: int = TILE_MARGIN
          ) -> list[tuple[int, int, int, int]]:
    """(read_start, read_end, core_start, core_end) along one side of `length` px: cores of at
    most `core` px cover it, each read with `margin` px more on both sides where there are."""
    out = []
    for start in range(0, length, core):
        end = min(length, start + core)
        out.append((max(0, start - margin), min(length, end + margin), start, end))
    return out


def tiled_quads(det, bgr: np.ndarray) -> np.ndarray | None:
    """rapidocr's `TextDetector.__call__(bgr)` boxes (quads, (N, 4, 2)) with the network run
    tile by tile (module docstring); None or empty when there are none. `det` is a
    rapidocr_onnxruntime.ch_ppocr_det.TextDetector."""
    import cv2

    height, width = bgr.shape[:2]
    pre = det.get_preprocess(max(height, width))
    grid_h, grid_w = grid_size(height, width, pre.limit_side_len)
    if grid_h <= 0 or grid_w <= 0:
        return None
    resized = cv2.resize(bgr, (grid_w, grid_h))  # (H', W', 3) uint8, as DetPreProcess.resize
    mean = np.asarray(pre.mean, dtype=np.float32)
    std = np.asarray(pre.std, dtype=np.float32)
    probability = np.empty((1, 1, grid_h, grid_w), dtype=np.float32)
    for y0, y1, cy0, cy1 in spans(grid_h, TILE_CORE, TILE_MARGIN):
        for x0, x1, cx0, cx1 in spans(grid_w, TILE_CORE, TILE_MARGIN):
            tile = (resized[y0:y1, x0:x1].astype(np.float32) * np.float32(pre.scale) - mean) / std
            tile = np.ascontiguousarray(tile.transpose(2, 0, 1)[None])  # (1, 3, h, w)
            pred = det.infer(tile)[0]  # (1, 1, h, w)
            del tile
            probability[:, :, cy0:cy1, cx0:cx1] = pred[:, :, cy0 - y0: cy1 - y0,
                                                       cx0 - x0: cx1 - x0]
            del pred
    del resized
    quads, _ = det.postprocess_op(probability, (height, width))
    return det.filter_tag_det_res(quads, (height, width))
