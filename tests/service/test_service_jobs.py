"""Jobs: lifecycle, idempotency, cancel, downloads with provenance, webhooks, exactly-once."""

from __future__ import annotations

import io
import json

from PIL import Image
from service_helpers import gray_png

from colorizer.apps.service.store import NewItem
from colorizer.apps.service.webhooks import new_secret, verify
from colorizer.pipeline.provenance import DIGITAL_SOURCE_TYPE


def _submit(service, n=2, key=None, headers=None, seed=0, **data):
    files = [("file", (f"p{i}.png", gray_png(seed=seed + i), "image/png")) for i in range(n)]
    return service.client.post("/v1/jobs", headers={**service.headers(key), **(headers or {})},
                               files=files, data=data)


def test_job_lifecycle_with_per_item_hints_and_downloads(service):
    response = _submit(service, 2, hint=["Kazan 1950s", "Detroit 1915"], format="webp")
    assert response.status_code == 202
    location = response.headers["location"]
    queued = response.json()
    assert queued["state"] == "queued" and queued["counts"] == {"queued": 2}
    assert [i["hint"] for i in queued["items"]] == ["Kazan 1950s", "Detroit 1915"]
    assert service.drain() == 2
    job = service.client.get(location, headers=service.headers()).json()
    assert job["state"] == "succeeded" and job["counts"] == {"done": 2}
    for item in job["items"]:
        result = service.client.get(item["result_url"], headers=service.headers())
        assert result.status_code == 200 and result.headers["content-type"] == "image/webp"
        image = Image.open(io.BytesIO(result.content))
        assert image.format == "WEBP" and image.size == (48, 32)
        xmp = image.info["xmp"].decode()
        assert DIGITAL_SOURCE_TYPE in xmp and item["hint"] in xmp
        record = service.client.get(item["provenance_url"], headers=service.headers()).json()
        assert record["prompt"]["hint"] == item["hint"]
        assert record["output"]["sha256"] == item["result_sha256"]
        assert record["source"]["sha256"] and record["model"]["version"] == "test"


def test_result_before_it_is_done_is_409(service):
    location = _submit(service, 1).headers["location"]
    response = service.client.get(f"{location}/items/0/result", headers=service.headers())
    assert response.status_code == 409 and response.json()["reason"] == "not_done"


def test_idempotency_key_same_body_same_job_other_body_422(service):
    first = _submit(service, 2, headers={"Idempotency-Key": "batch-7"}, hint="Kazan")
    again = _submit(service, 2, headers={"Idempotency-Key": "batch-7"}, hint="Kazan")
    assert first.status_code == again.status_code == 202
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert service.store.queue_depth() == 2  # queued once
    other = _submit(service, 2, headers={"Idempotency-Key": "batch-7"}, hint="Riga")
    assert other.status_code == 422 and other.json()["reason"] == "idempotency_key_reused"
    # The same idempotency key under another API key is another job.
    theirs = _submit(service, 2, key=service.key_b, headers={"Idempotency-Key": "batch-7"},
                     hint="Kazan")
    assert theirs.status_code == 202 and theirs.headers["location"] != first.headers["location"]


def test_an_idempotency_key_whose_job_expired_starts_a_fresh_job(service):
    # Before: the replay answered 202 "replayed" with the expired job, which never runs again
    # and whose files answer 410; and another body under that key was refused for good.
    from colorizer.apps.service.retention import sweep

    first = _submit(service, 1, headers={"Idempotency-Key": "batch-7"}, hint="Kazan")
    assert service.drain() == 1
    service.store.connection().execute("UPDATE items SET finished = finished - 40 * 86400")
    assert len(sweep(service.store, service.config.results_dir, 30 * 86400.0).jobs) == 1
    again = _submit(service, 1, headers={"Idempotency-Key": "batch-7"}, hint="Kazan")
    assert again.status_code == 202 and "idempotent-replayed" not in again.headers
    assert again.headers["location"] != first.headers["location"]
    assert again.json()["state"] == "queued" and service.drain() == 1
    fresh = service.client.get(again.headers["location"], headers=service.headers()).json()
    assert fresh["state"] == "succeeded"
    old = service.client.get(first.headers["location"], headers=service.headers()).json()
    assert old["state"] == "expired"  # the old job keeps its record
    # The key now belongs to the fresh job: replayed while it lives, another body refused.
    replay = _submit(service, 1, headers={"Idempotency-Key": "batch-7"}, hint="Kazan")
    assert replay.headers["location"] == again.headers["location"]
    assert replay.headers["idempotent-replayed"] == "true"
    other = _submit(service, 1, headers={"Idempotency-Key": "batch-7"}, hint="Riga")
    assert other.status_code == 422 and other.json()["reason"] == "idempotency_key_reused"


