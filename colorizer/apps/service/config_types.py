"""The types of a config read from JSON, checked field by field before the dataclass is built.

`{"queue_cap": "abc"}` in `chronochrome serve --config` ended in a TypeError traceback from
`__post_init__` ("'<' not supported between instances of 'str' and 'int'"), and a mistyped
field its checks do not compare (`"max_redirects": "x"`) was accepted and failed at the first
fetch. Here each value is checked against its field's annotation, and a wrong one is a
ValueError that names the field, what it must be, and what was given.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

_WORDS = {int: "a whole number", float: "a number", str: "a string", Path: "a path (string)",
          bool: "true or false"}


def check_types(kind: type, data: dict[str, Any], where: str = "") -> None:
    """Raise ValueError for the first value of `data` that does not fit its field of the
    dataclass `kind` (unknown keys are left to `config_io.check_keys`)."""
    hints = typing.get_type_hints(kind)
    for field in dataclasses.fields(kind):
        if field.name in data:
            _check(f"{where}{field.name}", data[field.name], hints[field.name])


def _check(name: str, value: Any, hint: Any) -> None:
    expected = _expected(value, hint)
    if expected is not None:
        raise ValueError(f"{name} must be {expected}, got {json.dumps(value, default=str)}")


def _expected(value: Any, hint: Any) -> str | None:
    """None when `value` fits `hint`, else the words for what it must be."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        misses = [_expected(value, a) for a in options]
        if any(m is None for m in misses):
            return None
        return " or ".join(m for m in misses if m) + (" or null" if len(args) > len(options)
                                                       else "")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            return "a list"
        inner = args[0] if args else Any
        misses = [_expected(v, inner) for v in value]
        return next((f"a list of {m.removeprefix('a ')}s" for m in misses if m), None)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            return f"an object of {hint.__name__} fields"
        return None  # its own fields are checked by its own from_dict
    return _scalar(value, hint)


def _scalar(value: Any, hint: Any) -> str | None:
    if hint is bool:
        return None if isinstance(value, bool) else _WORDS[bool]
    if isinstance(value, bool):  # JSON true is not a number of workers
        return _WORDS.get(hint)
    if hint is float:
        return None if isinstance(value, int | float) else _WORDS[float]
    if hint is Path:
        return None if isinstance(value, str | Path) else _WORDS[Path]
    if hint in (int, str):
        return None if isinstance(value, hint) else _WORDS[hint]
    return None  # code-only fields (a resolver function): not given in JSON
