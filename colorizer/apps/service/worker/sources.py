"""Getting an item's image bytes: a stored upload, a URL, or a IIIF Image API service (asked
for the largest size within the pixel cap).

A manifest's canvas also carries the terms its manifest states (`rights`, the
`requiredStatement` it asks to be shown: "Courtesy of ..."): they apply to the colorization,
a derivative of the archive's photo, so its provenance record says them beside where the
photo came from. They reached the job's IIIF manifest only: a result downloaded with its
record said nothing of its licence.
"""

from __future__ import annotations

import json
from typing import Any

from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.iiif import IIIFError, fetch_iiif_image
from colorizer.apps.service.iiif_terms import manifest_terms
from colorizer.apps.service.store import JobStore, Lease
from colorizer.errors import ChronochromeError

_CANVAS_FIELDS = ("canvas_id", "manifest", "canvas_note")  # note: what was not colorized


class CanvasWithoutImageError(IIIFError):
    """A manifest's canvas paints no image: its item fails (422) saying which canvas."""

    reason = "no_image"


def source_bytes(lease: Lease, store: JobStore, fetcher: SafeFetcher,
                 max_pixels: int) -> tuple[bytes, dict[str, Any]]:
    """(image bytes, what the provenance record says about the source) of a leased item."""
    source = lease.source
    kind = source["kind"]
    if kind == "upload":
        return store.upload(lease.item_id), {"kind": "upload",
                                             "name": source.get("name", "upload")}
    if kind == "url":
        got = fetcher.get(source["url"], accept="image/*")
        record = {"kind": "url", "url": source["url"], "fetched": got.url,
                  "name": source["url"]}
        return got.data, {**record, **_canvas_record(source, store, lease.job_id)}
    if kind == "iiif_image":
        data, record = fetch_iiif_image(source["service"], fetcher, max_pixels)
        return data, {**record, **_canvas_record(source, store, lease.job_id)}
    if kind == "iiif_canvas":  # intake found no image on it (manifest_items.canvas_item)
        raise CanvasWithoutImageError(
            f"canvas {source.get('canvas_number', '?')} ({source.get('canvas_id')}) paints no "
            "image: it has no painting annotation whose body is an image, so there is "
            "nothing to colorize; the job's other canvases go on")
    raise ChronochromeError(f"unknown source kind {kind!r} in item {lease.item_id}")


def _canvas_record(source: dict[str, Any], store: JobStore, job_id: str) -> dict[str, Any]:
    """A manifest canvas's ids and its manifest's terms (`rights`, `requiredStatement`);
    nothing for an item that came from no manifest."""
    record = {k: source[k] for k in _CANVAS_FIELDS if k in source}
    if "manifest" not in source:
        return record
    row = store.connection().execute("SELECT meta FROM jobs WHERE id = ?",
                                     (job_id,)).fetchone()
    meta = json.loads(row[0] or "{}") if row else {}
    # Each source manifest's terms by the URL the request named (intake.note_manifest); a
    # job queued before kept only `manifest`, the last named: its terms only when the job
    # has that one manifest (another's would be the wrong licence).
    stated = (meta.get("manifests") or {}).get(source["manifest"])
    if stated is None:
        (manifests,) = store.connection().execute(
            "SELECT COUNT(DISTINCT json_extract(source, '$.manifest')) FROM items "
            "WHERE job_id = ?", (job_id,)).fetchone()
        stated = meta.get("manifest") if manifests == 1 else None
    stated = stated or {}
    terms = manifest_terms(stated)  # rights as Presentation 3 writes them, else as metadata
    for name in ("rights", "requiredStatement"):
        if name in terms:
            record[name] = terms[name]
    if terms.get("metadata"):  # rights text that is no licence URI
        record["rights_statement"] = terms["metadata"][0]["value"]["none"][0]
    return record
