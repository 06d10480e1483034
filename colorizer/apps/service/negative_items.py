"""Scanned negatives over HTTP: a job item's (or /v1/colorize's) `"negative": true`, the
`negative` form field, kept in the item's stored source and read back by the worker, which
colorizes that item with `negative=True` (colorizer.pipeline.negative).

The option lives in the item's source (as its color hints do, `hint_items`): one job may mix
negatives and prints, and a worker that takes the item over after a crash reads it again. The
pipeline's result records it in its settings (`"negative": true`, part of its fingerprint), so
a negative's result and provenance are never those of the same bytes read as a print.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from colorizer.apps.service.problems import Problem
from colorizer.apps.service.store import NewItem

if TYPE_CHECKING:
    from colorizer.pipeline.colorization import ColorizationPipeline

SOURCE_KEY = "negative"  # where an item's choice is kept in its stored source (absent: a print)
FORM_VALUES = {"true": True, "false": False}  # what the `negative` form field accepts
FORM_HELP = ("true when the photo is a scanned negative (its tones are inverted before "
             "colorizing); false or left out: a print")

# One negative-reading pipeline per service pipeline: the same components (one generator,
# compiled once) with `negative=True`, made on the first negative and kept, so its edit cache
# and fingerprint are made once rather than per item.
_NEGATIVES: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def form_negative(text: str | None, index: int | None = None,
                  where: str = "the negative form field") -> dict[str, bool]:
    """{"negative": ...} of a form field's (or query parameter's) text ({} when absent);
    anything but true or false is refused (a "yes" read as a print would come back as a
    colored negative)."""
    if text is None:
        return {}
    value = FORM_VALUES.get(text.strip().lower())
    if value is None:
        where += f" (file {index})" if index is not None else ""
        raise Problem(422, "invalid_request", f"{where} is {text!r}: give true (a scanned "
                      "negative) or false (a print), or leave it out")
    return {"negative": value}


def with_negative(new: NewItem, negative: bool | None) -> NewItem:
    """The item with its choice kept in its source; a print's source is as before."""
    return replace(new, source={**new.source, SOURCE_KEY: True}) if negative else new


def stored_negative(source: dict[str, Any]) -> bool:
    return source.get(SOURCE_KEY) is True


def item_pipeline(pipeline: ColorizationPipeline, negative: bool) -> ColorizationPipeline:
    """The pipeline that colorizes an item: `pipeline`, or its negative-reading twin."""
    if not negative or pipeline.config.negative:
        return pipeline
    with _LOCK:
        twin = _NEGATIVES.get(pipeline)
        if twin is None:
            twin = _NEGATIVES[pipeline] = pipeline.with_config(negative=True)
        return twin


def hashed_job(dumped: dict[str, Any]) -> dict[str, Any]:
    """A job's JSON as its Idempotency-Key hash reads it: an item that is not a negative
    without the field, so a request hashes as it did before the option existed (a replay
    across an upgrade is the same request, not a 422 for a reused key)."""
    items = [{k: v for k, v in item.items() if not (k == SOURCE_KEY and not v)}
             for item in dumped.get("items", [])]
    return {**dumped, "items": items}
