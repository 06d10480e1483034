"""Slow acceptance tests: load on loopback, and killing the worker process mid-batch."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from service_helpers import gray_png

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_load_on_loopback_no_5xx_and_exactly_once(tmp_path):
    from eval.load_service import run_load

    figures = run_load(requests=400, clients=32, queue_cap=16, data_dir=tmp_path / "svc")
    print(figures)
    assert figures["server_errors"] == 0
    assert figures["accepted"] + figures["rejected_429"] == 400
    assert figures["rejected_429_with_retry_after"] == figures["rejected_429"]
    assert figures["accepted"] >= 16 and figures["completed_jobs"] == figures["accepted"]
    assert figures["completed_exactly_once"] and figures["result_files"] == figures["accepted"]


def _start_worker(data_dir: Path, weights: Path, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "colorizer.apps.service.worker", "--data-dir", str(data_dir),
               "--weights", str(weights), "--device", "cpu", "--no-context",
               "--render-size", "64", "--lease-seconds", "2"]
    return subprocess.Popen(command, cwd=REPO, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})


def _counts(db_path: Path) -> dict[str, int]:
    db = sqlite3.connect(db_path)
    try:
        return dict(db.execute("SELECT status, COUNT(*) FROM items GROUP BY status").fetchall())
    finally:
        db.close()


@pytest.mark.slow
def test_kill_the_worker_mid_batch_and_restart(tmp_path, tiny_pipeline, tiny_weights):
    from service_helpers import make_service

    n = 40
    for svc in make_service(tmp_path, tiny_pipeline, max_pixels=4_000_000):
        files = [("file", (f"{i}.png", gray_png(640, 480, seed=i), "image/png"))
                 for i in range(n)]
        response = svc.client.post("/v1/jobs", headers=svc.headers(), files=files)
        assert response.status_code == 202
        location = response.headers["location"]
        data_dir, db_path = svc.config.data_dir, svc.config.db_path
        log = tmp_path / "worker.log"

        worker = _start_worker(data_dir, tiny_weights, log)
        deadline = time.time() + 120
        while _counts(db_path).get("done", 0) < 3 and time.time() < deadline:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)  # mid-batch: no chance to clean up
        worker.wait(timeout=30)
        at_kill = _counts(db_path)
        assert 3 <= at_kill.get("done", 0) < n, at_kill

        worker = _start_worker(data_dir, tiny_weights, log)
        try:
            deadline = time.time() + 240
            while _counts(db_path).get("done", 0) < n and time.time() < deadline:
                assert worker.poll() is None, log.read_text()
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)  # graceful: finishes the item, then exits
            assert worker.wait(timeout=60) == 0, log.read_text()

        job = svc.client.get(location, headers=svc.headers()).json()
        assert job["state"] == "succeeded" and job["counts"] == {"done": n}
        db = sqlite3.connect(db_path)
        completions = [c for (c,) in db.execute("SELECT completions FROM items")]
        assert completions == [1] * n  # none twice
        results = sorted(p.name for p in svc.config.results_dir.glob("job_*.png"))
        assert results == sorted(f"{i['id']}.png" for i in svc.store.job(
            svc.store.key_for(svc.key_a), job["id"])["items"])  # one file per item, none lost
        for item in job["items"]:
            image = svc.client.get(item["result_url"], headers=svc.headers())
            assert image.status_code == 200
            import hashlib

            assert hashlib.sha256(image.content).hexdigest() == item["result_sha256"]


@pytest.mark.slow
def test_livez_answers_at_once_while_48_synchronous_requests_wait(tmp_path, tiny_pipeline):
    import threading
    import time

    from service_helpers import SlowPipeline, gray_png, make_service

    slow = SlowPipeline(tiny_pipeline, seconds=0.25)  # 48 in turn: 12 s of queued work
    for svc in make_service(tmp_path, slow, sync_concurrency=1):
        def post(service=svc) -> None:
            service.client.post("/v1/colorize", headers=service.headers(),
                                files={"file": ("p.png", gray_png(), "image/png")})

        threads = [threading.Thread(target=post, daemon=True) for _ in range(48)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # the pool is full of requests waiting for the one sync slot
        waits = []
        for _ in range(3):
            start = time.perf_counter()
            assert svc.client.get("/livez").status_code == 200
            waits.append(time.perf_counter() - start)
        assert max(waits) < 1.0, waits
        for thread in threads:
            thread.join(timeout=120)
