"""Turning a request into work: a queued job (`create_job`), or one image colorized now
(`colorize_now`, recorded as a finished one-item job so it has links like any other).

Every upload is checked before it is queued, so a bad file is refused with the right status
(413, 415, 422) at once instead of failing later in the worker: by `load_image` where it is
colorized now, by `upload_inspection` (the loader's checks without its decode, which the
worker does) where it is queued.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from colorizer.apps.service.fetch import FetchError, SafeFetcher
from colorizer.apps.service.hint_items import parse_hints, with_hints
from colorizer.apps.service.key_share import require_key_room
from colorizer.apps.service.manifest_items import note_manifest, read_manifest
from colorizer.apps.service.negative_items import (
    hashed_job,
    item_pipeline,
    with_negative,
)
from colorizer.apps.service.problems import (
    Problem,
    problem_from_library_error,
    problem_from_load_error,
)
from colorizer.apps.service.result_notes import item_notes
from colorizer.apps.service.results import write_item_outputs
from colorizer.apps.service.schemas import ItemIn, JobIn, parse_job
from colorizer.apps.service.split_items import hashed_items, with_split_page
from colorizer.apps.service.split_items import item_pipeline as split_pipeline
from colorizer.apps.service.store import JobStore, NewItem, new_job_id
from colorizer.apps.service.store_errors import QueueFullError
from colorizer.apps.service.upload_inspection import inspect_upload
from colorizer.apps.service.webhook_events import LINKS_BASE
from colorizer.apps.service.webhooks import check_secret, new_secret
from colorizer.errors import ImageLoadError
from colorizer.pipeline.color_hints import HintError
from colorizer.pipeline.components import RetrievalLoadError
from colorizer.pipeline.imageio import LoadedImage, load_image, shown_notes
from colorizer.pipeline.provenance import normalize_format

if TYPE_CHECKING:
    from colorizer.apps.service.bodies import Upload
    from colorizer.apps.service.state import ServiceState

log = logging.getLogger("chronochrome.service.intake")

IMAGE_TYPES = ("image/", "application/octet-stream")
UploadInfo = tuple[str, bytes, dict[str, Any]]  # (file name, bytes, what describe_upload saw)


@dataclass(frozen=True)
class Colorized:
    """One image colorized now, recorded as the finished one-item job `job_id`."""

    job_id: str
    image: bytes
    mime: str
    record: dict[str, Any]  # its provenance record


def check_upload(data: bytes, content_type: str | None, name: str, max_pixels: int,
                 index: int | None = None) -> tuple[dict[str, Any], LoadedImage]:
    """Refuse an upload that is not a readable image within the pixel cap; describe it."""
    extra = _require_image_type(content_type, name, index)
    try:
        loaded = load_image(data, max_pixels=max_pixels, name=name)
    except ImageLoadError as exc:
        raise problem_from_load_error(exc, **extra) from exc
    # "notes": what the CLI prints for the photo (a multi-page TIFF's page colorized).
    return {"sha256": loaded.sha256, "size": list(loaded.size), "format": loaded.source_format,
            "notes": shown_notes(loaded.notes)}, loaded


def describe_upload(data: bytes, content_type: str | None, name: str, max_pixels: int,
                    index: int | None = None) -> dict[str, Any]:
    """`check_upload`'s refusals and description of an upload to be queued, without
    decoding its pixels (`upload_inspection`): the worker decodes it."""
    extra = _require_image_type(content_type, name, index)
    try:
        facts = inspect_upload(data, name, max_pixels)
    except ImageLoadError as exc:
        raise problem_from_load_error(exc, **extra) from exc
    return {"sha256": facts.sha256, "size": list(facts.size), "format": facts.source_format,
            "notes": list(facts.notes)}


def _require_image_type(content_type: str | None, name: str, index: int | None
                        ) -> dict[str, Any]:
    """Refuse (415) an upload declared as no image; the problem's extra fields (its item)."""
    extra = {"item": index} if index is not None else {}
    if content_type and not content_type.startswith(IMAGE_TYPES):
        raise Problem(415, "unsupported", f"{name}: content type {content_type!r} is not an "
                      "image; send image/* or application/octet-stream", **extra)
    return extra


