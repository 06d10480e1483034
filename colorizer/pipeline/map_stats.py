"""Figures of a full-size float32 map (the uncertainty, the context region) without a copy of it.

`np.median` and `np.percentile` partition a copy of the whole array, and `(m > 0.5).mean()`
makes a full-size boolean: on a 108 MP photo (12000 x 9000) that was 432 MB, then 108 MB, more
at the moment `--report` wrote its JSON, the CLI's peak. Here the map is read a band of
`BAND_PIXELS` values at a time: a share is an exact count, and an order statistic is found
exactly by a radix selection over the values' bits (a histogram of the top 16 bits, then one
of the low 16 within the bin that holds it). The figures are NumPy's, to the bit: the same
order statistics, combined as `np.median` and `np.percentile` (method "linear") combine them.

`summary_figures` gives the four figures of a run's report (mean, median, a percentile, a
share) in two readings of the map where one each took five: a map made when read
(upsampled_map.py) upsamples every band again at each reading, 5 x 108 bands on 108 MP.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

BAND_PIXELS = 1 << 18  # values read at a time: the temporaries stay ~6 MB
_HALF = 1 << 16


def bands(values: np.ndarray, band: int = BAND_PIXELS) -> Iterator[np.ndarray]:
    """The map's values, flat, `band` at a time (views where the map is contiguous); a map
    made when read (upsampled_map.UpsampledMap) gives its own bands of rows."""
    if hasattr(values, "flat_bands"):  # the figures are counts: any banding gives the same
        yield from values.flat_bands()
        return
    flat = values.reshape(-1)
    for start in range(0, flat.size, band):
        yield flat[start:start + band]


def share_above(values: np.ndarray, threshold: float, inclusive: bool = False,
                band: int = BAND_PIXELS) -> float:
    """`(values > threshold).mean()` (`>=` when `inclusive`), exactly, counted by band."""
    above = np.greater_equal if inclusive else np.greater
    count = sum(int(np.count_nonzero(above(part, threshold))) for part in bands(values, band))
    return count / values.size if values.size else math.nan


def _sort_keys(part: np.ndarray) -> np.ndarray:
    """float32 -> uint32 keys in the floats' order (negative floats: all bits flipped)."""
    bits = np.ascontiguousarray(part, dtype=np.float32).view(np.uint32)
    negative = bits >> 31 == 1
    return np.where(negative, ~bits, bits | np.uint32(0x80000000))


def _float_of_key(key: int) -> np.float32:
    bits = key & 0x7FFFFFFF if key >> 31 else ~key & 0xFFFFFFFF
    return np.array([bits], dtype=np.uint32).view(np.float32)[0]


def order_statistics(values: np.ndarray, ranks: list[int], band: int = BAND_PIXELS,
                     high: np.ndarray | None = None) -> dict[int, np.float32]:
    """The values at 0-based positions `ranks` of the sorted float32 map, by band (`high`:
    the histogram of the keys' top 16 bits where a reading of the map already counted it)."""
    if high is None:
        high = np.zeros(_HALF, dtype=np.int64)
        for part in bands(values, band):
            high += np.bincount(_sort_keys(part) >> 16, minlength=_HALF)
    before = np.concatenate(([0], np.cumsum(high)))
    bins = {rank: int(np.searchsorted(before, rank, side="right")) - 1 for rank in ranks}
    low = {b: np.zeros(_HALF, dtype=np.int64) for b in set(bins.values())}
    for part in bands(values, band):
        keys = _sort_keys(part)
        top = keys >> 16
        for b, counts in low.items():
            counts += np.bincount(keys[top == b] & 0xFFFF, minlength=_HALF)
    found = {}
    for rank, b in bins.items():
        within = np.cumsum(low[b])
        lo = int(np.searchsorted(within, rank - before[b], side="right"))
        found[rank] = _float_of_key((b << 16) | lo)
    return found


def median_and_percentile(values: np.ndarray, q: float, band: int = BAND_PIXELS,
                          first: FirstReading | None = None) -> tuple[float, float]:
    """(`np.median(values)`, `np.percentile(values, q)`) of a float32 map, to the bit, without
    copying it. A map with a NaN gives NaN for both, as NumPy does. `first`: what a reading
    of the whole map already counted (`FirstReading`), so only one more reading is made."""
    if values.dtype != np.float32:  # the keys are float32's bits; another map is NumPy's
        return float(np.median(values)), float(np.percentile(values, q))
    n = values.size
    has_nan = (first.nan if first is not None
               else any(np.isnan(part).any() for part in bands(values, band)))
    if n == 0 or has_nan:
        return math.nan, math.nan
    middle = [n // 2 - 1, n // 2] if n % 2 == 0 else [n // 2]
    virtual = (n - 1) * (q / 100)
    previous = min(math.floor(virtual), n - 1)
    following = min(previous + 1, n - 1)
    stats = order_statistics(values, sorted({*middle, previous, following}), band,
                             None if first is None else first.high)
    median = np.mean(np.array([stats[r] for r in middle], dtype=np.float32))
    a, b, gamma = stats[previous], stats[following], virtual - previous
    diff = b - a  # np.percentile's `_lerp`, in float32 with a Python-float weight
    lerp = b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma
    return float(median), float(np.float32(lerp))


@dataclass
class FirstReading:
    """What one reading of a map counts for its figures: a NaN seen, the values above a
    threshold, and the histogram of the sort keys' top 16 bits (the order statistics' first
    half)."""

    threshold: float
    nan: bool = False
    above: int = 0
    high: np.ndarray = field(default_factory=lambda: np.zeros(_HALF, dtype=np.int64))

    def __call__(self, part: np.ndarray) -> None:
        self.nan = self.nan or bool(np.isnan(part).any())
        self.above += int(np.count_nonzero(np.greater(part, self.threshold)))
        if part.dtype == np.float32:
            self.high += np.bincount(_sort_keys(part) >> 16, minlength=_HALF)


def summary_figures(values: np.ndarray, q: float, threshold: float
                    ) -> tuple[float, float, float, float]:
    """(mean, median, q-th percentile, share above `threshold`) of a map, each NumPy's to the
    bit, in two readings of it: the mean's (a map made when read counts the rest as it sums,
    `mean_reading`), then the order statistics' second half."""
    first = FirstReading(threshold)
    if hasattr(values, "mean_reading"):
        mean = values.mean_reading(first)
    else:
        mean = values.mean()  # a reduction over the array: no copy
        for part in bands(values):
            first(part)
    median, percentile = median_and_percentile(values, q, first=first)
    share = first.above / values.size if values.size else math.nan
    return float(mean), median, percentile, share
