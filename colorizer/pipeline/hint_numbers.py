"""Color hints from a notebook: numpy numbers in them made plain Python numbers.

`Point(*np.argwhere(mask)[0][::-1], ...)`, `arr.shape[1] // 2` or a hints-file dict built with
numpy gives coordinates as `np.int64` / `np.float32`. The hint checks take `int` and `float`
only, so such a point inside the image was refused as "outside the image" (naming the very
coordinates that are inside it), and a dict's as "a point is [x, y] in pixels". The numbers
mean what they say: they are converted here, once, before the checks (colorization.prepare);
anything that is not a numpy number is left as given, for the checks to judge.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from colorizer.pipeline.color_hints import Box, ColorHint, Point, Polygon, ReferenceHint

_WHERE_KEYS = ("point", "box", "polygon")  # the hints-file keys that hold coordinates


def plain_numbers(hints: Sequence[Any]) -> Sequence[Any]:
    """The hints with numpy numbers in their coordinates turned into Python numbers."""
    if not isinstance(hints, list | tuple):
        return hints  # one hint, a string, ...: check_hints says what to pass
    return [_plain_hint(hint) for hint in hints]


def _plain_hint(hint: Any) -> Any:
    if isinstance(hint, dict):
        return {key: _plain(value) if key in _WHERE_KEYS else value
                for key, value in hint.items()}
    if isinstance(hint, ColorHint | ReferenceHint):
        where = hint.where
        if isinstance(where, Point | Box):
            fields = {f.name: _plain(getattr(where, f.name)) for f in dataclasses.fields(where)}
            return dataclasses.replace(hint, where=type(where)(**fields))
        if isinstance(where, Polygon) and isinstance(where.points, Sequence | np.ndarray):
            points = tuple(tuple(_plain(list(p))) if isinstance(p, Sequence | np.ndarray)
                           else p for p in where.points)
            return dataclasses.replace(hint, where=Polygon(points))
    return hint


def _plain(value: Any) -> Any:
    """A numpy scalar -> its Python number; a numpy array or list -> a list of plain values."""
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()] if value.ndim else _plain(value[()])
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
