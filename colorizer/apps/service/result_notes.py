"""What a service item's view says of its photo (its `notes`): what `chronochrome colorize`
prints as `note:` lines for the same photo, each once.

The command line prints the loader's notes a person must see (`imageio.shown_notes`: a
TIFF's page used, 16 bits read at 8) and then the notes the pipeline put in its result (a
render size lowered for a small photo, a hint not used, a frame kept as scanned, an album
page split into its prints). The item's view said only the loader's and the page's: a
render size lowered from 1024 to 700 px was in the provenance file alone. The album page's
note is worded for the service (`split_items.split_note`: the field, not the CLI's flag).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from colorizer.apps.service.split_items import is_page_note, split_note

if TYPE_CHECKING:
    from colorizer.pipeline.result import ColorizationResult


def item_notes(loading: Iterable[str], result: ColorizationResult,
               canvas_note: str = "") -> list[str]:
    """The item's notes: a canvas colorized in part first (`canvas_note`, IIIF), then the
    loader's shown notes (`loading`), the result's own, and its album page's; each once (an
    edit reusing a run, or a page's prints, must not say a note twice)."""
    said = [canvas_note, *loading,
            *(note for note in result.notes if not is_page_note(note)), *split_note(result)]
    return list(dict.fromkeys(note for note in said if note))
