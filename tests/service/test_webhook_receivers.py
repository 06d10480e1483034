"""An archive's webhook receivers, real HTTP servers on 127.0.0.1, as the README tells one to
write them, against the service's real sender.

Before: a receiver answering a redirect or 410 was POSTed 3 times and the operator's log said
nothing of the failure; a stop (SIGTERM) while a delivery was under way or waiting to retry
ended the process with the job's webhook `sending` for good, and no later start sent it; a
delivery sent again by another process carried a new `webhook-id`, so a receiver could not tell
it from a new event."""

from __future__ import annotations

import json
import logging
import re
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_process import free_port, new_key, start_serve
from service_helpers import gray_png
from threaded_serve import wait_for
from webhook_receiver import StallingReceiver

from colorizer.apps.service.store import NewItem
from colorizer.apps.service.webhook_config import WebhookConfig
from colorizer.apps.service.webhook_sender import WebhookSender
from colorizer.apps.service.webhooks import new_secret

REPO = Path(__file__).resolve().parents[2]


def readme_verifier() -> Any:
    """The README's Python receiver recipe (`verified(secret, headers, body)`), run as given."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```python\n(import base64.*?def verified\(.*?)```", text, re.DOTALL)
    assert found, "README.md has no Python webhook verification recipe"
    namespace: dict[str, Any] = {}
    exec(found.group(1), namespace)  # noqa: S102 - the documented recipe itself
    return namespace["verified"]


@pytest.fixture
def receiver() -> Iterator[StallingReceiver]:
    server = StallingReceiver(hangs=1, hold=20)
    yield server
    server.close()


@pytest.mark.parametrize(("status", "says"), [(307, "redirect"), (301, "redirect"),
                                              (410, "410")])
def test_a_receiver_answering_redirect_or_gone_is_posted_once_and_logged(
        service, http_server, caplog, status, says):
    """No retry changes a redirect (never followed) or 410: one POST, the job's view says why,
    and the log has one warning naming the job, the URL's token redacted."""
    hook = "/hook?token=s3cr3t"
    http_server.routes[hook] = (status, {"Location": "http://archive.test:PORT/elsewhere"}, b"")
    http_server.routes["/a.png"] = (200, {"Content-Type": "image/png"}, gray_png())
    body = {"items": [{"url": http_server.url("/a.png")}],
            "webhook": {"url": http_server.url(hook), "secret": new_secret()}}
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   json=body).headers["location"]
    with caplog.at_level(logging.WARNING, logger="chronochrome.service.webhooks"):
        service.drain()
    assert [r[1] for r in http_server.requests if r[0] == "POST"] == [hook]
    job = service.client.get(location, headers=service.headers()).json()
    assert job["webhook"]["state"] == "failed" and says in job["webhook"]["detail"], job
    warnings = [r.getMessage() for r in caplog.records if r.name.endswith("webhooks")]
    assert len(warnings) == 1 and job["id"] in warnings[0], warnings
    assert "token=[redacted]" in warnings[0] and "s3cr3t" not in warnings[0]


def test_a_stop_after_a_failed_attempt_leaves_the_webhook_stored_for_the_next_start(service):
    """A receiver that is down: the failed attempt is stored as `retrying` with the time of
    the next (no thread waits for it), so a stop ends at once with nothing left unsent, and
    the state is not `failed`: the next start sends it when due (test_webhook_schedule)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        down = f"http://archive.test:{sock.getsockname()[1]}/hook"
    store = service.store
    job_id, _ = store.create_job("k", [NewItem({"kind": "upload", "name": "a"}, upload=b"x")],
                                 fmt="png", webhook_url=down, webhook_secret=new_secret())
    sender = WebhookSender(store, service.app.state.service.fetcher,
                           settings=WebhookConfig(retry_seconds=(30.0,)))
    sender.submit(job_id)
    assert sender.wait(timeout=10)  # the first attempt is refused at once
    started = time.monotonic()
    assert sender.close(grace=2.0) is True
    assert time.monotonic() - started < 1.5
    job = store.job("k", job_id)
    assert job["webhook_state"] == "retrying" and job["webhook_attempts"] == 1
    assert time.time() + 25 < job["webhook_next_at"] < time.time() + 31


@pytest.mark.slow
def test_sigterm_mid_delivery_then_a_restart_delivers_it_with_the_same_id(
        tmp_path, tiny_weights, receiver):
    """`chronochrome serve` stopped by SIGTERM while the receiver stalls on the job's webhook;
    started again, it sends the webhook, with the same `webhook-id`, and the README's recipe
    verifies it."""
    data_dir, port = tmp_path / "svc", free_port()
    config = tmp_path / "service.json"
    config.write_text(json.dumps({"fetch": {"trusted_hosts": ["127.0.0.1"],
                                            "total_timeout": 3}}))
    auth = {"Authorization": f"Bearer {new_key(data_dir, 'archive')}"}
    log = tmp_path / "serve.log"
    server = start_serve(data_dir, tiny_weights, port, log, "--config", str(config))
    try:
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/jobs", headers=auth, timeout=30,
                            json={"items": [{"url": f"{receiver.base}/a.png"}],
                                  "webhook": {"url": f"{receiver.base}/hook"}})
        assert answer.status_code == 202, answer.text
        secret, location = answer.json()["webhook"]["secret"], answer.headers["location"]
        wait_for(lambda: receiver.posts, seconds=60)  # the first attempt, left unanswered
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) is not None
        server = start_serve(data_dir, tiny_weights, port, log, "--config", str(config),
                             append=True)
        wait_for(lambda: len(receiver.posts) >= 2, seconds=20)
        job = wait_for(lambda: (j := httpx.get(location, headers=auth).json())["webhook"][
            "state"] == "delivered" and j, seconds=20)
    finally:
        server.kill()
        server.wait()
    (first_headers, _), (headers, body) = receiver.posts[0], receiver.posts[1]
    assert headers["webhook-id"] == first_headers["webhook-id"]
    assert readme_verifier()(secret, headers, body)
    assert not readme_verifier()(new_secret(), headers, body)
    event = json.loads(body)
    assert event["type"] == "job.completed" and event["data"]["job_id"] == job["id"]
    assert "webhook(s) to send" in log.read_text()
