"""A webhook receiver that is down for a while (a deploy, a night of maintenance), against the
real service over HTTP (uvicorn on 127.0.0.1, its own workers and delivery threads).

Before: a delivery was 3 POSTs 0.5 s and 1 s apart, so a receiver down for 2 seconds lost the
event for good (`failed`), a restart kept no schedule, and a stalled receiver held a delivery
thread for the image fetcher's 30 s on every attempt. Now the next attempt's time is stored
(`retrying`, `next_attempt_at`), on Standard Webhooks' schedule by default (5 s, 5 min, 30 min,
2 h, 5 h, 10 h, 10 h), a reopened data folder keeps it, and one attempt takes at most
`webhooks.timeout`. Schedules of tenths of seconds keep the tests short."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from service_helpers import gray_png, loopback_fetch_config
from threaded_serve import served, wait_for
from webhook_receiver import Receiver

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.webhooks import message_id, new_secret, verify


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _config(tmp_path, **webhooks) -> ServiceConfig:
    """A one-worker service; `webhooks`: its webhook settings, as `--config` gives them."""
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=1, max_pixels=1_000_000,
                           fetch=loopback_fetch_config())
    if not webhooks:
        return config
    return config.with_changes(webhooks=ServiceConfig.from_dict({"webhooks": webhooks}
                                                                ).webhooks)


def _key(config: ServiceConfig) -> dict[str, str]:
    _, secret = JobStore(config.db_path).create_key("archive")
    return {"Authorization": f"Bearer {secret}"}


def _submit(base: str, auth: dict[str, str], hook: str, secret: str) -> str:
    answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=30, files=[
        ("file", ("a.png", gray_png(), "image/png"))], data={
        "request": f'{{"items": [{{"upload": 0}}], "webhook": {{"url": "{hook}", '
                   f'"secret": "{secret}"}}}}'})
    assert answer.status_code == 202, answer.text
    return answer.headers["location"]


def _webhook(location: str, auth: dict[str, str]) -> dict:
    return httpx.get(f"{location}?limit=0", headers=auth, timeout=30).json()["webhook"]


def test_a_receiver_down_for_seconds_gets_the_event_once_it_is_back(
        tmp_path, tiny_pipeline, receiver):
    config = _config(tmp_path, retry_seconds=[0.3] * 30)
    auth, secret = _key(config), new_secret()
    with served(create_app(tiny_pipeline, config)) as base:
        location = _submit(base, auth, receiver.url(), secret)
        down = wait_for(lambda: (w := _webhook(location, auth))["attempts"] >= 3
                        and w["state"] == "retrying" and w, seconds=60)
        assert "could not connect" in down["detail"], down
        assert time.time() - 1 < down["next_attempt_at"] < time.time() + 1.5, down
        receiver.come_up()
        done = wait_for(lambda: (w := _webhook(location, auth))["state"] == "delivered" and w,
                        seconds=30)
    assert done["detail"] == "delivered (204)" and done["attempts"] >= 4, done
    assert "next_attempt_at" not in done
    (_, headers, body), = receiver.posts  # one delivery: none before it was up, none after
    job_id = location.rsplit("/", 1)[-1]
    assert headers["webhook-id"] == message_id(job_id) and verify(secret, headers, body)


def test_by_default_the_next_attempt_is_due_5_seconds_later_and_stored(
        tmp_path, tiny_pipeline, receiver):
    """Standard Webhooks' schedule: the old 3 attempts within 1.5 s ended `failed`."""
    config = _config(tmp_path)
    auth = _key(config)
    with served(create_app(tiny_pipeline, config)) as base:
        location = _submit(base, auth, receiver.url(), new_secret())
        first = wait_for(lambda: (w := _webhook(location, auth))["state"] not in (
            "pending", "sending") and w, seconds=60)
        ended = time.time()
        time.sleep(2)  # the old sender's whole delivery
        later = _webhook(location, auth)
    assert first["state"] == "retrying" and first["attempts"] == 1, first
    assert ended + 3 < first["next_attempt_at"] < ended + 5.5, (first, ended)
    assert later == first  # nothing tried meanwhile: the wait is stored, not slept
    assert config.webhooks.retry_seconds == (5, 300, 1800, 7200, 18000, 36000, 36000)


