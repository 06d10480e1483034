"""IIIF: read Presentation manifests; write Presentation 3 manifests (the Image API side,
info.json and the size to ask for, is iiif_image.py).

- `canvases_of` reads Presentation 3 and 2 manifests into one item per canvas;
- `build_manifest` (`manifest_head` + a `result_canvas` per done item) writes a
  Presentation 3 manifest whose canvases paint a `Choice` of the
  original (first) and the colorized image, with the context and plausibility notes as
  `assessing` annotations (and a split album page's prints, iiif_prints.py);
  `presentation3_errors` checks that structure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from colorizer.apps.outputs import image_mime
from colorizer.apps.service.iiif_image import (  # noqa: F401  (where callers import them)
    IIIFError,
    ImageService,
    choose_size,
    fetch_iiif_image,
    image_request_url,
)
from colorizer.apps.service.iiif_languages import colorized_label, colorized_summary
from colorizer.apps.service.iiif_prints import album_prints_page, box_target
from colorizer.apps.service.iiif_terms import (
    canvas_description,
    canvas_terms,
    described,
    described_maps,
    manifest_terms,
    mixed_terms,
    source_terms,
)
from colorizer.apps.service.iiif_validation import (  # noqa: F401  (callers import it here)
    PRESENTATION3_CONTEXT,
    presentation3_errors,
)
from colorizer.apps.service.item_names import original_name
from colorizer.pipeline.provenance import region_line

IMAGE3_CONTEXT = "http://iiif.io/api/image/3/context.json"


@dataclass(frozen=True)
class CanvasRef:
    """One canvas of a source manifest, with where to get its image."""

    canvas_id: str
    label: dict[str, list[str]]
    width: int | None
    height: int | None
    image_url: str  # the painting annotation's image; "" for a canvas that paints none
    service: str | None  # its Image API base, when it has one (preferred: sized requests)
    # What the archive says of when and where (`described`): ("navDate", "1950-06-15T..."),
    # ("metadata:Date", "1950"), ("summary", "..."), the manifest's as ("manifest:navDate", ..)
    described: tuple[tuple[str, str], ...] = ()
    # The same fields with the source's language maps, written back onto the colorized canvas
    # (`iiif_terms.described_maps`): {"navDate": ..., "summary": {...}, "metadata": [...]}
    described_maps: dict[str, Any] = field(default_factory=dict)
    # What of the canvas was not colorized: a second painting image, a Choice's other items
    note: str = ""


def canvases_of(manifest: dict[str, Any], limit: int | None = None, start: int = 0,
                keep_empty: bool = False) -> tuple[dict[str, Any], list[CanvasRef]]:
    """(manifest id and label, canvases) of a Presentation 3 or 2 manifest; with `limit`, at
    most `limit` canvases are read: a job's item cap is checked on the first cap + 1, not after
    reading every canvas (50,000 canvases took 8 s and 128 MB before the 413). `start` skips
    that many canvases (a job's canvas range); `keep_empty` keeps a canvas that paints no
    image as a CanvasRef with no `image_url` (a job fails its item instead of dropping it
    without a word, so that its counts add up to the manifest's canvases)."""
    raw, read = _canvas_list(manifest)
    found = (read(c) or (_empty_canvas(c) if keep_empty else None)
             for c in islice(raw, start, None))
    canvases = list(islice((c for c in found if c is not None), limit))
    if not any(c.image_url for c in canvases):
        raise IIIFError("the manifest has no canvas with an image" + (
            f" from canvas {start + 1} on" if start else ""))
    if manifest.get("@type") == "sc:Manifest":
        label, ident = {"none": [str(manifest.get("label") or "untitled")]}, manifest.get("@id")
    else:
        label, ident = language_map(manifest.get("label"), "untitled"), manifest.get("id")
    whole = described(manifest)
    canvases = [replace(c, described=c.described + tuple(
        (f"manifest:{field}", text) for field, text in whole
        if field not in {f for f, _ in c.described})) for c in canvases]
    # the manifest's own navDate and summary, for the colorized manifest (they were dropped)
    own = described_maps(manifest, metadata=False)
    return {"id": ident, "label": label, **source_terms(manifest),
            **({"described": own} if own else {})}, canvases


def canvas_count(manifest: dict[str, Any]) -> int:
    """How many canvases a manifest lists (with an image or not): what a job's canvas
    range counts in."""
    return len(_canvas_list(manifest)[0])


def _canvas_list(manifest: dict[str, Any]
                 ) -> tuple[list[Any], Callable[[dict[str, Any]], CanvasRef | None]]:
    """The manifest's canvases in order, and the reader of one (Presentation 3 or 2)."""
    if manifest.get("type") in ("Collection", "sc:Collection") or manifest.get(
            "@type") == "sc:Collection":
        raise IIIFError(_collection_message(manifest))
    if manifest.get("type") == "Manifest" or "items" in manifest:
        return [c for c in manifest.get("items", []) if c.get("type") == "Canvas"], _canvas3
    if manifest.get("@type") == "sc:Manifest":
        sequences = manifest.get("sequences", [])[:1]
        return [c for seq in sequences for c in seq.get("canvases", [])], _canvas2
    raise IIIFError("not a IIIF Presentation manifest (no type 'Manifest' nor "
                    "@type 'sc:Manifest')")


def _empty_canvas(canvas: dict[str, Any]) -> CanvasRef:
    """A canvas that paints no image, as a CanvasRef without an image (`image_url` "")."""
    ident = canvas.get("id") or canvas.get("@id") or ""
    label = canvas.get("label")
    return CanvasRef(str(ident), language_map(label if isinstance(label, dict) else
                                              str(label or ident), str(ident)),
                     _int(canvas.get("width")), _int(canvas.get("height")), "", None,
                     described(canvas))


def _collection_message(collection: dict[str, Any]) -> str:
    """A Collection lists manifests, not canvases: say so and name a few of them (it was
    read as a manifest, and refused as one "with no canvas with an image")."""
    members = collection.get("items") or collection.get("manifests") or []
    ids = [m.get("id") or m.get("@id") for m in members if isinstance(m, dict)]
    ids = [i for i in ids if isinstance(i, str)]
    shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    return ("this is a IIIF Collection (a list of manifests), not a Manifest: give its "
            "manifests one by one" + (f" ({len(ids)}: {shown})" if ids else ""))


def language_map(value: object, fallback: str) -> dict[str, list[str]]:
    """A Presentation 3 label as the language map the specification asks for; manifests in
    the wild also give a bare string or list, which become {"none": [...]}; anything else
    (or nothing) the fallback. What we write back into our own manifests is always valid."""
    if isinstance(value, dict) and value and all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(s, str) for s in v)
            for k, v in value.items()):
        return value
    if isinstance(value, str) and value:
        return {"none": [value]}
    if isinstance(value, list) and value and all(isinstance(s, str) for s in value):
        return {"none": list(value)}
    return {"none": [fallback]}


