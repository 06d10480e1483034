"""The worker: lease an item, get its image, colorize through the one pipeline, write, complete.

Run it inside the API process (`ServiceConfig.worker_threads`) or as its own process:

    python -m colorizer.apps.service.worker --data-dir DIR [--weights W --device cpu ...]
    chronochrome serve --worker-only --data-dir DIR

While it works on an item the worker renews its lease (every third of `lease_seconds`), so an
item that takes longer than the lease is never handed to a second worker; only a killed or
stalled worker's item is. Results are staged as fsynced temporary files, then moved into place
as `results/<item id>.<ext>` and `<item id>.provenance.json` inside the transaction that marks
the item done under this worker's lease: a worker that lost its lease discards its files, so a
recorded result is never overwritten, and a crash costs work, never a duplicate.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.fetch import FetchError, SafeFetcher
from colorizer.apps.service.iiif import IIIFError, ImageService, choose_size, image_request_url
from colorizer.apps.service.problems import STATUS_BY_REASON
from colorizer.apps.service.store import JobStore, Lease
from colorizer.apps.service.webhooks import deliver
from colorizer.errors import ChronochromeError, ImageLoadError
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.provenance import (
    IMAGE_FORMATS,
    context_summary,
    encode_image,
    plausibility_notes,
    provenance_record,
)

log = logging.getLogger("chronochrome.service.worker")


class Worker:
    """Processes items from a `JobStore` with a `ColorizationPipeline`."""

    def __init__(self, pipeline: Any, store: JobStore, config: ServiceConfig,
                 fetcher: SafeFetcher | None = None, signer: Any = None,
                 owner: str | None = None) -> None:
        self.pipeline = pipeline
        self.store = store
        self.config = config
        self.fetcher = fetcher or SafeFetcher(config.fetch)
        self.signer = signer
        self.owner = owner or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        config.results_dir.mkdir(parents=True, exist_ok=True)

    def run(self, stop: threading.Event, poll_seconds: float = 0.2) -> None:
        """Process items until `stop` is set; sleep `poll_seconds` when the queue is empty.

        An unexpected error is logged and the worker goes on: the item's lease is no longer
        renewed, so it is retried after it expires (and failed after `max_attempts`).
        """
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # one bad item must not stop the worker
                log.exception("worker %s: processing failed; the item will be retried",
                              self.owner)
                busy = False
            if not busy:
                stop.wait(poll_seconds)

    def run_once(self) -> bool:
        """Lease and process one item; False when there was none."""
        lease = self.store.lease(self.owner, self.config.lease_seconds)
        if lease is None:
            return False
        self.process(lease)
        return True

    def process(self, lease: Lease) -> None:
        with keep_lease(self.store, lease, self.owner, self.config.lease_seconds) as lost:
            self._process(lease, lost)

    def _process(self, lease: Lease, lost: threading.Event) -> None:
        timings: dict[str, float] = {}
        start = time.perf_counter()
        try:
            data, source_info = self._source_bytes(lease)
            timings["fetch"] = time.perf_counter() - start
            loaded = load_image(data, max_pixels=self.config.max_pixels,
                                name=source_info.get("name", lease.item_id))
            result = self.pipeline(loaded, hints=lease.hint, caption=lease.caption)
        except ImageLoadError as exc:
            self._finish(lease, *self.store.fail(lease, self.owner,
                                                 STATUS_BY_REASON.get(exc.reason, 422),
                                                 exc.reason, str(exc)))
            return
        except FetchError as exc:
            self._finish(lease, *self.store.fail(lease, self.owner, exc.status, exc.reason,
                                                 str(exc)))
            return
        except IIIFError as exc:
            self._finish(lease, *self.store.fail(lease, self.owner, 422, exc.reason, str(exc)))
            return
        if lost.is_set():  # canceled, or taken over after a stall: nothing to write
            self._finish(lease, False, False)
            return
        timings.update(result.timings)
        outputs = write_outputs(result, lease.format, lease.item_id, self.config.results_dir,
                                source_info, self.signer, timings, publish=False)
        timings["total"] = time.perf_counter() - start
        try:
            changed, job_finished = self.store.complete(
                lease, self.owner, outputs, publish=lambda: publish_outputs(outputs))
        finally:
            discard_outputs(outputs)  # staged files that were not published
        self._finish(lease, changed, job_finished)

    def _source_bytes(self, lease: Lease) -> tuple[bytes, dict[str, Any]]:
        source = lease.source
        kind = source["kind"]
        if kind == "upload":
            return self.store.upload(lease.item_id), {"kind": "upload",
                                                      "name": source.get("name", "upload")}
        if kind == "url":
            got = self.fetcher.get(source["url"], accept="image/*")
            return got.data, {"kind": "url", "url": source["url"], "fetched": got.url,
                              "name": source["url"]}
        if kind == "iiif_image":
            base = source["service"].rstrip("/")
            info = json.loads(self.fetcher.get(f"{base}/info.json",
                                               accept="application/ld+json").data)
            service = ImageService.from_info(info, base)
            size = choose_size(service, self.config.max_pixels)
            url = image_request_url(service, size)
            got = self.fetcher.get(url, accept="image/*")
            return got.data, {"kind": "iiif_image", "service": service.id, "url": url,
                              "name": url, "requested_size": list(size) if size else "max",
                              **{k: source[k] for k in ("canvas_id", "manifest") if k in source}}
        raise ChronochromeError(f"unknown source kind {kind!r} in item {lease.item_id}")

    def _finish(self, lease: Lease, changed: bool, job_finished: bool) -> None:
        if not changed:
            log.info("item %s was finished or canceled elsewhere; result not recorded again",
                     lease.item_id)
        if job_finished:
            self._send_webhook(lease.job_id)

    def _send_webhook(self, job_id: str) -> None:
        target = self.store.webhook_target(job_id)
        if not target or not target[1]:
            return
        key_id, url, secret = target
        job = self.store.job(key_id, job_id) or {}
        event = {"type": "job.completed", "timestamp": time.time(), "data": {
            "job_id": job_id, "state": job.get("state"),
            "items": [{"index": i["idx"], "status": i["status"]} for i in job.get("items", [])]}}
        ok, detail = deliver(self.fetcher, url, secret, event)
        self.store.set_webhook_state(job_id, "delivered" if ok else "failed", detail)


@contextmanager
def keep_lease(store: JobStore, lease: Lease, owner: str,
               lease_seconds: float) -> Iterator[threading.Event]:
    """Renew `owner`'s lease every third of `lease_seconds` while the block runs.

    Yields an event that is set when the lease was lost: the job was canceled, or this worker
    stalled past the expiry and another took the item over.
    """
    lost, stop = threading.Event(), threading.Event()

    def renew() -> None:
        while not stop.wait(lease_seconds / 3):
            try:
                if not store.renew(lease, owner, lease_seconds):
                    lost.set()
                    return
            except sqlite3.Error as exc:  # the store is busy or gone: try again next beat
                log.warning("renewing the lease of %s failed: %s", lease.item_id, exc)

    thread = threading.Thread(target=renew, daemon=True, name=f"lease-{lease.item_id}")
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join()


def write_outputs(result: Any, fmt: str, item_id: str, results_dir: Path,
                  source_info: dict[str, Any], signer: Any,
                  timings: dict[str, float], publish: bool = True) -> dict[str, Any]:
    """Encode with XMP (and C2PA), write image and provenance record; the one output path.

    Files are written to fsynced temporary names; `publish=False` leaves them staged for
    `publish_outputs` (moves them into place) or `discard_outputs`. Returns what
    `JobStore.complete` records; `timings` gains "encode" and "write".
    """
    clock = time.perf_counter()
    suffix, mime = IMAGE_FORMATS[fmt][1], IMAGE_FORMATS[fmt][2]
    image = encode_image(result, fmt)
    if signer is not None:
        unsigned = provenance_record(result, output=image, output_format=fmt, source=source_info)
        image = signer.sign(image, mime, unsigned, title=f"{item_id}{suffix}")
    record = provenance_record(result, output=image, output_format=fmt, source=source_info)
    record["c2pa_signed"] = signer is not None
    record["context_summary"] = context_summary(record)
    record["plausibility"] = plausibility_notes(record)
    timings["encode"] = time.perf_counter() - clock
    clock = time.perf_counter()
    image_path = results_dir / f"{item_id}{suffix}"
    record_path = results_dir / f"{item_id}.provenance.json"
    staged = []
    try:
        staged.append((stage_file(image_path, image), image_path))
        staged.append((stage_file(record_path, json.dumps(record, indent=1,
                                                          ensure_ascii=False).encode()),
                       record_path))
    except BaseException:
        discard_outputs({"staged": staged})
        raise
    out = {"result_file": image_path.name, "result_sha256": record["output"]["sha256"],
           "provenance_file": record_path.name, "timings": timings, "record": record,
           "image": image, "mime": mime, "staged": staged}
    if publish:
        publish_outputs(out)
    timings["write"] = time.perf_counter() - clock
    return out


def publish_outputs(outputs: dict[str, Any]) -> None:
    """Move staged files into place (each rename atomic: never half a file)."""
    while outputs["staged"]:
        tmp, path = outputs["staged"][0]
        os.replace(tmp, path)
        outputs["staged"].pop(0)


def discard_outputs(outputs: dict[str, Any]) -> None:
    """Remove staged files that were not published."""
    for tmp, _ in outputs["staged"]:
        tmp.unlink(missing_ok=True)
    outputs["staged"].clear()


def stage_file(path: Path, data: bytes) -> Path:
    """Write `data` to a fsynced temporary file next to `path`; returns its path."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def remove_stale_temp_files(results_dir: Path, older_than: float) -> int:
    """Temporary files left by a killed worker (never renamed, so never a result)."""
    cutoff, removed = time.time() - older_than, 0
    for path in results_dir.glob(".*.tmp"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


if __name__ == "__main__":
    import sys

    from colorizer.apps.service.cli import worker_main

    sys.exit(worker_main(sys.argv[1:]))