def test_cancel_stops_queued_items(service):
    location = _submit(service, 3).headers["location"]
    response = service.client.delete(location, headers=service.headers())
    assert response.status_code == 200 and response.json()["state"] == "canceled"
    assert service.drain() == 0 and service.store.queue_depth() == 0
    items = service.client.get(location, headers=service.headers()).json()["items"]
    assert {i["status"] for i in items} == {"canceled"}
    # A canceled item's result is gone for good (410), not "poll until done" forever (409).
    result = service.client.get(f"{location}/items/0/result", headers=service.headers())
    assert result.status_code == 410 and result.json()["reason"] == "item_canceled"


def test_cancel_of_a_finished_job_keeps_its_state_and_results(service):
    # Nothing is left to cancel: the job stays "succeeded" and its results stay downloadable
    # (a DELETE made it read "canceled", and its manifest answered 410 job_canceled).
    location = _submit(service, 2).headers["location"]
    assert service.drain() == 2
    response = service.client.delete(location, headers=service.headers())
    assert response.status_code == 200 and response.json()["state"] == "succeeded"
    assert response.json()["counts"] == {"done": 2}
    manifest = service.client.get(f"{location}/manifest", headers=service.headers())
    result = service.client.get(f"{location}/items/1/result", headers=service.headers())
    assert manifest.status_code == 200 and result.status_code == 200


def test_json_job_with_url_items_fetched_from_the_test_server(service, http_server):
    http_server.routes["/photo.png"] = (200, {"Content-Type": "image/png"}, gray_png(40, 30))
    http_server.routes["/gone.png"] = (404, {}, b"no")
    body = {"items": [{"url": http_server.url("/photo.png"), "hint": "Riga 1930",
                       "caption": "Market day"},
                      {"url": http_server.url("/gone.png")}]}
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   json=body).headers["location"]
    assert service.drain() == 2
    job = service.client.get(location, headers=service.headers()).json()
    assert job["state"] == "completed_with_errors"
    done, failed = job["items"]
    assert done["status"] == "done" and done["caption"] == "Market day"
    assert failed["error"]["reason"] == "upstream_status" and failed["error"]["status"] == 422


def test_signed_webhook_is_delivered_when_the_job_ends(service, http_server):
    http_server.routes["/hook"] = (204, {}, b"")
    secret = new_secret()
    body = {"items": [{"url": http_server.url("/photo.png")}],
            "webhook": {"url": http_server.url("/hook"), "secret": secret}}
    http_server.routes["/photo.png"] = (200, {"Content-Type": "image/png"}, gray_png())
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   json=body).headers["location"]
    service.drain()
    hooks = [r for r in http_server.requests if r[1] == "/hook"]
    assert len(hooks) == 1
    _, _, headers, payload = hooks[0]
    headers = {k.lower(): v for k, v in headers.items()}
    assert verify(secret, headers, payload)
    assert not verify(new_secret(), headers, payload)
    event = json.loads(payload)
    assert event["type"] == "job.completed" and event["data"]["state"] == "succeeded"
    assert location.endswith(event["data"]["job_id"])
    job = service.client.get(location, headers=service.headers()).json()
    assert job["webhook"]["state"] == "delivered"


