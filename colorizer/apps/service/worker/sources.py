"""Getting an item's image bytes: a stored upload, a URL, or a IIIF Image API service (asked
for the largest size within the pixel cap)."""

from __future__ import annotations

from typing import Any

from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.iiif import fetch_iiif_image
from colorizer.apps.service.store import JobStore, Lease
from colorizer.errors import ChronochromeError


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
        return got.data, {"kind": "url", "url": source["url"], "fetched": got.url,
                          "name": source["url"]}
    if kind == "iiif_image":
        data, record = fetch_iiif_image(source["service"], fetcher, max_pixels)
        return data, {**record, **{k: source[k] for k in ("canvas_id", "manifest")
                                   if k in source}}
    raise ChronochromeError(f"unknown source kind {kind!r} in item {lease.item_id}")