def _canvas3(canvas: dict[str, Any]) -> CanvasRef | None:
    bodies = [anno.get("body") for page in canvas.get("items", [])
              for anno in page.get("items", [])]
    images = [(body, image) for body, image in ((b, painted_image(b)) for b in bodies)
              if image is not None]
    if not images:
        return None
    chosen, body = images[0]
    services = body.get("service") or []
    services = services if isinstance(services, list) else [services]
    service = next((s.get("id") or s.get("@id") for s in services
                    if isinstance(s, dict)), None)
    return CanvasRef(canvas["id"], language_map(canvas.get("label"), canvas["id"]),
                     _int(canvas.get("width")), _int(canvas.get("height")),
                     body["id"], service, described(canvas), described_maps(canvas),
                     _left_out_note(len(images), chosen, body["id"]))


def _left_out_note(painted: int, chosen: object, image_id: str) -> str:
    """Says what of a canvas was not colorized: its other painting images, or a Choice's
    other items (the first, the one a viewer shows by default, is colorized). It was done
    without a word: the archive could not tell that a canvas was colorized in part."""
    choice = chosen[0] if isinstance(chosen, list) and chosen else chosen
    options = choice.get("items") if isinstance(choice, dict) and choice.get(
        "type") == "Choice" else None
    notes = []
    if isinstance(options, list) and len(options) > 1:
        notes.append(f"the canvas offers a Choice of {len(options)} images: the first, the "
                     f"one a viewer shows by default, was colorized ({image_id})")
    if painted > 1:
        others = "the other image is" if painted == 2 else f"the other {painted - 1} are"
        notes.append(f"the canvas paints {painted} images: only the first ({image_id}) was "
                     f"colorized; {others} not in the colorized canvas")
    return "; ".join(notes)


def painted_image(body: object) -> dict[str, Any] | None:
    """The resource a Presentation 3 painting annotation's body paints (with an `id`), or
    None. A Choice paints its first (default) item, a list its first body, and a
    SpecificResource its `source` (a crop or rotation of the image: we colorize the whole
    image, which a viewer crops as before). A SpecificResource has no `id` of its own, so its
    canvas was dropped from the job without a word. A body of another type (a Video) is still
    returned: its item fails with a reason the archive sees, where a skipped canvas is lost."""
    if isinstance(body, list):
        body = body[0] if body else None
    if isinstance(body, dict) and body.get("type") == "Choice":
        body = (body.get("items") or [None])[0]
    if isinstance(body, dict) and body.get("type") == "SpecificResource":
        source = body.get("source")
        body = {"id": source} if isinstance(source, str) else source
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
        return None
    return body


