"""Leases: a worker renews its lease while it works, so a long item runs once; a worker that
lost its lease (canceled, or stalled past expiry) never overwrites or records a result; one bad
item does not stop a worker."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import pytest
from service_helpers import SlowPipeline, gray_png, make_service

from colorizer.apps.outputs import StagedFiles
from colorizer.apps.service.store import NewItem
from colorizer.apps.service.worker import Worker

LEASE = 0.3  # seconds: items below take several leases' time


@pytest.fixture
def svc(tmp_path, tiny_pipeline):
    """The service with short leases and no in-process worker."""
    yield from make_service(tmp_path, tiny_pipeline, lease_seconds=LEASE)


def _queue_one(svc) -> str:
    response = svc.client.post("/v1/jobs", headers=svc.headers(),
                               files={"file": ("a.png", gray_png(), "image/png")})
    assert response.status_code == 202
    return response.headers["location"].rsplit("/", 1)[1]


def _item(svc, job_id: str) -> dict[str, Any]:
    return svc.store.job(svc.store.key_for(svc.key_a), job_id)["items"][0]


def _leftovers(svc) -> list[str]:
    return sorted(p.name for p in svc.config.results_dir.glob(".*.tmp"))


def test_a_long_item_keeps_its_lease_and_runs_once(svc, tiny_pipeline):
    job_id = _queue_one(svc)
    slow = SlowPipeline(tiny_pipeline, seconds=6 * LEASE)
    first = Worker(slow, svc.store, svc.config, owner="slow-worker")
    runner = threading.Thread(target=first.run_once)
    runner.start()
    other = Worker(tiny_pipeline, svc.store, svc.config, owner="eager-worker")
    taken = 0
    while runner.is_alive():  # another worker keeps asking for the same item
        taken += other.run_once()
        time.sleep(LEASE / 4)
    runner.join()
    item = _item(svc, job_id)
    assert taken == 0 and slow.calls == 1
    assert item["status"] == "done" and item["attempts"] == 1 and item["completions"] == 1
    data = (svc.config.results_dir / item["result_file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == item["result_sha256"]
    assert _leftovers(svc) == []


def test_a_stalled_worker_that_lost_its_lease_cannot_overwrite_the_result(svc,
                                                                           tiny_pipeline):
    job_id = _queue_one(svc)
    stalled = svc.store.lease("stalled-worker", lease_seconds=-1)  # expired: no heartbeat
    assert Worker(tiny_pipeline, svc.store, svc.config).run_once()  # takes it over
    item = _item(svc, job_id)
    assert item["status"] == "done" and item["attempts"] == 2
    final = svc.config.results_dir / item["result_file"]
    # The stalled worker wakes up with its own (different) bytes for the same names.
    late_files = StagedFiles.stage([(final, b"late bytes")])
    late = {"result_file": final.name, "result_sha256": "late", "provenance_file": "x"}
    changed, finished = svc.store.complete(stalled, "stalled-worker", late,
                                           publish=late_files.publish)
    late_files.discard()
    assert (changed, finished) == (False, False)
    assert hashlib.sha256(final.read_bytes()).hexdigest() == item["result_sha256"]
    assert _item(svc, job_id)["completions"] == 1 and _leftovers(svc) == []


def test_an_item_canceled_while_it_runs_writes_no_result(svc, tiny_pipeline):
    job_id = _queue_one(svc)
    key_id = svc.store.key_for(svc.key_a)
    slow = SlowPipeline(tiny_pipeline, seconds=2 * LEASE,
                        on_call=lambda n: svc.store.cancel(key_id, job_id))
    assert Worker(slow, svc.store, svc.config).run_once()
    item = _item(svc, job_id)
    assert item["status"] == "canceled" and item["result_file"] is None
    assert not list(svc.config.results_dir.glob("job_*")) and _leftovers(svc) == []


def test_an_unexpected_error_is_retried_and_the_worker_goes_on(svc, tiny_pipeline):
    def fail_first(n: int) -> None:
        if n == 1:
            raise RuntimeError("out of memory (simulated)")

    job_id = _queue_one(svc)
    flaky = SlowPipeline(tiny_pipeline, seconds=0, on_call=fail_first)
    stop = threading.Event()
    runner = threading.Thread(target=Worker(flaky, svc.store, svc.config).run,
                              args=(stop, 0.05))
    runner.start()
    deadline = time.time() + 20
    while _item(svc, job_id)["status"] != "done" and time.time() < deadline:
        time.sleep(0.05)
    stop.set()
    runner.join()
    item = _item(svc, job_id)
    assert item["status"] == "done" and item["attempts"] == 2 and flaky.calls == 2


def test_renew_is_refused_once_the_lease_is_gone(service):
    store = service.store
    store.create_job("k", [NewItem({"kind": "upload", "name": "a"}, upload=b"x")], fmt="png")
    lease = store.lease("w1", lease_seconds=60)
    assert store.renew(lease, "w1", 60) and not store.renew(lease, "w2", 60)
    assert store.lease("w2", lease_seconds=60) is None  # not expired: nothing to hand out
    assert store.renew(lease, "w1", -1)  # now it expires
    assert store.lease("w2", lease_seconds=60).item_id == lease.item_id
    assert not store.renew(lease, "w1", 60)  # w1 lost it to w2
