"""The 256-bin histogram of a grayscale array, in bands of bounded memory.

`np.bincount` copies its input to int64 (8 bytes a pixel), and clipping and truncating a
float array to bins first made two more full copies: Otsu's threshold of a line cut from a
12000 x 9000 photo took several times the line's own size. Counting band by band keeps the
extra memory at one band's worth, whatever the array's size, and the counts are the same.
"""

from __future__ import annotations

import numpy as np

BAND_PIXELS = 1 << 18  # pixels counted at a time: ~2 MB of int64, ~1 MB of float32


def gray_histogram(arr: np.ndarray) -> np.ndarray:
    """Counts of 0..255 (int64, 256 bins) over `arr`: uint8 values as they are, other values
    clipped to 0-255 and truncated toward zero (the bin of 37.9 is 37)."""
    flat = np.asarray(arr).reshape(-1)  # a view where it can be (every array we are given)
    hist = np.zeros(256, dtype=np.int64)
    for start in range(0, flat.size, BAND_PIXELS):
        band = flat[start: start + BAND_PIXELS]
        if band.dtype != np.uint8:
            band = np.clip(band, 0, 255).astype(np.uint8)
        hist += np.bincount(band, minlength=256)
    return hist
