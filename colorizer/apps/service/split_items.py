"""Album-page splitting switched per item over HTTP: a job item's (or /v1/colorize's)
`"split_page": true|false`, the `split_page` form field, kept in the item's stored source and
read back by the worker, which colorizes that item with the pipeline's `split_page` set so.

Absent, the item follows the server (`--no-split-page`, or the default: split). One job may
mix a wall of framed pictures (one photo: `false`) and album pages (`true`), and a worker
that takes an item over after a crash reads the choice again. The choice changes the
pipeline's fingerprint (`fingerprint.NEUTRAL_LATER_SETTINGS`), so a split page's result is
never served for an unsplit request; a split page's provenance lists its prints
(`settings.album_page`) and its item's notes say how many.
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
    from colorizer.pipeline.result import ColorizationResult

SOURCE_KEY = "split_page"  # where an item's choice is kept in its source (absent: the server's)
FORM_VALUES = {"true": True, "false": False}  # what the `split_page` form field accepts
FORM_HELP = ("true: an album page's prints are found and each colorized on its own; false: "
             "the photo is colorized whole (e.g. one photo of a wall of framed pictures); left "
             "out: the server's setting (split unless it runs with --no-split-page)")
SPLIT_BESIDE = ("of a raw image body (image/*), as the `split_page` form field of a multipart "
                "one: " + FORM_HELP + "; anything else answers 422, and so does the parameter "
                "beside a JSON or multipart body (give it there in the body)")
ACCEPTED = "give true (split an album page into its prints) or false (colorize it whole), " \
           "or leave it out (the server's setting)"

# One twin per service pipeline and choice: the same components (one generator, compiled
# once) with `split_page` set, made on the first such item and kept, so its edit cache and
# fingerprint are made once rather than per item.
_TWINS: weakref.WeakKeyDictionary[Any, dict[bool, Any]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def form_split_page(text: str | None, index: int | None = None,
                    where: str = "the split_page form field") -> dict[str, bool]:
    """{"split_page": ...} of a form field's text ({} when absent); anything but true or
    false is refused (a "yes" read either way would split, or not, without a word)."""
    if text is None:
        return {}
    value = FORM_VALUES.get(text.strip().lower())
    if value is None:
        where += f" (file {index})" if index is not None else ""
        raise Problem(422, "invalid_request", f"{where} is {text!r}: {ACCEPTED}")
    return {"split_page": value}


def checked_split_page(value: Any) -> Any:
    """A JSON item's `split_page` as given when it is true, false or null; otherwise the
    ValueError that names the accepted values (pydantic's own says only "a valid boolean")."""
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"split_page is {value!r}: {ACCEPTED}")


def with_split_page(new: NewItem, split_page: bool | None) -> NewItem:
    """The item with its choice kept in its source; an item without one is as before."""
    if split_page is None:
        return new
    return replace(new, source={**new.source, SOURCE_KEY: split_page})


def stored_split_page(source: dict[str, Any]) -> bool | None:
    value = source.get(SOURCE_KEY)
    return value if isinstance(value, bool) else None


def item_pipeline(pipeline: ColorizationPipeline, split_page: bool | None
                  ) -> ColorizationPipeline:
    """The pipeline that colorizes an item: `pipeline`, or its twin with `split_page` set."""
    if split_page is None or pipeline.config.split_page == split_page:
        return pipeline
    with _LOCK:
        twins = _TWINS.setdefault(pipeline, {})
        if split_page not in twins:
            twins[split_page] = pipeline.with_config(split_page=split_page)
        return twins[split_page]


# The album page's own note names the command line's flag; the item's view names the field.
PIPELINE_CHOICE = "; the paper kept neutral (--no-split-page colorizes the page as one photo)"
SERVICE_CHOICE = (", the paper kept neutral (their boxes: the provenance's settings.album_page; "
                  '"split_page": false colorizes the page as one photo)')


def is_page_note(note: str) -> bool:
    """Whether `note` is the album page's own (album_page.py), worded by `split_note`."""
    return note.startswith("album page: ")


def split_note(result: ColorizationResult) -> list[str]:
    """What the item's view says of a photo split into its prints ([] for one colorized
    whole): the pipeline's note, with the captions it read on the paper, worded for the
    service (the pipeline's names the CLI's flag)."""
    prints = result.settings.get("album_page")
    if not prints:
        return []
    said = [note.replace(PIPELINE_CHOICE, SERVICE_CHOICE)
            for note in result.notes if is_page_note(note)]
    # A page note worded otherwise (another version of album_page.py): still said, once.
    return said or [f"album page: {len(prints)} prints found, each colorized on its own"
                    + SERVICE_CHOICE]


def hashed_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A job's items as its Idempotency-Key hash reads them: without `split_page` when it was
    left out, so a request hashes as it did before the option existed."""
    return [{k: v for k, v in item.items() if not (k == SOURCE_KEY and v is None)}
            for item in items]
