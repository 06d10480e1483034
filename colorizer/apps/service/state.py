"""What the routes share: the injected components, the metrics, the in-process workers and
the result-retention sweeper. At start, the result files no job references are removed
(`orphans`), and the items a killed process of this data folder was working on are queued
again at once (`liveness`), before this process's workers start; then one line says what the
data folder holds and the caps it runs with (`start_summary`)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from colorizer.apps.outputs import Signer, remove_stale_temp_files
from colorizer.apps.service.body_spool import clean_spool
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.links import LinkSigner
from colorizer.apps.service.liveness import ProcessLock, locks_dir, reclaim_dead
from colorizer.apps.service.metrics import Metrics
from colorizer.apps.service.orphans import remove_orphans
from colorizer.apps.service.retention import RetentionSweeper
from colorizer.apps.service.start_summary import log_start
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.webhook_sender import WebhookSender
from colorizer.apps.service.worker import Worker

if TYPE_CHECKING:
    from colorizer.pipeline.colorization import ColorizationPipeline

log = logging.getLogger("chronochrome.service")


class ServiceState:
    """The components of one app, and the worker threads it runs in-process."""

    def __init__(self, pipeline: ColorizationPipeline, config: ServiceConfig, store: JobStore,
                 fetcher: SafeFetcher, signer: Signer | None) -> None:
        self.pipeline, self.config, self.store = pipeline, config, store
        self.fetcher, self.signer, self.metrics = fetcher, signer, Metrics()
        self.sync_slots = threading.BoundedSemaphore(config.sync_concurrency)
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.webhooks = WebhookSender(store, fetcher, settings=config.webhooks)
        self.links = LinkSigner.for_data_dir(config.data_dir, config.link_ttl_seconds)
        self.sweeper: RetentionSweeper | None = None  # None: results are kept forever
        self.lock: ProcessLock | None = None  # held while this process's workers run

    def start_workers(self) -> None:
        remove_stale_temp_files(self.config.results_dir, self.config.lease_seconds)
        clean_spool(self.config.data_dir)  # request bodies a killed process left (body_spool)
        remove_orphans(self.store, self.config.results_dir)
        self.lock = ProcessLock(locks_dir(self.config.data_dir))
        reclaim_dead(self.store, locks_dir(self.config.data_dir), self.lock.owner("webhooks"),
                     self.webhooks.submit)
        self.webhooks.start(self.lock.owner("webhooks"))  # stored retries, as they fall due
        log_start(self.store, self.config, self.config.worker_threads)  # after the take-back
        for n in range(self.config.worker_threads):
            worker = Worker(self.pipeline, self.store, self.config, self.fetcher, self.signer,
                            owner=self.lock.owner(str(n)), webhooks=self.webhooks)
            thread = threading.Thread(target=worker.run, args=(self.stop,), daemon=True,
                                      name=f"chronochrome-worker-{n}")
            thread.start()
            self.threads.append(thread)
        if self.config.result_retention_seconds > 0:
            self.sweeper = RetentionSweeper(self.store, self.config.results_dir,
                                            self.config.result_retention_seconds,
                                            self.config.retention_sweep_seconds, self.stop,
                                            self.config.expired_job_retention_seconds)
            self.sweeper.thread.start()

    def stop_workers(self) -> None:
        self.stop.set()
        if any(t.is_alive() for t in self.threads):  # the log said nothing for up to a minute
            log.info("stopping: the workers finish the item they are on (up to 60 s each); "
                     "queued items wait for the next start")
        for thread in self.threads:
            thread.join(timeout=60)
        # A worker still on an item, or a webhook not sent, keeps the lock file, so the next
        # start takes the item back (and sends the webhook) once this process has ended.
        webhooks_sent = self.webhooks.close()
        if self.lock is not None and not any(t.is_alive() for t in self.threads):
            if webhooks_sent:
                self.lock.release()
        elif self.lock is not None:
            log.warning("stopping with a worker still on its item: the next start on this data "
                        "folder queues it again")
        if self.sweeper is not None:
            self.sweeper.thread.join(timeout=60)