def build_items(job: JobIn, uploads: list[UploadInfo], fetcher: SafeFetcher,
                max_items: int) -> tuple[list[NewItem], dict[str, Any]]:
    """Job items (manifests expanded to their canvases) and job metadata."""
    items: list[NewItem] = []
    meta: dict[str, Any] = {}
    for n, item in enumerate(job.items):
        first = len(items)
        _add_items(item, n, uploads, fetcher, items, meta, (len(items), max_items))
        # Color hints travel with the item; an upload's are checked against its size now.
        size = uploads[item.upload][2]["size"] if item.upload is not None else None
        parse_hints(item.color_hints, tuple(size) if size else None, item=n)
        items[first:] = [with_split_page(with_negative(with_hints(new, item.color_hints),
                                                       item.negative), item.split_page)
                         for new in items[first:]]
        if len(items) > max_items:
            break
    if len(items) > max_items:
        raise _too_many(max_items)
    return items, meta


def require_item_cap(raw: Any, max_items: int) -> None:
    """413 for a request with more items than a job may have, before they are validated one
    by one (10,000 URLs took 0.6 s and 9 MB to refuse; a 50 MB body holds 500,000)."""
    items = raw.get("items") if isinstance(raw, dict) else None
    if isinstance(items, list) and len(items) > max_items:
        raise _too_many(max_items)


def _too_many(max_items: int) -> Problem:
    return Problem(413, "too_many_items", f"the job has more than {max_items} items; split "
                   "it into several jobs")


def _add_items(item: ItemIn, n: int, uploads: list[UploadInfo], fetcher: SafeFetcher,
               items: list[NewItem], meta: dict[str, Any], held: tuple[int, int]) -> None:
    """The items of one request item (a manifest gives one per canvas of its range), appended
    to `items`; `held` is (items the job has so far, the most it may have)."""
    if item.upload is not None:
        items.append(_upload_item(item, n, uploads))
    else:
        url = item.url or item.iiif_image or item.iiif_manifest
        try:
            fetcher.check_url(url)
        except FetchError as exc:
            raise Problem(422, exc.reason, str(exc), item=n) from exc
        if item.url:
            items.append(NewItem({"kind": "url", "url": item.url}, item.hint, item.caption))
        elif item.iiif_image:
            items.append(NewItem({"kind": "iiif_image", "service": item.iiif_image.rstrip("/")},
                                 item.hint, item.caption))
        else:
            source, canvases = read_manifest(fetcher, item, n, held)
            note_manifest(meta, item.iiif_manifest, source)
            items += canvases


def _require_referenced(job: JobIn, files: list[Upload]) -> None:
    """Refuse uploaded files no item refers to (they would be dropped without a word), and
    items that refer to a file not uploaded, before any file is decoded."""
    for n, item in enumerate(job.items):
        if item.upload is not None and item.upload >= len(files):
            raise Problem(422, "invalid_request", f"items[{n}].upload = {item.upload} but "
                          f"only {len(files)} files were uploaded")
    used = {item.upload for item in job.items}
    unused = [f"{n} ({name})" for n, (name, _, _) in enumerate(files) if n not in used]
    if unused:
        raise Problem(422, "invalid_request", f"uploaded file(s) {', '.join(unused)} are not "
                      'referenced by any item: add an item {"upload": N} for each, or leave '
                      "the file out")


def _upload_item(item: ItemIn, n: int, uploads: list[UploadInfo]) -> NewItem:
    if item.upload >= len(uploads):
        raise Problem(422, "invalid_request", f"items[{n}].upload = {item.upload} but "
                      f"only {len(uploads)} files were uploaded")
    name, data, info = uploads[item.upload]
    notes = {"notes": info["notes"]} if info.get("notes") else {}  # shown in the item's view
    return NewItem({"kind": "upload", "name": name, "sha256": info["sha256"], **notes},
                   item.hint, item.caption, data)


