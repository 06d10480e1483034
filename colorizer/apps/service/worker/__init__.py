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

Modules: `leases` (renewing a lease while an item runs), `sources` (an item's image bytes),
`__main__` (the process entry point). The files are written by `results.write_item_outputs`,
through the one output writer of `colorizer.apps.outputs`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from colorizer.apps.outputs import Signer
from colorizer.apps.service.canvas_captions import stored_caption
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.fetch import FetchError, SafeFetcher
from colorizer.apps.service.hint_items import stored_hints
from colorizer.apps.service.iiif import IIIFError
from colorizer.apps.service.job_log import log_job_end
from colorizer.apps.service.negative_items import item_pipeline, stored_negative
from colorizer.apps.service.problems import (
    STATUS_BY_REASON,
    problem_from_library_error,
    service_detail,
)
from colorizer.apps.service.result_notes import item_notes
from colorizer.apps.service.results import ItemOutputs, write_item_outputs
from colorizer.apps.service.split_items import item_pipeline as split_pipeline
from colorizer.apps.service.split_items import stored_split_page
from colorizer.apps.service.storage_room import RoomWatch
from colorizer.apps.service.store import JobStore, Lease
from colorizer.apps.service.store_errors import StorageError
from colorizer.apps.service.store_storage import storage_error
from colorizer.apps.service.webhook_sender import WebhookSender
from colorizer.apps.service.worker.item_errors import log_unexpected
from colorizer.apps.service.worker.leases import keep_lease
from colorizer.apps.service.worker.sources import source_bytes
from colorizer.errors import ImageLoadError
from colorizer.pipeline.color_hints import HintError
from colorizer.pipeline.components import RetrievalLoadError
from colorizer.pipeline.imageio import load_image, shown_notes
from context.heap import release_freed_memory

if TYPE_CHECKING:
    from colorizer.pipeline.colorization import ColorizationPipeline
    from colorizer.pipeline.result import ColorizationResult

__all__ = ["Worker"]

log = logging.getLogger("chronochrome.service.worker")


class Worker:
    """Processes items from a `JobStore` with a `ColorizationPipeline`."""

    def __init__(self, pipeline: ColorizationPipeline, store: JobStore, config: ServiceConfig,
                 fetcher: SafeFetcher | None = None, signer: Signer | None = None,
                 owner: str | None = None, webhooks: WebhookSender | None = None) -> None:
        self.pipeline = pipeline
        self.store = store
        self.config = config
        self.fetcher = fetcher or SafeFetcher(config.fetch)
        self.signer = signer
        self.owner = owner or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        # Deliveries run on their own threads (shared by the workers of one process).
        self.webhooks = webhooks or WebhookSender(store, self.fetcher, settings=config.webhooks)
        # The item of the last `run_once` (None: none), which an unexpected error's line names.
        self.holding: Lease | None = None
        config.results_dir.mkdir(parents=True, exist_ok=True)

    def run(self, stop: threading.Event, poll_seconds: float = 0.2) -> None:
        """Process items until `stop` is set; sleep `poll_seconds` when the queue is empty.

        An unexpected error is logged with its job and item (`item_errors`) and the worker
        goes on: the item's lease is no longer renewed, so it is retried after it expires (and
        failed after `max_attempts`). While the data folder's disk is short of room
        (`storage_room`) it takes no item: they would all fail 507.
        """
        room = RoomWatch(self.config.data_dir, self.config.min_free_bytes, self.owner)
        while not stop.is_set():
            if not room.may_take_work():
                stop.wait(10 * poll_seconds)
                continue
            try:
                busy = self.run_once()
            except StorageError as exc:  # the database's disk: one line, then wait for room
                log.warning("worker %s: %s", self.owner, exc)  # (was a traceback every poll)
                stop.wait(10 * poll_seconds)
                busy = True
            except Exception as exc:  # noqa: BLE001 - one bad item must not stop the worker
                log_unexpected(self.store, self.owner, self.holding, exc,
                               self.config.max_attempts)
                busy = False
            if not busy:
                stop.wait(poll_seconds)

    def run_once(self) -> bool:
        """Lease and process one item; False when there was none."""
        self.holding = None  # (if leasing fails, the error was met holding no item)
        self.holding = lease = self.store.lease(self.owner, self.config.lease_seconds)
        if lease is None:
            return False
        self.process(lease)
        return True

    def process(self, lease: Lease) -> None:
        try:
            with keep_lease(self.store, lease, self.owner, self.config.lease_seconds) as lost:
                self._process(lease, lost)
        finally:
            # The item's buffers are freed, but glibc keeps them in its heap: after 40 jobs
            # with two 8000x6000 scans an idle service held 995 MB, now 568 (context/heap.py;
            # tests/test_free_memory_service.py).
            release_freed_memory()

    def _process(self, lease: Lease, lost: threading.Event) -> None:
        timings: dict[str, float] = {}
        start = time.perf_counter()
        try:
            result, source_info = self._colorize(lease, timings, start)
        except HintError as exc:  # a URL's hints meet their image only here
            self._finish(lease, *self.store.fail(lease, self.owner, 422, exc.reason, str(exc)))
            return
        except ImageLoadError as exc:
            self._finish(lease, *self.store.fail(lease, self.owner,
                                                 STATUS_BY_REASON.get(exc.reason, 422),
                                                 exc.reason, service_detail(exc)))
            return
        except FetchError as exc:
            self._finish(lease, *self.store.fail(lease, self.owner, exc.status, exc.reason,
                                                 str(exc)))
            return
        except IIIFError as exc:
            self._finish(lease, *self.store.fail(lease, self.owner, 422, exc.reason, str(exc)))
            return
        except RetrievalLoadError as exc:
            # The service's library, not the photo: the item was retried at each lease's end
            # and then failed as worker_crashed, which named neither the library nor why.
            log.warning("worker %s: item %s: %s", self.owner, lease.item_id, exc)
            problem = problem_from_library_error(exc)
            self._finish(lease, *self.store.fail(lease, self.owner, problem.status,
                                                 problem.reason, problem.detail))
            return
        if lost.is_set():  # canceled, or taken over after a stall: nothing to write
            self._finish(lease, False, False)
            return
        timings.update(result.timings)
        # What the CLI prints for the photo (result_notes.py): the loading's notes (a TIFF's
        # page used, 16 bits read at 8: a URL's or IIIF image's item is loaded only here, so
        # its view said nothing of it), then the result's own (a render size lowered, an album
        # page's prints). A canvas colorized in part (two images, a Choice: manifest_items)
        # says so first; the store's completion replaces the item's intake notes with these.
        notes = item_notes(shown_notes(result.input.notes), result,
                           source_info.get("canvas_note") or "")
        outputs = self._write(lease, result, source_info, timings)
        if outputs is None:
            return
        timings["total"] = time.perf_counter() - start
        try:
            changed, job_finished = self.store.complete(
                lease, self.owner, {**outputs.completion(), "notes": notes},
                publish=outputs.staged.publish)
        finally:
            outputs.staged.discard()  # staged files that were not published
        self._finish(lease, changed, job_finished)

    def _colorize(self, lease: Lease, timings: dict[str, float], start: float
                  ) -> tuple[ColorizationResult, dict[str, Any]]:
        """The item's image fetched, decoded and colorized; (result, source_info).

        Its bytes go once decoded, its pixels when this returns. Held in `_process` until the
        result was written, a 108 MP 16-bit PNG's 157 MB of bytes were on top of the
        colorizing's peak, and its 432 MB of decoded floats on top of the encoding: the
        command line holds neither there (`stages.PhotoStages.encode`).
        """
        data, source_info = source_bytes(lease, self.store, self.fetcher,
                                         self.config.max_pixels)
        timings["fetch"] = time.perf_counter() - start
        loaded = load_image(data, max_pixels=self.config.max_pixels,
                            name=source_info.get("name", lease.item_id))
        del data  # not read again (the digest is in `loaded`)
        pipeline = split_pipeline(item_pipeline(self.pipeline, stored_negative(lease.source)),
                                  stored_split_page(lease.source))
        return pipeline(loaded, hints=lease.hint,
                        caption=stored_caption(lease.source, lease.caption),
                        color_hints=stored_hints(lease.source)), source_info

    def _write(self, lease: Lease, result: ColorizationResult, source_info: dict[str, Any],
               timings: dict[str, float]) -> ItemOutputs | None:
        """The item's result files, staged; None when the disk refused them, recorded as the
        item's failure (507 full, 503 read-only). It stayed "running" before, was taken over
        when its lease ran out, and after three tries read "worker_crashed"."""
        try:
            return write_item_outputs(result, lease.format, lease.item_id,
                                      self.config.results_dir, source_info, self.signer,
                                      timings, publish=False)
        except OSError as exc:
            error = storage_error(exc, self.config.data_dir)
            if error is None:
                raise
            cause = "full" if error.full else "read-only"
            detail = (f"the service's storage was {cause} when this photo's result was "
                      "written: nothing of it was kept; submit it again later (the service's "
                      "operator must make room on, or make writable, its data folder)")
            self._finish(lease, *self.store.fail(lease, self.owner, 507 if error.full else 503,
                                                 error.reason, detail))
            return None

    def _finish(self, lease: Lease, changed: bool, job_finished: bool) -> None:
        if not changed:
            log.info("item %s was finished or canceled elsewhere; result not recorded again",
                     lease.item_id)
        else:
            log_job_end(self.store, lease)  # one line per job, by its last item's worker
        if job_finished:
            self.webhooks.submit(lease.job_id)
