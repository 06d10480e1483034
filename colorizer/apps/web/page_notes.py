"""The run's notes in the workbench's words: what to do on the page, not which flag to type.

The pipeline words its advice for the command line and Python (`--point X,Y=#RRGGBB; Python:
color_hints=[...]`, `--chroma-scale 1.5`, `--exemplar SAME_FILE`). On the page those were
shown as they are: a grandchild colorizing a phone photo of a hand-tinted print was told to
type `--exemplar SAME_FILE` into a page that has no exemplar field, and a nearly gray result
pointed at a `--chroma-scale` the page does not offer. Here each such note says what the page
does offer (a color hint is a click on the photo) and names the command line only for what
the page cannot do. Notes without advice pass unchanged; the report and the download keep
the pipeline's own words.
"""

from __future__ import annotations

from collections.abc import Iterable

from colorizer.pipeline.tint_note import SEVERAL_HUES_NOTE

# colorizer/pipeline/assemble.py: "nearly gray (mean chroma C* 1.5): the model found little
# evidence for any color in this photo; <advice>"
NEARLY_GRAY_START = "nearly gray (mean chroma C* "
_NEARLY_GRAY_FINDING_END = "for any color in this photo; "
PAGE_HINT_ADVICE = ("color hints set the colors you know: pick a color under Color hints, "
                    "then click or tap the photo where that color belongs")
PAGE_SEVERAL_HUES = ("its colors are of several hues (a hand-tinted or color print?): the "
                     "colorization is made from its lightness alone; to keep its own colors, "
                     "place color hints with them, or colorize the file on the command line "
                     "as its own exemplar (chronochrome colorize PHOTO --exemplar PHOTO)")


def page_notes(notes: Iterable[str]) -> list[str]:
    """`notes` with command-line advice reworded for the workbench page."""
    return [_page_note(note) for note in notes]


def _page_note(note: str) -> str:
    if note.startswith(NEARLY_GRAY_START) and _NEARLY_GRAY_FINDING_END in note:
        finding = note[:note.index(_NEARLY_GRAY_FINDING_END) + len(_NEARLY_GRAY_FINDING_END)]
        return finding + PAGE_HINT_ADVICE
    return note.replace(SEVERAL_HUES_NOTE, PAGE_SEVERAL_HUES)
