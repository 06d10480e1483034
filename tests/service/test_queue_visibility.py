"""A department sees its key's share of the queue before it is refused, and nobody else sees it.

Before, /readyz said only the whole queue's depth and cap: a client of a key at its share (or
a load balancer) learnt it only from POST /v1/jobs answering 429 `key_share_full`, and no
endpoint said how much room a key had left. Now /readyz (open to anyone) adds figures that name
no key (each key's cap, how many keys hold all of it, the queue's room), GET /v1/queue shows a
key its own held items, cap and room, and /metrics (the operator's) shows the items per key.
Played over real HTTP against `chronochrome serve` in a subprocess."""

from __future__ import annotations

import httpx
import pytest
from serve_process import free_port, new_key, start_serve
from service_helpers import gray_png


def _files(count: int) -> list:
    return [("file", (f"{n}.png", gray_png(seed=n), "image/png")) for n in range(count)]


@pytest.mark.slow  # a real `serve` loads its model: ~20 s on 2 cores
def test_a_key_sees_its_share_and_readyz_names_no_key(tmp_path, tiny_weights):
    data, port, log = tmp_path / "svc", free_port(), tmp_path / "serve.log"
    key_a, key_b = new_key(data, "department-a"), new_key(data, "department-b")
    id_a = key_a.split("_")[1]  # cc_<key id>_<secret>
    # No in-process worker: what was posted stays queued, as behind a busy worker.
    server = start_serve(data, tiny_weights, port, log, "--workers", "0", "--queue-cap", "6",
                         "--per-key-queue-cap", "4")
    base = f"http://127.0.0.1:{port}"

    def get(path: str, key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.get(f"{base}{path}", headers=headers, timeout=30)

    def post(key: str, count: int) -> httpx.Response:
        return httpx.post(f"{base}/v1/jobs", files=_files(count), timeout=60,
                          headers={"Authorization": f"Bearer {key}"})

    try:
        fresh = get("/v1/queue", key_a)
        assert fresh.status_code == 200, fresh.text
        assert fresh.json() == {"queued": 0, "running": 0, "held": 0, "cap": 4,
                                "queue_depth": 0, "queue_cap": 6, "room": 4,
                                "limited_by": None, "max_job_items": 4}
        assert fresh.headers["cache-control"] == "no-store"
        assert "retry-after" not in fresh.headers
        assert post(key_a, 4).status_code == 202

        ready = get("/readyz")
        assert ready.status_code == 200  # a key at its share: the others still get in
        body = ready.json()
        assert (body["status"], body["queue_depth"], body["queue_cap"], body["queue_room"],
                body["key_queue_cap"], body["keys_at_share_cap"]) == ("ready", 4, 6, 2, 4, 1)
        for private in (id_a, "department-a", key_a):  # open to anyone: no key named
            assert private not in ready.text

        mine = get("/v1/queue", key_a)
        assert mine.json()["held"] == 4 and mine.json()["room"] == 0
        assert mine.json()["limited_by"] == "key_share_full"
        assert int(mine.headers["retry-after"]) > 0
        # What it foretold: the next POST is refused for the key's share.
        assert post(key_a, 1).json()["reason"] == "key_share_full"
        other = get("/v1/queue", key_b).json()  # B sees the queue, not A's items
        assert (other["held"], other["room"], other["limited_by"]) == (0, 2, None)

        assert post(key_b, 2).status_code == 202  # now the whole queue is full
        full = get("/v1/queue", key_b).json()
        assert (full["held"], full["queue_depth"], full["room"], full["limited_by"]) == (
            2, 6, 0, "queue_full")
        assert post(key_b, 1).json()["reason"] == "queue_full"
        assert get("/readyz").json()["queue_room"] == 0

        assert get("/v1/queue").status_code == 401  # a key's figures need the key
        assert get("/v1/queue", "cc_knotakey_x").status_code == 401
        metrics = get("/metrics").text  # the operator's (loopback, no token configured)
        assert f'chronochrome_key_queue_depth{{key_id="{id_a}"}} 4' in metrics
        assert "chronochrome_key_queue_cap 4" in metrics
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_queue_figures_over_http_in_process(tmp_path, tiny_pipeline):
    """The same rules without a subprocess (runs in `make test`): the app served by uvicorn."""
    from threaded_serve import served

    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig

    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0, queue_cap=10,
                           per_key_queue_cap=3, metrics_token="operator-token-0123456789")
    app = create_app(tiny_pipeline, config)
    id_a, key_a = app.state.service.store.create_key("department-a")
    _, key_b = app.state.service.store.create_key("department-b")
    with served(app) as base:
        def mine(key: str) -> dict:
            return httpx.get(f"{base}/v1/queue", timeout=30,
                             headers={"Authorization": f"Bearer {key}"}).json()

        assert httpx.post(f"{base}/v1/jobs", files=_files(3), timeout=60, headers={
            "Authorization": f"Bearer {key_a}"}).status_code == 202
        ready = httpx.get(f"{base}/readyz", timeout=30)
        assert {k: ready.json()[k] for k in ("queue_depth", "queue_room", "key_queue_cap",
                                             "keys_at_share_cap")} == {
            "queue_depth": 3, "queue_room": 7, "key_queue_cap": 3, "keys_at_share_cap": 1}
        assert id_a not in ready.text and "department" not in ready.text
        assert (mine(key_a)["room"], mine(key_a)["limited_by"]) == (0, "key_share_full")
        assert (mine(key_b)["held"], mine(key_b)["room"]) == (0, 3)
        # Per-key figures for the operator only: /metrics wants its token, not a key.
        assert httpx.get(f"{base}/metrics", headers={
            "Authorization": f"Bearer {key_b}"}).status_code == 401
        metrics = httpx.get(f"{base}/metrics", headers={
            "Authorization": "Bearer operator-token-0123456789"}).text
        assert f'chronochrome_key_queue_depth{{key_id="{id_a}"}} 3' in metrics
