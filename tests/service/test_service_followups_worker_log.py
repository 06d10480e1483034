"""A worker whose pipeline raises on an item logs one line that names the job, the item, the
archive's key and the error, with the traceback attached once (in JSON: as fields).

Before, the line was "worker 1234-ab: processing failed; the item will be retried" and a
traceback: nothing said which job, whose, or which of its items."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from service_helpers import SlowPipeline, gray_png, make_service

from colorizer.apps.service.service_logging import TEXT, JsonLines
from colorizer.apps.service.worker import Worker

WORKER_LOG = "chronochrome.service.worker"


@pytest.fixture
def svc(tmp_path, tiny_pipeline):
    yield from make_service(tmp_path, tiny_pipeline, lease_seconds=0.3)


def _run_until_done(svc, job_id: str, pipeline) -> None:
    stop = threading.Event()
    runner = threading.Thread(target=Worker(pipeline, svc.store, svc.config, owner="w-test").run,
                              args=(stop, 0.05))
    runner.start()
    deadline = time.time() + 30
    try:
        while time.time() < deadline:
            job = svc.client.get(f"/v1/jobs/{job_id}", headers=svc.headers()).json()
            if job["state"] not in ("queued", "running"):
                break
            time.sleep(0.05)
    finally:
        stop.set()
        runner.join()


def test_an_unexpected_error_names_its_job_item_and_key(svc, tiny_pipeline, caplog):
    caplog.set_level(logging.INFO, logger=WORKER_LOG)
    posted = svc.client.post("/v1/jobs", headers=svc.headers(), files=[
        ("file", ("a.png", gray_png(seed=1), "image/png")),
        ("file", ("b.png", gray_png(seed=2), "image/png"))])
    assert posted.status_code == 202, posted.text
    job_id = posted.json()["id"]
    key_id = svc.store.key_for(svc.key_a)

    def fail_second(n: int) -> None:  # item 1's first attempt
        if n == 2:
            raise RuntimeError("out of memory (simulated)")

    _run_until_done(svc, job_id, SlowPipeline(tiny_pipeline, seconds=0, on_call=fail_second))
    job = svc.client.get(f"/v1/jobs/{job_id}", headers=svc.headers()).json()
    assert [item["status"] for item in job["items"]] == ["done", "done"]  # retried, went on

    errors = [r for r in caplog.records if r.name == WORKER_LOG and r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    record = errors[0]
    assert record.getMessage() == (
        f"worker w-test: job {job_id} item 1 (key {key_id}) failed unexpectedly: "
        "RuntimeError: out of memory (simulated); it will be retried when its lease expires "
        "(attempt 1 of 3)")
    assert (record.job_id, record.item_index, record.key_id) == (job_id, 1, key_id)

    text = logging.Formatter(TEXT).format(record)
    assert text.splitlines()[0].endswith(record.getMessage())  # the line, then its traceback
    assert text.count("Traceback (most recent call last)") == 1
    assert "RuntimeError: out of memory (simulated)" in text.splitlines()[-1]

    entry = json.loads(JsonLines().format(record))  # --log-format json: one object, one line
    assert entry["job_id"] == job_id and entry["key_id"] == key_id and entry["item_index"] == 1
    assert entry["message"] == record.getMessage()
    assert entry["exception"].count("Traceback") == 1


def test_the_last_attempt_and_an_error_outside_any_item_say_so(svc, caplog):
    from colorizer.apps.service.store import Lease
    from colorizer.apps.service.worker.item_errors import log_unexpected

    caplog.set_level(logging.INFO, logger=WORKER_LOG)
    lease = Lease("job_x-2", "job_x", 2, {"kind": "upload"}, None, None, "png", attempts=3)
    log_unexpected(svc.store, "w", lease, ValueError(), max_attempts=3)
    log_unexpected(svc.store, "w", None, OSError("database is locked"), max_attempts=3)
    assert [r.getMessage() for r in caplog.records if r.name == WORKER_LOG] == [
        ("worker w: job job_x item 2 (key ?) failed unexpectedly: ValueError; that was its "
         "last attempt (3 of 3): it will be failed as worker_crashed"),
        "worker w: unexpected error while looking for an item: OSError: database is locked"]
