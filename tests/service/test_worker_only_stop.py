"""`chronochrome serve --worker-only` stopped by SIGTERM while a webhook receiver stalls.

Before: after its current item the process waited for every delivery handed over, up to 3 x
fetch.total_timeout (90 s by default; here a stalled receiver held it the whole 25 s of one
attempt), so a deploy's stop ran into the supervisor's SIGKILL. Now it stops as `serve` does:
an attempt under way gets 5 s, then the process ends keeping its lock file, and the next start
on the data folder sends the webhook with the same `webhook-id`."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from serve_process import CLI, REPO
from service_helpers import gray_png
from threaded_serve import wait_for
from webhook_receiver import StallingReceiver

from colorizer.apps.service.store import JobStore, NewItem
from colorizer.apps.service.webhooks import new_secret

ATTEMPT_SECONDS = 25  # one webhook attempt's limit here: what the old stop waited out


@pytest.fixture
def receiver() -> Iterator[StallingReceiver]:
    server = StallingReceiver(hangs=10**6, hold=60)  # every POST stalls
    yield server
    server.close()


@pytest.mark.slow  # a real `serve --worker-only` loads its model (~15 s on 2 cores)
def test_sigterm_ends_a_worker_only_process_within_seconds_despite_a_stalled_receiver(
        tmp_path, tiny_weights, receiver):
    data_dir = tmp_path / "svc"
    config = tmp_path / "service.json"
    config.write_text(json.dumps({
        "fetch": {"trusted_hosts": ["127.0.0.1"], "total_timeout": ATTEMPT_SECONDS},
        "webhooks": {"timeout": ATTEMPT_SECONDS}}))
    store = JobStore(data_dir / "jobs.sqlite3")
    key_id, _ = store.create_key("archive")
    job_id, _ = store.create_job(key_id, [NewItem({"kind": "upload", "name": "a.png"},
                                                  upload=gray_png())], fmt="png",
                                 webhook_url=receiver.url, webhook_secret=new_secret())
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "--worker-only", "--data-dir", str(data_dir),
         "--config", str(config), "--weights", str(tiny_weights), "--device", "cpu",
         "--no-context", "--render-size", "64"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: receiver.posts or worker.poll() is not None, seconds=120)
        assert receiver.posts, (tmp_path / "worker.log").read_text()
        sent = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=3 * ATTEMPT_SECONDS)
        took = time.monotonic() - sent
    finally:
        worker.kill()
        worker.wait()
        log.close()
    said = (tmp_path / "worker.log").read_text()
    assert worker.returncode == 0, said
    assert took < 12, f"the stop took {took:.1f} s (an attempt under way gets 5 s)\n{said}"
    assert "the next start on this data folder sends them" in said
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        state = db.execute("SELECT webhook_state FROM jobs WHERE id = ?", (job_id,)).fetchone()
    assert state == ("sending",)  # kept, with the lock file: the next start sends it
    assert list((data_dir / "workers").glob("*.lock"))
