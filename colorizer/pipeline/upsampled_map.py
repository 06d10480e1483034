"""A full-size map (the uncertainty, the context region) kept small, its values made when read.

The merge (full_size.py) used to write both maps at the input's size as float32: 432 MB each on
a 108 MP photo (12000 x 9000), held by the result through the encoding of every output, next to
the 8-bit image (432 MB) and the 16-bit one (648 MB). What a run writes of them is an 8-bit PNG
and four figures, so an `UpsampledMap` keeps the small map and makes a band of rows when one is
read: the same floats as the merge made (`band_upsample.band_of`, clipped to [0, 1]); a row's values
do not depend on the band it is made in (tests/test_merge_bands.py). `array()` gives the whole
map to whoever asks (`ColorizationResult.uncertainty`), and the figures are read band by band,
to the bit as NumPy gives them on the whole array (`mean`; map_stats for the order statistics).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch

from colorizer.pipeline.band_upsample import band_of
from colorizer.pipeline.luminance import row_bands

# Values summed at a time by `mean` (4 MB of float32): any size gives the same sum.
_LEAF_VALUES = 1 << 20


class UpsampledMap:
    """A (height, width) float32 map in [0, 1]: `small` (1, 1, h, w) upsampled bilinearly
    (`align_corners=False`) and clipped, a band of rows at a time."""

    dtype = np.dtype(np.float32)
    ndim = 2

    def __init__(self, small: torch.Tensor, height: int, width: int):
        self.small = small.detach().float().cpu()  # (1, 1, h, w): tens of KB
        self.shape = (height, width)
        self.size = height * width
        # A map that is zero everywhere (the context region where no exemplar colored any of
        # the photo: most photos) is np.zeros when asked for whole: pages the system fills
        # only when touched, so it costs no memory until someone writes to it.
        self.all_zero = not bool(self.small.ne(0).any())

    def rows(self, band: slice) -> np.ndarray:
        """(rows, width) float32: rows `band` of the map, clipped to [0, 1]."""
        height, width = self.shape
        if self.all_zero:
            return np.zeros((len(range(height)[band]), width), dtype=np.float32)
        values = band_of(self.small, height, width, band)[0, 0].numpy()
        return np.clip(values, 0, 1, out=values)

    def array(self) -> np.ndarray:
        """The whole (height, width) float32 map, made now (4 bytes a pixel)."""
        if self.all_zero:
            return np.zeros(self.shape, dtype=np.float32)
        out = np.empty(self.shape, dtype=np.float32)
        for band in row_bands(*self.shape):
            out[band] = self.rows(band)
        return out

    def __array__(self, dtype: np.dtype | None = None, copy: bool | None = None) -> np.ndarray:
        whole = self.array()
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def flat_bands(self) -> Iterator[np.ndarray]:
        """The map's values in row order, a band of rows at a time (1-D float32 arrays)."""
        for band in row_bands(*self.shape):
            yield self.rows(band).reshape(-1)

    def flat(self, start: int, stop: int) -> np.ndarray:
        """Values `start:stop` of the map flattened in row order."""
        width = self.shape[1]
        first, last = start // width, (stop - 1) // width + 1
        return self.rows(slice(first, last)).reshape(-1)[start - first * width:
                                                         stop - first * width]

    def mean(self) -> np.float32:
        """`array().mean()`, to the bit, without the whole map: NumPy sums a contiguous
        float32 array pairwise (halves rounded down to a multiple of 8, down to blocks it sums
        itself), so the same halving down to `_LEAF_VALUES` gives the same float32 sum."""
        return self.mean_reading(None)

    def mean_reading(self, visit: Callable[[np.ndarray], None] | None) -> np.float32:
        """`mean()`, handing each block of values it reads to `visit` as well: every value
        once, in row order (map_stats.summary_figures counts its other figures there)."""
        if self.size == 0:
            return np.float32(np.nan)
        total = self._pairwise_sum(0, self.size, visit)
        return np.float32(total) / self.size  # as np.mean divides a float32 sum

    def _pairwise_sum(self, start: int, count: int,
                      visit: Callable[[np.ndarray], None] | None) -> np.float32:
        if count <= _LEAF_VALUES:
            values = self.flat(start, start + count)
            if visit is not None:
                visit(values)
            return np.add.reduce(values)
        half = count // 2
        half -= half % 8
        return np.float32(self._pairwise_sum(start, half, visit)
                          + self._pairwise_sum(start + half, count - half, visit))
