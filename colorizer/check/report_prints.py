"""The report's section on a split album page: each print, colorized on its own.

A scanned album page is split into its prints and each colorized alone, with its own era,
place and captions (colorizer/pipeline/album_page.py). The report described the page as one
photo: a historian could not tell that it holds four prints, each with its own era and place.
The section lists each print as the file's XMP and the IIIF manifest name it (print_records.py):
its box on the page, its context in words, its captions, what was written by it on the paper.

The prints come from the colorization's result (`chronochrome report`, the workbench) or, when
only the colorized file is checked (`chronochrome check FILE --report`), from what its XMP
records (`recorded_prints`). An ordinary photo or an unsplit page gets no section.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from colorizer.pipeline.metadata import BLOCK_ERRORS
from colorizer.pipeline.print_records import AlbumPrint, album_prints
from colorizer.pipeline.provenance import AI_SYSTEM
from colorizer.pipeline.xmp_parse import XmpUnreadable
from colorizer.pipeline.xmp_read import read_provenance

# Why the page's context section is not the prints': the check reads the whole page.
PAGE_NOTE = ("This image is a scanned album page. Its prints were found on it and each was "
             "colorized as a photo of its own, with its own inferred context and captions; "
             "the paper between them was kept neutral. The context above is what the check "
             "inferred of the whole page; each print's own is below.")


def section_title(count: int) -> str:
    """"Album page: 4 prints, each colorized on its own"."""
    return f"Album page: {count} print{'s' if count != 1 else ''}, each colorized on its own"


def prints_section(prints: Sequence[AlbumPrint]) -> str:
    """The section's HTML ("" for no prints: an ordinary photo's report is as before)."""
    if not prints:
        return ""
    rows = "".join(_row(page_print) for page_print in prints)
    return (f"<section><h2>{html.escape(section_title(len(prints)))}</h2>"
            f"<p>{html.escape(PAGE_NOTE)}</p>"
            "<table><tr><th>print</th><th>box on the page (left, top, right, bottom; "
            "pixels)</th><th style='width:40%'>context</th><th>captions</th>"
            f"<th>written on the album's paper by it</th></tr>{rows}</table></section>")


def _row(page_print: AlbumPrint) -> str:
    box = ", ".join(str(v) for v in page_print.box) if page_print.box else "not recorded"
    context = page_print.context_summary or "No context was inferred for it."
    captions = "".join(f"<li>{html.escape(c.text)} <small>("
                       f"{html.escape(c.source or 'unknown source')})</small></li>"
                       for c in page_print.captions)
    paper = "".join(f"<li>{html.escape(text)}</li>" for text in page_print.paper_captions)
    return (f"<tr><td>{page_print.number} of {page_print.count}</td><td>{html.escape(box)}"
            f"</td><td>{html.escape(context)}</td>"
            f"<td>{f'<ul>{captions}</ul>' if captions else 'none'}</td>"
            f"<td>{f'<ul>{paper}</ul>' if paper else 'none'}</td></tr>")


def recorded_prints(path: Path) -> tuple[AlbumPrint, ...]:
    """The prints a chronochrome output's XMP records of its page (() for anything else: not
    one of ours, no XMP, an unreadable one, an unsplit photo). Never raises: the report is
    written without the section."""
    try:
        data = path.read_bytes()
    except OSError:
        return ()
    return prints_of_file(data)


def prints_of_file(data: bytes) -> tuple[AlbumPrint, ...]:
    """`recorded_prints` of a file's bytes (an upload the service checks)."""
    try:
        found = read_provenance(data)
    except (XmpUnreadable, *BLOCK_ERRORS):
        return ()
    if not found or found.get("ai_system") != AI_SYSTEM:
        return ()
    settings = found.get("settings")
    try:
        return album_prints(settings if isinstance(settings, dict) else None)
    except (KeyError, TypeError, ValueError, AttributeError):  # a hand-edited record
        return ()
