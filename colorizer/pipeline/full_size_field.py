"""A result's field that holds a full-size map, or what makes it, and gives the map when read.

`ColorizationResult.uncertainty` (and `context_region`) are (H, W) float32 arrays to whoever
reads them, as they always were; the pipeline hands the result an `upsampled_map.UpsampledMap`
instead (its small map, tens of KB, not 432 MB on a 108 MP photo), which this field turns into
the array at the first read and keeps, so a reader gets the same array each time. The result's
own outputs (the `.uncertainty.png`, the report's figures) read the source (`source_of`) a band
at a time and never make the whole map. Torch-free: the result module is imported without it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_NO_DEFAULT = object()


class FullSizeField:
    """A data descriptor for a dataclass field (frozen ones too: their `__init__` sets it with
    `object.__setattr__`, which calls `__set__`): stores what it is given, reads an array."""

    def __init__(self, default: Any = _NO_DEFAULT):
        self.default = default
        self.name = ""
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.slot = name, f"_{name}_source"

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:  # the class's attribute: what dataclasses takes for the default
            if self.default is _NO_DEFAULT:
                raise AttributeError(self.name)  # dataclasses: a field without a default
            return self.default
        source = instance.__dict__[self.slot]
        if source is None or isinstance(source, np.ndarray):
            return source
        whole = np.asarray(source)  # made once: later reads get this same array
        instance.__dict__[self.slot] = whole
        return whole

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.slot] = value


def source_of(instance: Any, name: str) -> Any:
    """What `instance`'s `FullSizeField` `name` holds, without making it: an array, None, or
    a map made when read (`flat_bands`, `rows`, `mean`, as upsampled_map.UpsampledMap)."""
    return instance.__dict__[f"_{name}_source"]
