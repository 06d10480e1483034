"""What of the user's hint was not used, said one way wherever a result is shown.

A hint is read for its era and place. With context inference on, the context encoder reads
it and its `unknown` says what it could not read: "hint" (no year, period or place at all:
the hint is not used, not even as retrieval's search words) and "hint_words" (numbers in a
used hint that are no date, e.g. "19500"). With context off (`--no-context`) only retrieval
reads the hint, and what it did not understand was dropped unsaid ("asdfgh qwerty" and the
misspelled "Kazna" gave no exemplars and no word). `context_off_hint` puts the same keys in
the empty context, so the result's notes, its JSON (`context.unknown`), the CLI's lines and
the web page's card say it as with context on; `hint_notes` is the one wording of the notes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from context.types import SceneContext

# The `SceneContext.unknown` keys that tell what of a hint was not used (context/encoder.py).
UNUSED_HINT = "hint"
UNREAD_WORDS = "hint_words"

# With context and exemplars both off nothing reads the hint: it changes nothing.
NOTHING_READS_IT = ("context inference and exemplar retrieval are both off (--no-context "
                    "--no-exemplars; Python: context=False, exemplars=False), so nothing "
                    "reads it; leave either on to use its place and time")


def hint_notes(unknown: Mapping[str, str]) -> tuple[str, ...]:
    """The notes a result carries for its hint: the whole hint not used, or the part of a
    used hint that was not read; none for a hint used whole, or no hint."""
    notes = []
    if unknown.get(UNUSED_HINT):
        notes.append(f"hint not used: {unknown[UNUSED_HINT]}")
    if unknown.get(UNREAD_WORDS):
        notes.append(f"part of the hint {unknown[UNREAD_WORDS]}")
    return tuple(notes)


def context_off_hint(context: SceneContext, hints: str | None,
                     exemplar_fn: Callable[..., Any] | None) -> SceneContext:
    """The empty context of a pipeline without context inference, with what of `hints` is not
    used in its `unknown`, as the context encoder says it with context on.

    Retrieval reads a hint with context off through the exemplar function's `read_hint` (the
    default components' hint reader); an exemplar function of the caller's own without one
    takes the hint as it is, so nothing is said for it."""
    if not (hints and hints.strip()):
        return context
    if exemplar_fn is None:
        said = {UNUSED_HINT: NOTHING_READS_IT}
    else:
        read_hint: Callable[[str], SceneContext] | None = getattr(exemplar_fn, "read_hint",
                                                                  None)
        if read_hint is None:
            return context
        unknown = read_hint(hints).unknown
        said = {key: unknown[key] for key in (UNUSED_HINT, UNREAD_WORDS) if unknown.get(key)}
    return replace(context, unknown={**context.unknown, **said}) if said else context