def test_generated_webhook_secret_is_returned_once(service, http_server):
    body = {"items": [{"url": http_server.url("/x.png")}],
            "webhook": {"url": http_server.url("/hook")}}
    created = service.client.post("/v1/jobs", headers=service.headers(), json=body).json()
    assert created["webhook"]["secret"].startswith("whsec_")
    again = service.client.get(created["links"]["self"], headers=service.headers()).json()
    assert "secret" not in again["webhook"]


def test_an_item_completes_once_even_if_two_workers_process_it(service):
    store = service.store
    job_id, _ = store.create_job("k", [NewItem({"kind": "upload", "name": "a"}, upload=b"x")],
                                 fmt="png")
    first = store.lease("worker-1", lease_seconds=-1)  # expires at once: as if worker-1 died
    second = store.lease("worker-2", lease_seconds=60)
    assert first.item_id == second.item_id and second.attempts == 2
    outcome = {"result_file": "r.png", "result_sha256": "0", "provenance_file": "r.json"}
    assert store.complete(second, "worker-2", outcome) == (True, False)
    assert store.complete(first, "worker-1", outcome) == (False, False)  # too late: no effect
    item = store.job("k", job_id)["items"][0]
    assert item["status"] == "done" and item["completions"] == 1


def test_an_item_that_keeps_killing_workers_is_failed(service):
    store = service.store
    job_id, _ = store.create_job("k", [NewItem({"kind": "upload", "name": "a"}, upload=b"x")],
                                 fmt="png")
    for n in range(store.max_attempts):
        assert store.lease(f"w{n}", lease_seconds=-1) is not None
    assert store.lease("w-last", lease_seconds=60) is None
    item = store.job("k", job_id)["items"][0]
    assert item["status"] == "failed" and item["error_reason"] == "worker_crashed"


def test_in_process_worker_thread_finishes_jobs(tmp_path, tiny_pipeline):
    import time

    from service_helpers import make_service

    for svc in make_service(tmp_path, tiny_pipeline, worker_threads=1):
        location = _submit(svc, 2).headers["location"]
        deadline = time.time() + 30
        while time.time() < deadline:
            state = svc.client.get(location, headers=svc.headers()).json()["state"]
            if state == "succeeded":
                break
            time.sleep(0.1)
        assert state == "succeeded"
        ready = svc.client.get("/readyz").json()
        assert ready["status"] == "ready" and ready["worker_threads"] == 1


def test_openapi_health_and_metrics(service):
    spec = service.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/v1/colorize", "/v1/jobs", "/v1/jobs/{job_id}",
                 "/v1/jobs/{job_id}/items/{index}/result", "/v1/jobs/{job_id}/manifest",
                 "/livez", "/readyz", "/metrics"):
        assert path in paths
    assert "delete" in paths["/v1/jobs/{job_id}"]
    assert "multipart/form-data" in paths["/v1/jobs"]["post"]["requestBody"]["content"]
    assert service.client.get("/livez").json() == {"status": "alive"}
    _submit(service, 1)
    service.drain()
    text = service.client.get("/metrics").text  # the operator's: no archive key needed
    assert "chronochrome_queue_depth 0" in text
    assert 'chronochrome_stage_seconds_count{stage="generator"} 1' in text
    assert 'chronochrome_stage_seconds_bucket{stage="encode",le="+Inf"} 1' in text


def test_idempotency_counts_the_webhook_secret(service, http_server):
    """A retry with another webhook secret is another request: answering with the first job
    would deliver to a secret the caller no longer holds."""
    def submit(secret: str):
        body = {"items": [{"url": http_server.url("/a.png")}],
                "webhook": {"url": http_server.url("/hook"), "secret": secret}}
        return service.client.post("/v1/jobs", json=body, headers={
            **service.headers(), "Idempotency-Key": "hooked"})

    http_server.routes["/a.png"] = (200, {"Content-Type": "image/png"}, gray_png())
    secret = new_secret()
    first = submit(secret)
    assert first.status_code == 202
    assert submit(secret).headers["location"] == first.headers["location"]  # a true replay
    other = submit(new_secret())
    assert other.status_code == 422 and other.json()["reason"] == "idempotency_key_reused"


