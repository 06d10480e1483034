"""A IIIF manifest item of a job turned into its canvases' items.

A manifest gives one item per canvas of the item's range (`"canvases": "501-1000"`, 1-based:
a manifest above the job's item cap was refused with "split it into several jobs", which no
request could do); a canvas that paints no image is an item the worker fails saying so. Each
source manifest's id, label and terms are kept by the URL the request named (`manifests`).
"""

from __future__ import annotations

from typing import Any

from colorizer.apps.service.fetch import FetchError, SafeFetcher
from colorizer.apps.service.iiif import CanvasRef, IIIFError, canvas_count, canvases_of
from colorizer.apps.service.json_documents import load_json
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.schemas import ItemIn
from colorizer.apps.service.store import NewItem


def note_manifest(meta: dict[str, Any], url: str, source: dict[str, Any]) -> None:
    """Keep each source manifest's id, label and terms (by the URL the request named):
    `manifests`, read by the worker (each canvas's record states its own manifest's rights)
    and by the job's manifest. `manifest` is kept only while the job has one source: a
    second manifest overwrote it, and the whole output manifest was labeled, licensed and
    attributed as the last manifest named."""
    manifests = meta.setdefault("manifests", {})
    manifests[url] = source
    if len(manifests) == 1:
        meta["manifest"] = source
    else:
        meta.pop("manifest", None)


def canvas_item(item: ItemIn, canvas: CanvasRef, number: int) -> NewItem:
    """One item per canvas of a manifest (`number`: its place in the manifest, from 1); its
    Image API service preferred (sized requests). A canvas that paints no image becomes an
    item the worker fails saying so: dropped, it left the job's counts short of the
    manifest's canvases without a word."""
    base = {"canvas_id": canvas.canvas_id, "canvas_number": number,
            "canvas_label": canvas.label,
            "canvas_width": canvas.width, "canvas_height": canvas.height,
            "manifest": item.iiif_manifest, "image_url": canvas.image_url,
            # when and where the archive says (navDate, metadata): the worker's caption
            "canvas_described": [list(pair) for pair in canvas.described],
            # the same in the source's languages, for the colorized canvas (iiif_terms)
            "canvas_described_maps": canvas.described_maps}
    if canvas.note:  # a second image or a Choice's others not colorized: its view says so
        base.update(canvas_note=canvas.note, notes=[canvas.note])
    if not canvas.image_url:
        src = {"kind": "iiif_canvas", **base}
    elif canvas.service:
        src = {"kind": "iiif_image", "service": canvas.service.rstrip("/"), **base}
    else:
        src = {"kind": "url", "url": canvas.image_url, **base}
    return NewItem(src, item.hint, item.caption)


def read_manifest(fetcher: SafeFetcher, item: ItemIn, n: int, held: tuple[int, int]
                  ) -> tuple[dict[str, Any], list[NewItem]]:
    """(the manifest's id, label and terms; an item per canvas of the item's range). A range
    the job has no room for is refused (413) before its canvases are read."""
    url = item.iiif_manifest
    try:
        doc = load_json(fetcher.get(url, accept="application/ld+json").data, "the manifest")
        total = canvas_count(doc)
    except FetchError as exc:
        raise Problem(422, exc.reason, f"items[{n}]: the manifest could not be fetched: {exc}",
                      item=n) from exc
    except (ValueError, IIIFError, KeyError, TypeError, AttributeError) as exc:
        raise _unreadable(url, n, exc) from exc
    first, last = item.canvas_range()
    if first > total:
        raise Problem(422, "invalid_request", f"items[{n}].canvases = {item.canvases!r}, but "
                      f"the manifest {url} has {total} canvas(es): give a range within "
                      f"1-{total}", item=n)
    last = total if last is None else min(last, total)
    if held[0] + last - first + 1 > held[1]:
        raise _manifest_too_big(url, n, (first, last), total, held)
    try:
        source, canvases = canvases_of(doc, limit=last - first + 1, start=first - 1,
                                       keep_empty=True)
    except (ValueError, IIIFError, KeyError, TypeError, AttributeError) as exc:
        raise _unreadable(url, n, exc) from exc
    return source, [canvas_item(item, canvas, first + k) for k, canvas in enumerate(canvases)]


def _unreadable(url: str, n: int, exc: Exception) -> Problem:
    return Problem(422, "invalid_iiif", f"items[{n}]: {url} is not a readable IIIF manifest "
                   f"({exc})", item=n)


def _manifest_too_big(url: str, n: int, wanted: tuple[int, int], total: int,
                      held: tuple[int, int]) -> Problem:
    """413 for a manifest's canvases above the job's item cap, saying how to split it: one
    job per range of canvases (a manifest cannot be split otherwise)."""
    (first, last), (before, cap) = wanted, held
    # ranges of a whole job each: the manifest's canvases in jobs of their own
    ranges = [f"{a}-{min(a + cap - 1, last)}" if a < last else str(a)
              for a in range(first, last + 1, cap)]
    shown = ", ".join(f'"{r}"' for r in ranges[1:4]) + (
        f", ... up to \"{ranges[-1]}\"" if len(ranges) > 4 else "")
    others = f", with the job's {before} other item(s)," if before else ""
    return Problem(413, "too_many_items", f"items[{n}]: the manifest {url} has {total} "
                   f"canvases; {last - first + 1} of them ({first}-{last}){others} are more than "
                   f"the {cap} items a job may have. Submit them as several jobs, each "
                   f'item naming a range of canvases: {{"iiif_manifest": "{url}", "canvases": '
                   f'"{ranges[0]}"}}' + (f", then {shown}" if shown else ""), item=n,
                   ranges=ranges)