def test_a_restart_between_attempts_keeps_the_schedule(tmp_path, tiny_pipeline, receiver):
    """The service stops while the receiver is down; the receiver comes up meanwhile; the
    service started again on the same data folder sends the event when it is due, not
    before, and once."""
    config = _config(tmp_path, retry_seconds=[4, 0.3])  # 4 s: longer than a restart
    auth = _key(config)
    with served(create_app(tiny_pipeline, config)) as base:
        location = _submit(base, auth, receiver.url(), new_secret())
        stored = wait_for(lambda: (w := _webhook(location, auth))["state"] == "retrying" and w,
                          seconds=60)
    receiver.come_up()  # stopped: nothing sends it now
    time.sleep(0.3)
    assert receiver.posts == []
    with served(create_app(tiny_pipeline, config)) as again:  # the store reopened
        location = location.replace(base, again)  # (another port)
        assert _webhook(location, auth) == stored
        done = wait_for(lambda: (w := _webhook(location, auth))["state"] == "delivered" and w,
                        seconds=30)
    assert done["attempts"] == 2, done
    (sent_at, _, _), = receiver.posts
    assert sent_at >= stored["next_attempt_at"] - 0.05, (sent_at, stored)


def test_a_stalled_receiver_holds_a_delivery_thread_only_webhooks_timeout(
        tmp_path, tiny_pipeline, receiver):
    """A receiver that accepts the connection and never answers: the attempt ends after
    webhooks.timeout (0.5 s here), not the image fetcher's total_timeout (10 s here)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
    config = _config(tmp_path, retry_seconds=[60], timeout=0.5)
    auth = _key(config)
    try:
        with served(create_app(tiny_pipeline, config)) as base:
            location = _submit(base, auth, f"http://archive.test:{silent.getsockname()[1]}/h",
                               new_secret())
            begun = wait_for(lambda: held, seconds=60) and time.monotonic()
            first = wait_for(lambda: (w := _webhook(location, auth))["state"] == "retrying"
                             and w, seconds=15)
            took = time.monotonic() - begun
    finally:
        silent.close()
        for conn in held:
            conn.close()
    assert took < 3, took
    assert "no answer within 0.5 s" in first["detail"], first
    assert "webhooks.timeout" in first["detail"], first


def test_the_schedule_is_a_setting_checked_with_a_message():
    assert ServiceConfig.from_dict({"webhooks": {"retry_seconds": [0.1, 0.2]}}
                                   ).webhooks.attempts == 3
    with pytest.raises(ValueError, match=r"webhooks.retry_seconds must be a list of numbers"):
        ServiceConfig.from_dict({"webhooks": {"retry_seconds": ["5m"]}})
    with pytest.raises(ValueError, match=r"webhooks.retry_seconds must be finite waits"):
        ServiceConfig.from_dict({"webhooks": {"retry_seconds": [-1]}})
    with pytest.raises(ValueError, match=r"unknown WebhookConfig keys \['retries'\]"):
        ServiceConfig.from_dict({"webhooks": {"retries": 3}})


def test_a_data_folder_of_the_version_before_opens_and_its_webhooks_keep_working(
        tmp_path, tiny_pipeline, receiver):
    """A database of version 2 (no webhook_attempts, webhook_next_at): the start adds them;
    a delivered job reads 0 attempts, and sent again it is delivered."""
    receiver.come_up()
    config = _config(tmp_path)
    auth = _key(config)
    with served(create_app(tiny_pipeline, config)) as base:
        location = _submit(base, auth, receiver.url(), new_secret())
        wait_for(lambda: _webhook(location, auth)["state"] == "delivered", seconds=60)
    db = sqlite3.connect(config.db_path)  # as the version before left it
    db.executescript("DROP INDEX jobs_due; ALTER TABLE jobs DROP COLUMN webhook_attempts; "
                     "ALTER TABLE jobs DROP COLUMN webhook_next_at; PRAGMA user_version = 2;")
    db.close()
    with served(create_app(tiny_pipeline, config)) as again:
        location = location.replace(base, again)
        assert _webhook(location, auth) == {"url": receiver.url(), "state": "delivered",
                                            "detail": "delivered (204)", "attempts": 0}
        assert httpx.post(f"{location}/webhook", headers=auth, timeout=30).status_code == 202
        wait_for(lambda: len(receiver.posts) == 2, seconds=30)
    with sqlite3.connect(config.db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
