"""A job canceled while its results expire sends one `job.completed` event, about how it ended.

The rule: a job's event says how the job ended (its last item, or its cancel): `succeeded`,
`completed_with_errors`, `failed` or `canceled`, with the counts of that moment and its time as
RFC 3339. Its results expiring afterwards (retention, cleanup, `DELETE ?purge=true`) changes
neither the event nor sends another, every attempt carries the same body, and a job is not
forgotten while its event is still to send.

Before: `DELETE ?purge=true` on a running job canceled it, expired it, then sent the event,
which read `"state": "expired"`; a canceled job whose first attempt failed and whose results
expired before the retry sent "canceled" and then "expired" under one `webhook-id` (both);
and one forgotten meanwhile was never sent (none)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from service_helpers import fast_retry_service, gray_png
from threaded_serve import served, wait_for
from webhook_receiver import Receiver

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.job_forgetting import forget_expired_jobs
from colorizer.apps.service.retention import BY_OWNER, expire_now, sweep
from colorizer.apps.service.webhooks import new_secret

ENDED_STATES = {"succeeded", "canceled", "completed_with_errors", "failed"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _service(tmp_path, workers: int) -> tuple[ServiceConfig, dict[str, str]]:
    return fast_retry_service(tmp_path, workers, retries=8)


def _submit(base: str, auth: dict[str, str], hook: str, photos: int = 1) -> str:
    request = {"items": [{"upload": n} for n in range(photos)],
               "webhook": {"url": hook, "secret": new_secret()}}
    answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=30, files=[
        ("file", (f"{n}.png", gray_png(seed=n), "image/png")) for n in range(photos)],
        data={"request": json.dumps(request)})
    assert answer.status_code == 202, answer.text
    return answer.headers["location"]


def _webhook(location: str, auth: dict[str, str]) -> dict:
    return httpx.get(f"{location}?limit=0", headers=auth, timeout=30).json()["webhook"]


def _events(receiver: Receiver) -> list[dict]:
    return [json.loads(body) for _, _, body in receiver.posts]


def test_a_purged_running_job_says_canceled_not_expired(tmp_path, tiny_pipeline, receiver):
    config, auth = _service(tmp_path, workers=0)  # no worker: its items stay queued
    receiver.come_up()
    with served(create_app(tiny_pipeline, config)) as base:
        location = _submit(base, auth, receiver.url(), photos=2)
        purged = httpx.delete(f"{location}?purge=true", headers=auth, timeout=30)
        assert purged.status_code == 200, purged.text
        assert wait_for(lambda: _webhook(location, auth)["state"] == "delivered", 15)
        assert httpx.get(location, headers=auth).json()["state"] == "expired"  # the view
    [event] = _events(receiver)
    assert event["data"]["state"] == "canceled"
    assert event["data"]["counts"] == {"canceled": 2}
    stamp = datetime.fromisoformat(event["timestamp"])  # RFC 3339, in UTC
    assert event["timestamp"].endswith("Z") and abs(stamp.timestamp() - time.time()) < 60


def test_a_retried_event_is_the_same_after_the_job_expired(tmp_path, tiny_pipeline, receiver):
    """Canceled with the receiver down; its results expire and the job is past the grace of
    forgetting before the receiver comes back: the retry is the first event, unchanged."""
    config, auth = _service(tmp_path, workers=0)
    app = create_app(tiny_pipeline, config)
    store = app.state.service.store
    with served(app) as base:
        location = _submit(base, auth, receiver.url())
        assert httpx.delete(location, headers=auth, timeout=30).status_code == 200
        wait_for(lambda: _webhook(location, auth)["attempts"] >= 1, 15)  # refused: retrying
        job_id = location.rsplit("/", 1)[1]
        assert expire_now(store, config.results_dir, job_id, BY_OWNER)
        assert forget_expired_jobs(store, time.time() + 60) == 0  # its event is still to send
        receiver.come_up()
        assert wait_for(lambda: _webhook(location, auth)["state"] == "delivered", 15)
        delivered = httpx.get(f"{location}?limit=0", headers=auth).json()
        assert delivered["state"] == "expired"
    [event] = _events(receiver)
    assert event["data"]["state"] == "canceled" and event["data"]["counts"] == {"canceled": 1}
    assert event["data"]["items"] == [{"index": 0, "status": "canceled"}]
    assert forget_expired_jobs(store, time.time() + 60) == 1  # delivered: now it may go


@pytest.mark.slow  # 16 jobs through a real worker while a sweep and cancels race (~15 s)
def test_cancels_racing_a_sweep_send_one_ended_event_per_job(tmp_path, tiny_pipeline,
                                                             receiver):
    """Real threads: the worker finishes items, DELETEs (half with ?purge=true) cancel the
    jobs, and a sweep expires every ended job as soon as it can; each job's receiver gets
    exactly one event, with the state it ended in, never `expired`."""
    config, auth = _service(tmp_path, workers=1)
    receiver.come_up()
    app = create_app(tiny_pipeline, config)
    store, stop = app.state.service.store, threading.Event()

    def sweeping() -> None:
        while not stop.is_set():
            sweep(store, config.results_dir, 0.0)

    sweeper = threading.Thread(target=sweeping, daemon=True)
    with served(app) as base:
        locations = [_submit(base, auth, receiver.url(), photos=2) for _ in range(16)]
        sweeper.start()
        try:
            for n, location in enumerate(locations):
                purge = "?purge=true" if n % 2 else ""
                answer = httpx.delete(f"{location}{purge}", headers=auth, timeout=30)
                assert answer.status_code == 200, answer.text
            assert wait_for(lambda: all(_webhook(loc, auth)["state"] == "delivered"
                                        for loc in locations), 60)
            time.sleep(0.5)  # room for a second delivery, were one sent
        finally:
            stop.set()
            sweeper.join(timeout=30)
    events = _events(receiver)
    per_job = Counter(event["data"]["job_id"] for event in events)
    assert sorted(per_job) == sorted(loc.rsplit("/", 1)[1] for loc in locations)
    assert set(per_job.values()) == {1}, per_job
    states = Counter(event["data"]["state"] for event in events)
    assert set(states) <= ENDED_STATES, states
    for event in events:
        assert "expired" not in event["data"]["counts"], event
