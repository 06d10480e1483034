"""One way to build a frozen config dataclass from a dict: unknown keys are an error that
lists the valid ones (a typo in a JSON file must not be silently ignored)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def config_from_dict(kind: type[T], data: dict[str, Any], code_only: tuple[str, ...] = ()) -> T:
    """`kind(**data)`, refusing keys that are not fields of `kind` and the `code_only` fields
    (objects such as a DNS resolver, which a JSON file cannot hold)."""
    valid = {f.name for f in fields(kind)} - set(code_only)
    unknown = set(data) - valid
    if unknown:
        raise ValueError(f"unknown {kind.__name__} keys {sorted(unknown)}; valid keys: "
                         f"{sorted(valid)}")
    return kind(**data)