def request_hash(job: JobIn, uploads: list[UploadInfo]) -> str:
    """What makes two requests 'the same' for Idempotency-Key (multipart boundaries aside)."""
    # The webhook secret counts (as its hash: the request hash is stored): a retry with another
    # secret is another request, not a replay of the first one's.
    secret = job.webhook.secret if job.webhook is not None else None
    dumped = job.model_dump(mode="json", exclude={"webhook": {"secret"}})
    job_json = hashed_job(dumped)  # an item without a range hashes as before ranges existed
    job_json["items"] = [{k: v for k, v in one.items() if not (k == "canvases" and v is None)}
                         for one in hashed_items(job_json["items"])]
    canonical = {"job": job_json,
                 "webhook_secret": (hashlib.sha256(secret.encode()).hexdigest()
                                    if secret else None),
                 "uploads": [info["sha256"] for _, _, info in uploads]}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def job_format(job: JobIn, default: str) -> str:
    try:
        return normalize_format(job.format) if job.format else default
    except ValueError as exc:
        raise Problem(422, "invalid_request", str(exc)) from exc


def webhook_secret(job: JobIn) -> str | None:
    if job.webhook is None or job.webhook.secret is None:
        return None
    try:
        check_secret(job.webhook.secret)
    except ValueError as exc:
        raise Problem(422, "invalid_request", f"webhook.secret: {exc}") from exc
    return job.webhook.secret


def require_room(store: JobStore, items: int, key_id: str | None = None,
                 key_cap: int | None = None) -> None:
    """Refuse (429) work the queue has no room for, before anything is decoded or fetched:
    three bomb PNGs sent to a full queue were decoded first (36 s, 1.7 GB) before the 429.
    A replay of an Idempotency-Key is refused too while the queue is full; retrying later is
    safe (the key still prevents a duplicate). With `key_id` and `key_cap`, the key's own
    share is checked too (`key_share`), after the whole queue: a full queue is everyone's
    wait, and with shares off (a share equal to the cap) it is the only limit said."""
    depth = store.queue_depth()
    if depth + items > store.queue_cap:
        raise QueueFullError(depth, store.queue_cap)
    if key_id is not None and key_cap is not None:
        require_key_room(store.connection(), key_id, items, key_cap, store.queue_cap)


def create_job(state: ServiceState, key_id: str, raw: dict[str, Any], files: list[Upload],
               idempotency_key: str | None, links_base: str | None = None
               ) -> tuple[dict[str, Any], bool, str | None]:
    """Queue a job; returns (job, created, generated webhook secret to show once).
    `links_base`: the address the request came to, kept for its webhook's links."""
    cfg = state.config
    # A job bigger than the key's share of the queue could never be admitted: a 413 that says
    # to split it, not a 429 whose Retry-After never comes true.
    max_items = min(cfg.job_max_items, cfg.key_queue_cap)
    require_item_cap(raw, max_items)
    job = parse_job(raw)
    _require_referenced(job, files)
    require_room(state.store, max(1, len(files)), key_id, cfg.key_queue_cap)
    uploads = [(name, data, describe_upload(data, ctype, name, cfg.max_pixels, index=i))
               for i, (name, data, ctype) in enumerate(files)]
    fmt = job_format(job, cfg.output_format)
    secret, generated = webhook_secret(job), None
    if job.webhook is not None:
        try:
            state.fetcher.check_url(job.webhook.url)
        except FetchError as exc:
            raise Problem(422, exc.reason, f"webhook.url: {exc}") from exc
        if secret is None:
            secret = generated = new_secret()
    items, meta = build_items(job, uploads, state.fetcher, max_items)
    if job.webhook is not None and links_base:  # the worker that sends it has no request
        meta[LINKS_BASE] = links_base
    # A full queue or a reused Idempotency-Key raise StoreErrors; http_errors answers them.
    job_id, created = state.store.create_job(
        key_id, items, fmt=fmt, kind="batch", idempotency_key=idempotency_key,
        request_hash=request_hash(job, uploads),
        webhook_url=job.webhook.url if job.webhook else None, webhook_secret=secret, meta=meta,
        key_queue_cap=cfg.key_queue_cap)
    return state.store.job(key_id, job_id), created, generated if created else None