def _canvas2(canvas: dict[str, Any]) -> CanvasRef | None:
    images = [image.get("resource") or {} for image in canvas.get("images", [])]
    images = [resource for resource in images if resource.get("@id")]
    if not images:
        return None
    resource = images[0]
    service = resource.get("service") or {}
    service = service[0] if isinstance(service, list) and service else service
    return CanvasRef(canvas["@id"], {"none": [str(canvas.get("label", canvas["@id"]))]},
                     _int(canvas.get("width")), _int(canvas.get("height")),
                     resource["@id"], service.get("@id") if isinstance(service, dict)
                     else None, described(canvas), described_maps(canvas),
                     _left_out_note(len(images), resource, resource["@id"]))


def build_manifest(job: dict[str, Any], base_url: str, records: dict[int, dict[str, Any]],
                   sign: Callable[[str], str] = str) -> dict[str, Any]:
    """A Presentation 3 manifest of a job: original first, colorized second, as a Choice.

    `records` are the provenance records of the done items, by index; `sign` turns a link to
    one of the service's images into one a IIIF viewer can open (links.py). The service
    writes a big job's manifest canvas by canvas instead (`manifest_stream`), from the same
    `manifest_head` and `result_canvas`.
    """
    job_url = f"{base_url}/v1/jobs/{job['id']}"
    canvases = [result_canvas(job_url, item, records.get(item["idx"], {}), job["format"], sign)
                for item in job["items"] if item["status"] == "done"]
    return {**manifest_head(job, base_url), "items": canvases}


