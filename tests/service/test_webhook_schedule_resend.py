"""POST /v1/jobs/{job_id}/webhook over real HTTP: an ended job's event sent again, now.

Before, the route did not exist (405: only GET and DELETE on a job's paths): an event whose
delivery failed (a receiver down past the retries, or answering 410 while it was being moved)
was lost, and polling the job was the only way to learn it had ended."""

from __future__ import annotations

import json
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
from colorizer.apps.service.worker import Worker
from tests.service.test_openapi_conformance import conforms


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.come_up()
    yield server
    server.close()


class Archive:
    """A service whose items an external worker (`serve --worker-only`) runs: `work` runs
    one item here, so a job stays queued until the test says."""

    def __init__(self, tmp_path, pipeline) -> None:
        self.config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0,
                                    fetch=loopback_fetch_config(), max_pixels=1_000_000)
        store = JobStore(self.config.db_path)
        self.auth = {"Authorization": f"Bearer {store.create_key('archive')[1]}"}
        self.other = {"Authorization": f"Bearer {store.create_key('other')[1]}"}
        self.app = create_app(pipeline, self.config)
        self.base = ""

    def submit(self, webhook: dict | None) -> str:
        request = {"items": [{"upload": 0}], **({"webhook": webhook} if webhook else {})}
        answer = httpx.post(f"{self.base}/v1/jobs", headers=self.auth, timeout=30, data={
            "request": json.dumps(request)}, files=[("file", ("a.png", gray_png(), "image/png"))])
        assert answer.status_code == 202, answer.text
        return answer.json()["id"]

    def work(self) -> None:
        state = self.app.state.service
        worker = Worker(state.pipeline, state.store, self.config, state.fetcher,
                        webhooks=state.webhooks)
        assert worker.run_once()

    def resend(self, job_id: str, auth: dict | None = None) -> httpx.Response:
        return httpx.post(f"{self.base}/v1/jobs/{job_id}/webhook", headers=auth or self.auth,
                          timeout=30)

    def webhook(self, job_id: str) -> dict:
        return httpx.get(f"{self.base}/v1/jobs/{job_id}?limit=0", headers=self.auth,
                         timeout=30).json()["webhook"]


@pytest.fixture
def archive(tmp_path, tiny_pipeline) -> Iterator[Archive]:
    service = Archive(tmp_path, tiny_pipeline)
    with served(service.app) as base:
        service.base = base
        yield service


def test_a_delivered_event_is_sent_again_with_the_same_id(archive, receiver):
    secret = new_secret()
    job_id = archive.submit({"url": receiver.url(), "secret": secret})
    early = archive.resend(job_id)
    assert early.status_code == 409 and early.json()["reason"] == "job_not_ended", early.text
    archive.work()
    wait_for(lambda: archive.webhook(job_id)["state"] == "delivered", seconds=30)
    again = archive.resend(job_id)
    assert again.status_code == 202, again.text
    assert again.json() == {"url": receiver.url(), "state": "sending", "attempts": 0,
                            "detail": "sent again on request"}
    done = wait_for(lambda: (w := archive.webhook(job_id))["state"] == "delivered" and w,
                    seconds=30)
    assert done["attempts"] == 1, done
    (_, first, _), (_, headers, body) = receiver.posts
    assert headers["webhook-id"] == first["webhook-id"] == message_id(job_id)
    assert verify(secret, headers, body)
    doc = httpx.get(f"{archive.base}/openapi.json", timeout=30).json()
    for answer in (early, again):
        conforms(doc, "post", "/v1/jobs/{job_id}/webhook", answer)


def test_an_event_a_gone_receiver_refused_is_sent_once_it_is_back(archive, receiver):
    """410 is not retried: `failed`. Once the archive has fixed its receiver, it asks for the
    event again and gets it."""
    receiver.status = 410
    job_id = archive.submit({"url": receiver.url()})
    archive.work()
    failed = wait_for(lambda: (w := archive.webhook(job_id))["state"] == "failed" and w,
                      seconds=30)
    assert "410" in failed["detail"] and failed["attempts"] == 1, failed
    receiver.status = 200
    assert archive.resend(job_id).status_code == 202
    done = wait_for(lambda: (w := archive.webhook(job_id))["state"] == "delivered" and w,
                    seconds=30)
    assert done == {"url": receiver.url(), "state": "delivered", "detail": "delivered (200)",
                    "attempts": 1}
    assert [h["webhook-id"] for _, h, _ in receiver.posts] == [message_id(job_id)] * 2


def test_no_webhook_or_another_keys_job_is_404(archive, receiver):
    plain = archive.submit(None)
    archive.work()
    hooked = archive.submit({"url": receiver.url()})
    doc = httpx.get(f"{archive.base}/openapi.json", timeout=30).json()
    none = archive.resend(plain)
    assert none.status_code == 404 and none.json()["reason"] == "webhook_not_found", none.text
    foreign = archive.resend(hooked, archive.other)
    assert foreign.status_code == 404 and foreign.json()["reason"] == "job_not_found"
    missing = archive.resend("job_" + "0" * 32)
    assert missing.status_code == 404 and missing.json()["reason"] == "job_not_found"
    for answer in (none, foreign, missing):
        conforms(doc, "post", "/v1/jobs/{job_id}/webhook", answer)
    assert receiver.posts == []
    operation = doc["paths"]["/v1/jobs/{job_id}/webhook"]["post"]
    assert {"202", "404", "409"} <= set(operation["responses"])
