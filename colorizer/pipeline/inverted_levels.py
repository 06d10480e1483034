"""A 16-bit gray negative kept as its own levels, read inverted (negative.py).

A gray negative's positive is 1 - u / 65535 in float32 for each level u: not (65535 - u) /
65535, which differs on 24,771 of the 65,536 levels, so uint16 levels 65535 - u would change
the output. Kept as float32, a 108 MP negative held 432 MB for the whole run and its L* took
the float path (53.9 s user there, 2794 MB peak). Kept as the negative's uint16 levels in an
`InvertedLevels` array instead, every reader gets those very floats: `image_pixels.unit_pixels`
(and so `float_rgb`) makes 1 - u / 65535 a band at a time, and the L* and the context's gray
are gathers from 65536-entry tables of those floats' own L* and gray (luminance.py,
context_gray.py), which hold the float path's bits for every level.

The marker is the array's type, so it travels wherever the pixels go as views (`pixels[band]`,
`dataclasses.replace(loaded, pixels=...)`); anything computed from them (`band % 257`, a
copy made by `np.asarray` or `np.ascontiguousarray`) is a plain array of the levels.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np

LEVELS_16 = 65535.0  # white of 16-bit levels


class InvertedLevels(np.ndarray):
    """(H, W) uint16: a gray negative's own 16-bit levels u, each standing for the positive
    float32 1 - u / 65535. Read values through `image_pixels.unit_pixels`."""

    def __new__(cls, levels: np.ndarray) -> Self:
        if levels.dtype != np.uint16 or levels.ndim != 2:
            raise ValueError(f"InvertedLevels holds (H, W) uint16 gray levels, got "
                             f"{levels.shape} {levels.dtype}: pass a 16-bit gray scan's levels")
        return levels.view(cls)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        # Arithmetic reads the levels as they are and gives plain arrays: a result is no
        # longer a negative's levels (`band % 257` is a test, not pixels to invert).
        inputs = tuple(np.asarray(x) if isinstance(x, InvertedLevels) else x for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(x) if isinstance(x, InvertedLevels) else x
                                  for x in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)


def inverted_unit(levels: np.ndarray) -> np.ndarray:
    """float32 1 - u / 65535 of 16-bit `levels` (plain uint16), the floats a gray negative's
    positive was made of before (`scaled_gray` of the levels, then 1 - it), to the bit."""
    values = np.asarray(levels).astype(np.float32)
    np.divide(values, np.float32(LEVELS_16), out=values)
    np.clip(values, 0.0, 1.0, out=values)
    return 1.0 - values
