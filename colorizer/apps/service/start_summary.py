"""The line a starting service logs about its data folder: its keys, the work it takes back,
and the caps it now runs with.

`chronochrome serve` said only "torch: N threads per worker" and "listening on ...": nothing
named the data folder, so a restart on another folder (a unit file that lost
$CHRONOCHROME_SERVICE_DIR falls back to ~/.local/share/...) started on an empty database and
every department's key answered 401 "unknown or revoked" with no hint in the log; and a restart
with a lower --queue-cap than the queue already held answered every POST 429 without a word
of why. Now one line names the folder, its active keys, the items queued from before (resumed
by the workers) and the caps, with a warning when no key can call it or the queue is over its
new cap.
"""

from __future__ import annotations

import logging

from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.store import JobStore

log = logging.getLogger("chronochrome.service")


def log_start(store: JobStore, config: ServiceConfig, workers: int) -> None:
    """Log the data folder's state as this process starts serving it."""
    db = store.connection()
    keys = db.execute("SELECT COUNT(*) FROM keys WHERE revoked = 0").fetchone()[0]
    items, jobs = db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT i.job_id) FROM items i JOIN jobs j ON j.id = "
        "i.job_id WHERE i.status IN ('queued', 'running') AND j.status = 'active'").fetchone()
    waiting = (f"{items} item(s) of {jobs} job(s) queued from before, taken up by {workers} "
               "worker(s)" if workers else f"{items} item(s) of {jobs} job(s) queued, for "
               "`serve --worker-only` processes")
    log.info("data folder %s: %d active API key(s); %s; queue cap %d, %d per key",
             config.data_dir, keys, waiting, config.queue_cap, config.key_queue_cap)
    if keys == 0:
        log.warning("no active API key in %s: every request to /v1/ will be 401. If the "
                    "service ran elsewhere before, give that --data-dir (or "
                    "$CHRONOCHROME_SERVICE_DIR); else create a key with `chronochrome keys "
                    "create --name NAME --data-dir %s`", config.data_dir, config.data_dir)
    if items >= config.queue_cap:
        log.warning("the queue holds %d item(s), at or over its cap of %d: POST /v1/jobs "
                    "answers 429 queue_full until it drains below it", items, config.queue_cap)
