"""A canceled job's webhook, and what the job's view says of a delivery, over real HTTP.

Before: a job that ended by a cancel kept its webhook `pending` for ever (only the worker that
finished a job's last item claimed it, and a cancel finishes none), so the receiver never heard
of it; and the view's `webhook.detail` quoted the whole URL, user:password and token query
values included, which the log already redacted."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from service_helpers import fast_retry_service, gray_png
from threaded_serve import served, wait_for
from webhook_receiver import Receiver

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.webhooks import new_secret


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _service(tmp_path, workers: int) -> tuple[ServiceConfig, dict[str, str]]:
    return fast_retry_service(tmp_path, workers, retries=5)


def _submit(base: str, auth: dict[str, str], hook: str) -> str:
    request = {"items": [{"upload": 0}], "webhook": {"url": hook, "secret": new_secret()}}
    answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=30, files=[
        ("file", ("a.png", gray_png(), "image/png"))], data={"request": json.dumps(request)})
    assert answer.status_code == 202, answer.text
    return answer.headers["location"]


def _webhook(location: str, auth: dict[str, str]) -> dict:
    return httpx.get(f"{location}?limit=0", headers=auth, timeout=30).json()["webhook"]


def test_a_canceled_job_sends_its_completed_event_once(tmp_path, tiny_pipeline, receiver):
    config, auth = _service(tmp_path, workers=0)  # no worker: the item stays queued
    receiver.come_up()
    with served(create_app(tiny_pipeline, config)) as base:
        location = _submit(base, auth, receiver.url())
        assert _webhook(location, auth)["state"] == "pending"
        canceled = httpx.delete(location, headers=auth, timeout=30)
        assert canceled.status_code == 200, canceled.text
        assert wait_for(lambda: _webhook(location, auth)["state"] == "delivered", 15)
        event = json.loads(receiver.posts[0][2])
        assert event["type"] == "job.completed"
        assert event["data"]["state"] == "canceled"
        assert event["data"]["counts"] == {"canceled": 1}
        # A second DELETE ends nothing: the event is not sent again.
        assert httpx.delete(location, headers=auth, timeout=30).status_code == 200
        time.sleep(0.5)  # room for a second delivery, were one sent
        assert len(receiver.posts) == 1
        assert _webhook(location, auth)["attempts"] == 1


def test_the_views_webhook_detail_hides_credentials_and_tokens(tmp_path, tiny_pipeline,
                                                                receiver):
    config, auth = _service(tmp_path, workers=1)
    hook = receiver.url("/hook?token=s3cr3t-value&site=archive").replace(
        "http://", "http://hook-user:hunter2@")
    with served(create_app(tiny_pipeline, config)) as base:
        location = _submit(base, auth, hook)  # the receiver is down: the attempt fails
        webhook = wait_for(lambda: (w := _webhook(location, auth))["attempts"] >= 1 and w, 30)
    detail = webhook["detail"]
    assert "could not connect" in detail, detail
    assert "hunter2" not in detail and "hook-user" not in detail, detail
    assert "s3cr3t-value" not in detail, detail
    assert f"http://archive.test:{receiver.port}/hook?token=[redacted]&site=archive" in detail
    assert webhook["url"] == hook  # the key's own setting, as it gave it