def test_every_answer_is_nosniff_and_not_cached_and_odd_methods_share_one_series(service):
    for response in (service.client.get("/livez"),
                     service.client.get("/v1/jobs/nope", headers=service.headers()),
                     _submit(service, 1)):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    for verb in ("FOO", "BAR", "BAZ"):
        service.client.request(verb, "/livez")
    text = service.client.get("/metrics").text
    assert 'method="OTHER"' in text
    assert not any(f'method="{verb}"' in text for verb in ("FOO", "BAR", "BAZ"))


def test_the_job_database_is_private_to_the_service_user(service):
    mode = service.config.db_path.stat().st_mode & 0o777
    assert mode == 0o600, oct(mode)


def test_a_silent_webhook_receiver_does_not_delay_another_tenants_job(service, http_server):
    """Tenant A's receiver accepts the connection and never answers; tenant B's job, queued
    behind A's, is done within seconds (delivery used to run in the worker: ~95 s)."""
    import socket
    import threading
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
    port = silent.getsockname()[1]
    http_server.routes["/a.png"] = (200, {"Content-Type": "image/png"}, gray_png())
    a = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"url": http_server.url("/a.png")}],
        "webhook": {"url": f"http://archive.test:{port}/hook", "secret": new_secret()}})
    b = _submit(service, 1, key=service.key_b)
    assert a.status_code == b.status_code == 202
    state = service.app.state.service
    from colorizer.apps.service.worker import Worker

    worker = Worker(state.pipeline, service.store, service.config, state.fetcher,
                    webhooks=state.webhooks)
    start = time.perf_counter()
    assert worker.run_once()  # A's item; its webhook is handed over, not delivered here
    handed_over = time.perf_counter()
    assert worker.run_once()  # B's item, of the same size, with no webhook
    done = time.perf_counter()
    job_b = service.client.get(b.headers["location"], headers=service.headers(service.key_b))
    assert job_b.json()["state"] == "succeeded"
    # What A's silent receiver cost B: A's turn beyond B's own (the same work but the
    # webhook). The difference, not the sum, so a loaded machine's slower colorizing of
    # both photos does not count as delay.
    delay = (handed_over - start) - (done - handed_over)
    assert delay < 5, (delay, handed_over - start, done - handed_over)
    silent.close()
    for conn in held:
        conn.close()


def test_head_on_an_items_files_answers_its_headers_without_the_body(service):
    location = _submit(service, 1).headers["location"]
    service.drain()
    for tail, ctype in (("result", "image/png"), ("provenance", "application/json"),
                        ("original", "image/png")):
        url = f"{location}/items/0/{tail}"
        got = service.client.get(url, headers=service.headers())
        head = service.client.head(url, headers=service.headers())
        assert head.status_code == 200 and got.status_code == 200, (tail, head.text)
        assert head.content == b"" and len(got.content) > 0
        assert head.headers["content-type"] == got.headers["content-type"] == ctype
        assert head.headers["content-length"] == str(len(got.content))
    missing = service.client.head(f"{location}/items/5/result", headers=service.headers())
    assert missing.status_code == 404


def test_the_original_is_served_as_its_image_type(service):
    files = [("file", ("scan.jpg", gray_png(fmt="JPEG"), "image/jpeg")),
             ("file", ("scan.tif", gray_png(fmt="TIFF"), "application/octet-stream"))]
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   files=files).headers["location"]
    for index, ctype in ((0, "image/jpeg"), (1, "image/tiff")):
        original = service.client.get(f"{location}/items/{index}/original",
                                      headers=service.headers())
        assert original.status_code == 200 and original.headers["content-type"] == ctype
        assert original.content == files[index][1][1]


def test_405_and_410_problems_have_their_own_titles(service):
    refused = service.client.put("/v1/jobs", headers=service.headers())
    assert refused.status_code == 405 and refused.json()["title"] == "Method not allowed"
    assert "POST" in refused.headers["allow"]
    location = _submit(service, 1).headers["location"]
    service.client.delete(f"{location}?purge=true", headers=service.headers())
    gone = service.client.get(f"{location}/items/0/result", headers=service.headers())
    assert gone.status_code == 410 and gone.json()["title"] == "Gone"
