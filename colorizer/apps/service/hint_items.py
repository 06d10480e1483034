"""Color hints of the HTTP API: a job item's (or /v1/colorize's) `color_hints`, in the JSON
form of `colorizer.pipeline.hint_json` (masks and references as data: URIs, never paths).

They are checked when the request comes in (their form always; against the image when its
size is known then, as for uploads) and stored with the item's source, so the worker reads
them back with the item; a URL's or IIIF image's hints are checked against the image once it
is fetched, and a bad one fails that item (422, "invalid_hint"). A job's view leaves them out
(`item_rows`): clients read them from the item's own resource, `.../items/{n}/color_hints`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from colorizer.apps.service.item_rows import HINTS_KEY as SOURCE_KEY
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.store import NewItem
from colorizer.pipeline.color_hints import Hint, HintError, check_hints
from colorizer.pipeline.hint_json import hints_from_json


def parse_hints(raw: Any, size: tuple[int, int] | None = None, item: int | None = None
                ) -> tuple[Hint, ...]:
    """Hints of one item, checked (against an image of `size` (w, h) when given); a bad
    hint is a 422 problem naming the item and the hint."""
    if raw is None:
        return ()
    extra = {"item": item} if item is not None else {}
    where = f"items[{item}].color_hints: " if item is not None else "color_hints: "
    try:
        hints = hints_from_json(raw, base_dir=None)
        return check_hints(hints, size) if size is not None else hints
    except HintError as exc:
        raise Problem(422, "invalid_hint", f"{where}{exc}", **extra) from exc


def with_hints(new: NewItem, raw: Any) -> NewItem:
    """The item with its (already parsed) hints' JSON kept in its source."""
    if not raw:
        return new
    return replace(new, source={**new.source, SOURCE_KEY: raw})


def stored_hints(source: dict[str, Any]) -> tuple[Hint, ...]:
    """The hints a stored item carries (checked for form when it was submitted)."""
    raw = source.get(SOURCE_KEY)
    return hints_from_json(raw, base_dir=None) if raw else ()
