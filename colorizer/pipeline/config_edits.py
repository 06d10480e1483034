"""Pipeline settings changed by name, as every command-line tool takes them.

    --set temperature=0.3 --set transfer.min_cloth_evidence=0.98

`parse_setting` reads one KEY=VALUE (the VALUE as JSON, so `0.3` is a number and a string
is quoted: `estimator='"median"'`); `config_changes` turns the pairs into keyword changes for
`pipe.with_config`, where `section.field` changes one field of a nested settings dataclass;
`with_settings` applies them to a pipeline.
The benchmarks (`eval.*`) and the training tools that run the pipeline share these, so a
setting is written the same way everywhere.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import fields, is_dataclass, replace
from typing import Any


def parse_setting(text: str) -> tuple[str, Any]:
    """argparse type of --set: KEY=VALUE with VALUE as JSON; the error says how to write it.

    A bare word is refused rather than kept as a string: `min_presence=0,3` would otherwise
    reach the pipeline as the text "0,3"."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise argparse.ArgumentTypeError(
            f"expected KEY=VALUE (e.g. temperature=0.3), got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(
            f"the value of {key} must be JSON, got {value!r} ({exc}); quote text: "
            f"{key}='\"{value}\"'") from exc


def parse_settings(items: Sequence[str]) -> dict[str, Any]:
    """Several KEY=VALUE texts (`parse_setting` each) as one dict; a later key wins."""
    return dict(parse_setting(item) for item in items)


def config_changes(config: Any, settings: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Keyword changes for `pipe.with_config`: `a=1` sets a field, `transfer.size=384` a field
    of a nested settings dataclass. The fields of one section are replaced together, so a
    pair checked together (a min raised past its full, then the full) is valid in either
    order. Unknown fields are an error."""
    changes: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    names = {f.name for f in fields(config)}
    for key, value in settings:
        head, _, rest = key.partition(".")
        if head not in names:
            raise ValueError(f"unknown pipeline setting {head!r}; known: {sorted(names)}")
        if not rest:
            changes[head] = value
            continue
        current = getattr(config, head)
        if not is_dataclass(current) or rest not in {f.name for f in fields(current)}:
            raise ValueError(f"unknown pipeline setting {key!r}")
        nested.setdefault(head, {})[rest] = value
    for head, values in nested.items():
        changes[head] = replace(changes.get(head, getattr(config, head)), **values)
    return changes


def with_settings(pipe: Any, settings: Sequence[tuple[str, Any]]) -> Any:
    """`pipe` (a ColorizationPipeline) with the `--set` pairs applied; no pairs: `pipe`
    itself. An unknown field, or a value its config refuses, raises ValueError naming it."""
    try:
        return pipe.with_config(**config_changes(pipe.config, settings)) if settings else pipe
    except TypeError as exc:  # a value of the wrong kind reached a config's checks
        raise ValueError(str(exc)) from exc