def manifest_head(job: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Everything of a job's manifest but its canvases (`items`)."""
    job_url = f"{base_url}/v1/jobs/{job['id']}"
    meta = job.get("meta", {})
    sources = list((meta.get("manifests") or {}).values())
    source = (meta.get("manifest") or {}) if len(sources) < 2 else {}
    own = source.get("described") if isinstance(source.get("described"), dict) else {}
    # Jobs stored before labels were normalised on reading may hold a bare string.
    label = language_map(source.get("label"), f"chronochrome job {job['id']}" + (
        f": canvases of {len(sources)} IIIF manifests" if len(sources) > 1 else ""))
    manifest = {
        "@context": PRESENTATION3_CONTEXT, "id": f"{job_url}/manifest", "type": "Manifest",
        # in the label's own languages (iiif_languages): it was English inside each of them
        "label": colorized_label(label),
        "summary": colorized_summary(label, own.get("summary") or {}, (
            " The canvases come from several manifests: each states its own rights and "
            "attribution." if len(sources) > 1 else "")),
        **({"navDate": own["navDate"]} if own.get("navDate") else {}),
    }
    # the source's rights and attribution apply to both images (several sources: mixed_terms)
    terms = mixed_terms(sources) if len(sources) > 1 else manifest_terms(source)
    metadata = terms.pop("metadata", [])
    if source.get("id"):
        metadata.insert(0, {"label": {"en": ["Source manifest"]},
                            "value": {"none": [source["id"]]}})
    manifest.update(terms)
    if metadata:
        manifest["metadata"] = metadata
    return manifest


def result_canvas(job_url: str, item: dict[str, Any], record: dict[str, Any],
                   job_format: str, sign: Callable[[str], str]) -> dict[str, Any]:
    """One done item's canvas: a Choice of original and colorized, notes as annotations."""
    idx, src = item["idx"], item["source"]
    canvas_id = f"{job_url}/canvas/{idx}"
    out_w, out_h = (record.get("output", {}).get("size") or [None, None])[:2]
    in_w, in_h = record.get("source", {}).get("size") or [out_w, out_h]
    original = _original_image(src, record.get("source") or {}, (in_w, in_h),
                               sign(f"{job_url}/items/{idx}/original"))
    fmt = (record.get("output") or {}).get("format") or job_format
    colorized = {"id": sign(f"{job_url}/items/{idx}/result"), "type": "Image",
                 "format": image_mime(fmt), "width": out_w, "height": out_h,
                 "label": {"en": ["Colorized by chronochrome (AI-estimated color)"]}}
    # what of the source canvas was not colorized last: the other notes keep their ids
    notes = [("context", record.get("context_summary", ""))] + [
        ("plausibility", n) for n in record.get("plausibility", [])] + [
        ("canvas", str(src.get("canvas_note") or ""))]
    width, height = src.get("canvas_width") or in_w, src.get("canvas_height") or in_h
    scale = (width / in_w, height / in_h) if in_w and in_h else (1.0, 1.0)
    pages = [_assessing_page(canvas_id, notes)]
    if any(r.get("kind") != "model" for r in record.get("color_regions") or []):
        pages.append(color_source_page(canvas_id, record["color_regions"], scale,
                                       (width, height)))
    prints = (record.get("settings") or {}).get("album_page")
    if prints:  # a split album page: where each print lies, colorized alone (iiif_prints)
        pages.append(album_prints_page(canvas_id, prints, scale, (width, height)))
    return {
        "id": canvas_id, "type": "Canvas",
        # The source manifest's own label, else the caption, else the original's name.
        "label": language_map(src.get("canvas_label"),
                              item.get("caption") or original_name(src) or f"item {idx}"),
        "width": width, "height": height,
        # the source canvas's date, place and summary; "Source canvas" names it
        **canvas_description(src.get("canvas_id"), src.get("canvas_described"),
                             src.get("canvas_described_maps")),
        **canvas_terms(record.get("source") or {}),  # its own manifest's rights (several)
        "items": [{"id": f"{canvas_id}/page/painting", "type": "AnnotationPage", "items": [{
            "id": f"{canvas_id}/annotation/painting", "type": "Annotation",
            "motivation": "painting", "target": canvas_id,
            "body": {"type": "Choice", "items": [original, colorized]}}]}],
        "annotations": pages,
        # Signed as the images are: a viewer or harvester has no API key (it got a 401).
        "seeAlso": [{"id": sign(f"{job_url}/items/{idx}/provenance"), "type": "Dataset",
                     "format": "application/json",
                     "label": {"en": ["chronochrome provenance record"]}}],
    }


def _original_image(src: dict[str, Any], fetched: dict[str, Any], size: tuple[Any, Any],
                    stored_link: str) -> dict[str, Any]:
    """The original as the archive holds it: its own URL where it has one, else the copy the
    service stored (`stored_link`). `fetched` is what the provenance record says of the bytes
    colorized: their format, and for a IIIF image its service's version, level and full size
    (the service's full image is what the archive's URL names; we may have read it smaller)."""
    from PIL import Image  # here: reading a manifest (the CLI's inputs) needs no PIL

    remote = src.get("url") or src.get("image_url")
    width, height = (fetched.get("service_size") or size) if remote else size
    pil_format = str(fetched.get("format") or "JPEG").upper()
    original: dict[str, Any] = {
        "id": remote or stored_link, "type": "Image",
        "format": Image.MIME.get(pil_format, "image/jpeg"),
        "label": {"en": ["Original (as held by the archive)"]},
        "width": width, "height": height}
    if src.get("service"):
        original["service"] = [image_service_ref(src["service"], fetched.get("version"),
                                                 fetched.get("level"))]
    return original


def image_service_ref(service_id: str, version: int | None, level: int | None
                      ) -> dict[str, Any]:
    """An Image API service as Presentation 3 names it: a 2.x service with @id, @type
    ImageService2 and its level's profile URI, a 3.0 service with id, type ImageService3 and
    "levelN". A viewer builds its image requests from these (2.x: `full`, 3.0: `max`; level 0:
    only the listed sizes), so an unknown level is given as 0, which asks the least."""
    level = level if level in (0, 1, 2) else 0
    if version == 2:
        return {"@id": service_id, "@type": "ImageService2",
                "profile": f"http://iiif.io/api/image/2/level{level}.json"}
    return {"id": service_id, "type": "ImageService3", "profile": f"level{level}"}


def _assessing_page(canvas_id: str, notes: list[tuple[str, str]]) -> dict[str, Any]:
    """The context and plausibility notes as 'assessing' annotations (empty notes left out)."""
    return {"id": f"{canvas_id}/page/assessing", "type": "AnnotationPage", "items": [{
        "id": f"{canvas_id}/annotation/{kind}-{n}", "type": "Annotation",
        "motivation": "assessing", "target": canvas_id,
        "body": {"type": "TextualBody", "value": text, "format": "text/plain", "language": "en"}}
        for n, (kind, text) in enumerate(notes) if text]}


def color_source_page(canvas_id: str, regions: list[dict[str, Any]],
                      scale: tuple[float, float],
                      canvas_size: tuple[int | None, int | None]) -> dict[str, Any]:
    """Where each region's color came from, as 'describing' annotations on the region's box
    (canvas coordinates, within the canvas; the model's region on the whole canvas)."""
    items = []
    for region in regions:
        target = canvas_id if region.get("kind") == "model" else box_target(
            canvas_id, region.get("box"), scale, canvas_size)
        items.append({
            "id": f"{canvas_id}/annotation/color-source-{region['id']}", "type": "Annotation",
            "motivation": "describing", "target": target,
            "body": {"type": "TextualBody", "value": region_line(region),
                     "format": "text/plain", "language": "en"}})
    return {"id": f"{canvas_id}/page/color-sources", "type": "AnnotationPage", "items": items}


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