def colorize_request(raw: dict[str, Any], files: list[Upload],
                     default_format: str) -> tuple[dict[str, Any], str]:
    """(the one item, output format) of a POST /v1/colorize body, checked as a job's are."""
    if len(files) != 1:
        raise Problem(422, "invalid_request", "send exactly one image as the `file` part "
                      "or as the body; use POST /v1/jobs for several")
    job = parse_job(raw, "the colorize request")
    if len(job.items) != 1 or job.items[0].upload != 0:
        raise Problem(422, "invalid_request", "give exactly one item, the uploaded image "
                      '({"upload": 0}); use POST /v1/jobs for URLs, IIIF or several images')
    if job.webhook is not None:
        raise Problem(422, "invalid_request", "POST /v1/colorize answers at once and sends no "
                      "webhook; leave `webhook` out, or use POST /v1/jobs")
    return job.items[0].model_dump(), job_format(job, default_format)


def colorize_now(state: ServiceState, key_id: str, upload: Upload, item: dict[str, Any],
                 fmt: str) -> Colorized:
    """Colorize one small upload through the pipeline and the one output path; record it."""
    cfg = state.config
    name, data, ctype = upload
    sync_cap = min(cfg.sync_max_pixels, cfg.max_pixels)
    try:
        info, loaded = check_upload(data, ctype, name, sync_cap)
    except Problem as exc:
        if exc.reason == "too_large":
            exc.detail += f" (POST /v1/colorize is for small images; POST /v1/jobs takes up " \
                          f"to {cfg.max_pixels:,} pixels)"
        raise
    color_hints = parse_hints(item.get("color_hints"), loaded.size)
    if not state.sync_slots.acquire(timeout=30):
        raise Problem(429, "busy", "synchronous colorization is at capacity; retry later or "
                      "use POST /v1/jobs", headers={"Retry-After": str(cfg.retry_after_seconds)})
    try:
        pipeline = split_pipeline(item_pipeline(state.pipeline, bool(item.get("negative"))),
                                  item.get("split_page"))
        result = pipeline(loaded, hints=item.get("hint"), caption=item.get("caption"),
                          color_hints=color_hints)
    except HintError as exc:  # a reference the pipeline cannot use (its image, its id)
        raise Problem(422, "invalid_hint", f"color_hints: {exc}") from exc
    except RetrievalLoadError as exc:  # the service's library, not the photo: 503, named
        log.warning("POST /v1/colorize: %s", exc)
        raise problem_from_library_error(exc) from exc
    finally:
        state.sync_slots.release()
    job_id = new_job_id()
    source = {"kind": "upload", "name": name, "sha256": info["sha256"]}
    # Staged, and moved into place only inside the transaction that records the job: a
    # failure before it commits leaves no result file that no job references.
    out = write_item_outputs(result, fmt, f"{job_id}-0", cfg.results_dir, source, state.signer,
                             dict(result.timings), publish=False)
    # The recorded item's view says what the loading did (a TIFF's page used), as a job's
    # upload does; the provenance file has its own record of it.
    shown = item_notes(info.get("notes", []), result)  # and the result's, as the CLI prints
    notes = {"notes": shown} if shown else {}
    new = with_negative(with_hints(NewItem({**source, **notes}, item.get("hint"),
                                           item.get("caption")), item.get("color_hints")),
                        item.get("negative"))
    try:
        state.store.add_done_job(job_id, key_id, with_split_page(new, item.get("split_page")),
                                 fmt, out.completion(), publish=out.staged.publish)
    finally:
        out.staged.discard()  # what was not published (a failed record), removed
    return Colorized(job_id, out.image, out.mime, out.record)
