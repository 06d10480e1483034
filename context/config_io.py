"""One way to build a frozen config or record dataclass from a dict: unknown keys are an error
that lists the valid ones (a typo in a JSON file must not be silently ignored).

It lives in `context`, the package every other one may import (retrieval and colorizer import
context, never the reverse), so all of them share this one check."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def check_keys(kind: type, data: dict[str, Any], code_only: tuple[str, ...] = ()) -> None:
    """Raise ValueError naming the keys of `data` that are not fields of `kind` (or are its
    `code_only` fields: objects such as a DNS resolver, which a JSON file cannot hold)."""
    valid = {f.name for f in fields(kind)} - set(code_only)
    unknown = set(data) - valid
    if unknown:
        raise ValueError(f"unknown {kind.__name__} keys {sorted(unknown)}; valid keys: "
                         f"{sorted(valid)}")


def config_from_dict(kind: type[T], data: dict[str, Any], code_only: tuple[str, ...] = ()) -> T:
    """`kind(**data)`, refusing unknown keys (`check_keys`)."""
    check_keys(kind, data, code_only)
    return kind(**data)
