"""A split album page's prints in words: what each print was colorized with, as a person reads
it beside the image (the file's XMP, the plausibility report, the IIIF manifest).

A page split into its prints (album_page.py) records each print in the result's
`settings["album_page"]`: its box on the page, its own inferred context and captions, and the
captions written by it on the album's paper (page_captions.py). Each reader of the colorized
file used to see one photo; here each print becomes an `AlbumPrint` that says the same in
the same words wherever it is shown: the IIIF annotation of the print (apps/service/
iiif_prints.py), the `chronochrome:AlbumPrints` XMP lines (xmp_provenance.py) and the
report's album section (check/report_prints.py).

    prints = album_prints(result.settings)  # () for an ordinary photo or an unsplit page
    prints[0].description()  # "Print 1 of 4: colorized on its own. Its context: ..."
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from colorizer.pipeline.provenance_text import context_summary

NO_CONTEXT = context_summary({})  # what the summary says of a context with nothing inferred
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PrintCaption:
    """A caption given to a print: its text and where it came from (user, file, paper)."""

    text: str
    source: str | None


@dataclass(frozen=True)
class AlbumPrint:
    """One print of a split page as a reader is told of it."""

    number: int  # 1-based, in the page's order (rows, then left to right)
    count: int  # prints on the page
    box: Box | None  # (left, top, right, bottom) in the page's pixels; None: not recorded
    context_summary: str | None  # its inferred context in words; None: nothing inferred
    captions: tuple[PrintCaption, ...]  # the user's or the file's (not the paper's)
    paper_captions: tuple[str, ...]  # written on the album's paper by it

    @classmethod
    def of(cls, number: int, count: int, record: Mapping[str, Any]) -> AlbumPrint:
        """The print from its `album_page` record."""
        context = record.get("context") or {}
        summary = context_summary({"context": context})
        paper = [c for c in record.get("paper_captions") or [] if c.get("text")]
        written = {(c["text"], c.get("source")) for c in paper}
        # The paper's captions are in the context's captions too: named once, as written there.
        others = tuple(PrintCaption(c["text"], c.get("source"))
                       for c in context.get("captions") or []
                       if c.get("text") and (c["text"], c.get("source")) not in written)
        return cls(number, count, box_of(record.get("box")),
                   None if summary == NO_CONTEXT else summary, others,
                   tuple(c["text"] for c in paper))

    def description(self) -> str:
        """Print N of M in words: colorized alone, its inferred context, its captions (the
        user's or the file's, with their source) and what was written by it on the paper."""
        sentences = [f"Print {self.number} of {self.count}: colorized on its own.",
                     "No context was inferred for it." if self.context_summary is None
                     else f"Its context: {_sentence(self.context_summary)}"]
        if self.captions:
            sentences.append(("Its captions: " if len(self.captions) > 1 else "Its caption: ")
                             + "; ".join(f"\"{c.text}\" ({c.source or 'unknown source'})"
                                         for c in self.captions) + ".")
        if self.paper_captions:
            sentences.append("Written on the album's paper by it: " + "; ".join(
                f"\"{text}\"" for text in self.paper_captions) + ".")
        return " ".join(sentences)

    def box_words(self) -> str:
        """Where the print lies on the page, in words ("" when its box was not recorded)."""
        if self.box is None:
            return ""
        left, top, right, bottom = self.box
        return (f"Its box on the page: left {left}, top {top}, right {right}, "
                f"bottom {bottom} (pixels).")


def print_description(number: int, count: int, record: Mapping[str, Any]) -> str:
    """`AlbumPrint.description` of an `album_page` record (the IIIF annotation's words)."""
    return AlbumPrint.of(number, count, record).description()


def album_prints(settings: Mapping[str, Any] | None) -> tuple[AlbumPrint, ...]:
    """The prints a result's settings record (() for an ordinary photo or an unsplit page);
    a record that is not an object (a hand-edited file) is left out, never an error."""
    records = (settings or {}).get("album_page")
    if not isinstance(records, Sequence) or isinstance(records, str):
        return ()
    kept = [r for r in records if isinstance(r, Mapping)]
    return tuple(AlbumPrint.of(number, len(kept), record)
                 for number, record in enumerate(kept, start=1))


def box_of(value: object) -> Box | None:
    """A recorded box as four whole numbers (None: not a box)."""
    if not (isinstance(value, Sequence) and len(value) == 4
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        return None
    return (round(value[0]), round(value[1]), round(value[2]), round(value[3]))


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."
