"""The worker: lease an item, get its image, colorize through the one pipeline, write, complete.

Run it inside the API process (`ServiceConfig.worker_threads`) or as its own process:

    python -m colorizer.service.worker --data-dir DIR [--weights W --device cpu ...]
    chronochrome serve --worker-only --data-dir DIR

Results are written atomically as `results/<item id>.<ext>` and `<item id>.provenance.json`
*before* the item is marked done; a worker killed in between leaves a file that the next lease
of the same item overwrites with the same name, so a crash costs work, never a duplicate.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from colorizer.errors import ChronochromeError, ImageLoadError
from colorizer.imageio import load_image
from colorizer.provenance import (
    IMAGE_FORMATS,
    context_summary,
    encode_image,
    plausibility_notes,
    provenance_record,
)
from colorizer.service.config import ServiceConfig
from colorizer.service.fetch import FetchError, SafeFetcher
from colorizer.service.iiif import IIIFError, ImageService, choose_size, image_request_url
from colorizer.service.problems import STATUS_BY_REASON
from colorizer.service.store import JobStore, Lease
from colorizer.service.webhooks import deliver

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
        """Process items until `stop` is set; sleep `poll_seconds` when the queue is empty."""
        while not stop.is_set():
            if not self.run_once():
                stop.wait(poll_seconds)

    def run_once(self) -> bool:
        """Lease and process one item; False when there was none."""
        lease = self.store.lease(self.owner, self.config.lease_seconds)
        if lease is None:
            return False
        self.process(lease)
        return True

    def process(self, lease: Lease) -> None:
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
        timings.update(result.timings)
        outputs = write_outputs(result, lease.format, lease.item_id, self.config.results_dir,
                                source_info, self.signer, timings)
        timings["total"] = time.perf_counter() - start
        self._finish(lease, *self.store.complete(lease, self.owner, outputs))

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


def write_outputs(result: Any, fmt: str, item_id: str, results_dir: Path,
                  source_info: dict[str, Any], signer: Any,
                  timings: dict[str, float]) -> dict[str, Any]:
    """Encode with XMP (and C2PA), write image and provenance record; the one output path.

    Returns what `JobStore.complete` records; `timings` gains "encode" and "write".
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
    write_atomic(image_path, image)
    write_atomic(record_path, json.dumps(record, indent=1, ensure_ascii=False).encode())
    timings["write"] = time.perf_counter() - clock
    return {"result_file": image_path.name, "result_sha256": record["output"]["sha256"],
            "provenance_file": record_path.name, "timings": timings, "record": record,
            "image": image, "mime": mime}


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, rename: never half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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

    from colorizer.service.cli import worker_main

    sys.exit(worker_main(sys.argv[1:]))
