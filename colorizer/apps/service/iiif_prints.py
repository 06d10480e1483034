"""An album page's prints on its IIIF canvas: one 'describing' annotation per print.

A scanned album page is split into its prints and each print colorized alone, with its own
inferred era and place and its own captions (colorizer/pipeline/album_page.py records them in
the result's `settings["album_page"]`). The canvas paints the whole page, so without these an
archive's viewer (Mirador, Universal Viewer) showed one picture and could not tell that it
holds several prints, each colorized on its own. Each print's annotation targets its box on
the canvas (`#xywh=`, `box_target`, which a hint's region on the canvas uses too): the canvas
may be the source manifest's canvas size, not the pixels read.

The motivation is "describing" (Web Annotation: a description of the target), not "tagging"
(a short tag such as a keyword): the body is sentences about the print. A page that was not
split, or an ordinary photo, gets no such page: its canvas is written exactly as before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

# The print's words are the pipeline's (print_records.py): the file's XMP and the report
# say the same of each print.
from colorizer.pipeline.print_records import print_description


def album_prints_page(canvas_id: str, prints: Sequence[dict[str, Any]],
                      scale: tuple[float, float],
                      canvas_size: tuple[int | None, int | None]) -> dict[str, Any]:
    """The AnnotationPage of a split page's prints (`prints`: its `album_page` records, box
    in the pixels read), one annotation per print on its box in canvas coordinates."""
    count = len(prints)
    items = [{
        "id": f"{canvas_id}/annotation/album-print-{number}", "type": "Annotation",
        "motivation": "describing",
        "target": box_target(canvas_id, record.get("box"), scale, canvas_size),
        "body": {"type": "TextualBody", "value": print_description(number, count, record),
                 "format": "text/plain", "language": "en"}}
        for number, record in enumerate(prints, start=1)]
    return {"id": f"{canvas_id}/page/album-prints", "type": "AnnotationPage", "items": items}


def box_target(canvas_id: str, box: object, scale: tuple[float, float],
                  canvas_size: tuple[int | None, int | None]) -> str:
    """The canvas with a box (left, top, right, bottom in the pixels read: a print's, a color
    hint's region) as an `#xywh=` fragment, kept inside the canvas; the whole canvas for a
    record with no box."""
    if not (isinstance(box, (list, tuple)) and len(box) == 4
            and all(isinstance(v, (int, float)) for v in box)):
        return canvas_id
    x0, y0 = math.floor(box[0] * scale[0]), math.floor(box[1] * scale[1])
    w = max(1, math.ceil((box[2] - box[0]) * scale[0]))
    h = max(1, math.ceil((box[3] - box[1]) * scale[1]))
    width, height = canvas_size
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        # a rounding of a print on the page's edge must not reach past the canvas
        x0, y0 = min(max(0, x0), width - 1), min(max(0, y0), height - 1)
        w, h = max(1, min(w, width - x0)), max(1, min(h, height - y0))
    return f"{canvas_id}#xywh={x0},{y0},{w},{h}"
