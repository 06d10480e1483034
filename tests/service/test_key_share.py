"""Each API key may hold only its share of the queue (`key_share`): one department posting two
big jobs no longer makes every other department's POST /v1/jobs answer 429.

Before, with `queue_cap` 10, key A's two 5-item jobs were both 202 and key B's one photo was
429 `queue_full` until A's items drained. Now A's second job is 429 `key_share_full` (its share
is half the cap), B's photo is 202, and the whole queue is still capped at `queue_cap`."""

from __future__ import annotations

import httpx
import pytest
from serve_process import free_port, new_key, start_serve
from service_helpers import gray_png, make_service

from colorizer.apps.service.config import ServiceConfig


def _files(count: int) -> list:
    return [("file", (f"{n}.png", gray_png(seed=n), "image/png")) for n in range(count)]


def _refused(response, reason: str) -> dict:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["reason"] == reason and body["type"].endswith(reason)
    return body


@pytest.mark.slow
def test_a_key_over_its_share_is_refused_and_another_key_still_gets_in(tmp_path,
                                                                       tiny_pipeline):
    for svc in make_service(tmp_path, tiny_pipeline, queue_cap=10):  # share: 5 (default)
        post = svc.client.post
        assert post("/v1/jobs", headers=svc.headers(), files=_files(5)).status_code == 202
        body = _refused(post("/v1/jobs", headers=svc.headers(), files=_files(5)),
                        "key_share_full")
        assert body["queue_depth"] == 5  # the key's own items, the count its limit is over
        assert "share of the queue is 5 (of 10 for all keys)" in body["detail"]
        # B's one photo was 429 queue_full before: A held the whole queue.
        assert post("/v1/jobs", headers=svc.headers(svc.key_b),
                    files=_files(1)).status_code == 202
        assert svc.drain() == 6  # A's share comes back once its items finish
        assert post("/v1/jobs", headers=svc.headers(), files=_files(5)).status_code == 202
        metrics = svc.client.get("/metrics", headers=svc.headers()).text
        assert 'chronochrome_rejects_total{reason="key_share_full"} 1' in metrics


def test_the_whole_queue_is_still_capped_and_says_so(tmp_path, tiny_pipeline):
    for svc in make_service(tmp_path, tiny_pipeline, queue_cap=4, per_key_queue_cap=3):
        _, key_c = svc.store.create_key("archive-c")
        post = svc.client.post
        assert post("/v1/jobs", headers=svc.headers(), files=_files(3)).status_code == 202
        _refused(post("/v1/jobs", headers=svc.headers(), files=_files(1)), "key_share_full")
        assert post("/v1/jobs", headers=svc.headers(svc.key_b),
                    files=_files(1)).status_code == 202
        # C holds nothing, but the queue is at its cap of 4: the whole queue's limit.
        body = _refused(post("/v1/jobs", headers=svc.headers(key_c), files=_files(1)),
                        "queue_full")
        assert body["queue_depth"] == 4 and "cap is 4" in body["detail"]


def test_a_job_bigger_than_the_share_is_413_split_it_not_a_429_that_never_clears(
        tmp_path, tiny_pipeline):
    for svc in make_service(tmp_path, tiny_pipeline, queue_cap=10):  # share 5, 500 per job
        answer = svc.client.post("/v1/jobs", headers=svc.headers(), files=_files(6))
        assert answer.status_code == 413, answer.text  # it could never fit: no Retry-After
        assert answer.json()["reason"] == "too_many_items"
        assert "more than 5 items; split it" in answer.json()["detail"]
        urls = {"items": [{"url": f"https://example.org/{n}.jpg"} for n in range(6)]}
        assert svc.client.post("/v1/jobs", headers=svc.headers(),
                               json=urls).status_code == 413  # checked before any fetch


def test_a_share_equal_to_the_cap_lets_one_key_fill_the_queue(tmp_path, tiny_pipeline):
    for svc in make_service(tmp_path, tiny_pipeline, queue_cap=4, per_key_queue_cap=4):
        assert svc.client.post("/v1/jobs", headers=svc.headers(),
                               files=_files(4)).status_code == 202
        _refused(svc.client.post("/v1/jobs", headers=svc.headers(svc.key_b), files=_files(1)),
                 "queue_full")


def test_the_default_share_is_half_the_cap_rounded_up(tmp_path):
    assert [ServiceConfig(data_dir=tmp_path, queue_cap=cap).key_queue_cap
            for cap in (1, 2, 7, 1000)] == [1, 1, 4, 500]
    assert ServiceConfig(data_dir=tmp_path, queue_cap=10, per_key_queue_cap=7).key_queue_cap == 7


@pytest.mark.parametrize("share", [-1, 11])
def test_a_share_outside_0_to_the_cap_is_refused_with_the_range(tmp_path, share):
    with pytest.raises(ValueError, match=r"per_key_queue_cap must be 0 \(half of queue_cap\) "
                                         rf"up to queue_cap \(10\), got {share}"):
        ServiceConfig(data_dir=tmp_path, queue_cap=10, per_key_queue_cap=share)


@pytest.mark.slow
def test_serve_flag_sets_the_share_over_real_http(tmp_path, tiny_weights):
    data, port, log = tmp_path / "svc", free_port(), tmp_path / "serve.log"
    key_a, key_b = new_key(data, "department-a"), new_key(data, "department-b")
    # No in-process worker: the queue holds what was posted, as behind a slow worker.
    server = start_serve(data, tiny_weights, port, log, "--workers", "0", "--queue-cap", "6",
                         "--per-key-queue-cap", "4")
    base = f"http://127.0.0.1:{port}"
    try:
        def post(key: str, count: int) -> httpx.Response:
            return httpx.post(f"{base}/v1/jobs", files=_files(count), timeout=60,
                              headers={"Authorization": f"Bearer {key}"})

        assert post(key_a, 3).status_code == 202
        body = _refused(post(key_a, 2), "key_share_full")
        assert "share of the queue is 4 (of 6 for all keys)" in body["detail"]
        assert post(key_b, 2).status_code == 202
        _refused(post(key_b, 2), "queue_full")  # B is within its share; the queue is not
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_store_checks_the_share_in_the_transaction_that_creates_the_job(tmp_path):
    # The HTTP check runs before the body is decoded; two requests of one key can both pass
    # it, so the transaction that inserts the items checks again.
    from colorizer.apps.service.key_share import KeyShareFullError
    from colorizer.apps.service.store import JobStore, NewItem
    from colorizer.apps.service.store_errors import QueueFullError

    store = JobStore(tmp_path / "jobs.sqlite3", queue_cap=10)
    items = [NewItem(source={"kind": "url", "url": f"https://archive.test/{n}.jpg"})
             for n in range(3)]
    store.create_job("k-a", items, fmt="png", key_queue_cap=5)
    with pytest.raises(KeyShareFullError, match="holds 3 queued or running items and its "
                                                "share of the queue is 5") as refused:
        store.create_job("k-a", items, fmt="png", key_queue_cap=5)
    assert isinstance(refused.value, QueueFullError)  # answered 429 with Retry-After
    assert store.create_job("k-b", items, fmt="png", key_queue_cap=5)[1]
    assert store.queue_depth() == 6
