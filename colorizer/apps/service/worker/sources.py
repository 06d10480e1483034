"""Getting an item's image bytes: a stored upload, a URL, or a IIIF Image API service (asked
for the largest size within the pixel cap)."""

from __future__ import annotations

from typing import Any

from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.iiif import IIIFError, ImageService, choose_size, image_request_url
from colorizer.apps.service.json_documents import JSONDocumentError, load_json
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
        return _iiif_image(source, fetcher, max_pixels)
    raise ChronochromeError(f"unknown source kind {kind!r} in item {lease.item_id}")


def _iiif_image(source: dict[str, Any], fetcher: SafeFetcher,
                max_pixels: int) -> tuple[bytes, dict[str, Any]]:
    base = source["service"].rstrip("/")
    try:
        info = load_json(fetcher.get(f"{base}/info.json", accept="application/ld+json").data,
                         f"{base}/info.json")
        service = ImageService.from_info(info, base)
    except (JSONDocumentError, AttributeError, TypeError) as exc:  # not an object / not JSON
        raise IIIFError(f"{base}/info.json is not a readable IIIF image description ({exc})"
                        ) from exc
    size = choose_size(service, max_pixels)
    url = image_request_url(service, size)
    got = fetcher.get(url, accept="image/*")
    return got.data, {"kind": "iiif_image", "service": service.id, "url": url,
                      "name": url, "requested_size": list(size) if size else "max",
                      **{k: source[k] for k in ("canvas_id", "manifest") if k in source}}
