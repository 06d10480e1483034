"""The caption a IIIF canvas gives the context: its label and what the archive says of when
and where (`CanvasRef.described`: navDate, date and place metadata, summary), each naming its
field ("iiif:label", "iiif:navDate", "iiif:manifest:metadata:Datum").

One reading for both readers of manifests: the CLI's collection inputs
(`colorizer.apps.collection_inputs`) and the service's jobs (`intake` stores the canvas's
fields with the item, the worker reads them back here). The service's jobs used the request's
caption only: a canvas's own label and dates never reached the context.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from colorizer.pipeline.captions import CatalogueCaption
from context.catalogue_fields import plain_text
from context.types import Caption


def label_text(label: dict[str, list[str]]) -> str:
    """A IIIF language map's text: English, else without a language, else the first."""
    for language in ("en", "none", *label):
        values = [v for v in label.get(language, []) if v.strip()]
        if values:
            return " ".join(values[0].split())
    return ""


def canvas_caption(label: dict[str, list[str]], canvas_id: str,
                   described: Iterable[Sequence[str]], caption: str | None = None
                   ) -> CatalogueCaption | None:
    """The canvas's caption: the request's `caption` (it replaces the label), else its label
    (none when the label is only the canvas id), then its described fields; it replaces the
    fetched image's own captions."""
    own = label_text(label)
    first = ([Caption(caption, "user")] if caption else
             [Caption(own, "iiif:label")] if own and own != canvas_id else [])
    fields = [Caption(plain_text(text), f"iiif:{field}") for field, text in described]
    return CatalogueCaption.of([*first, *(f for f in fields if f.text)], replaces=True)


def stored_caption(source: dict[str, Any], caption: str | None) -> str | None:
    """A job item's caption: for a manifest's canvas (its stored label and fields) as
    `canvas_caption`; for any other item the request's `caption` as it is."""
    if "canvas_id" not in source:
        return caption
    label = source.get("canvas_label")
    return canvas_caption(label if isinstance(label, dict) else {}, source["canvas_id"],
                          source.get("canvas_described") or (), caption) or caption
