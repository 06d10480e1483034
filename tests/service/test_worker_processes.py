"""/readyz counts the processes that run workers on the data folder, and warns when there is
none: `serve --workers 0` without a running `serve --worker-only` answered 200 "ready" with no
word while every job stayed queued for ever. The warning keeps the 200: restarting the worker
processes must not take the API out of its load balancer."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest
from serve_process import CLI, REPO
from service_helpers import gray_png
from threaded_serve import served, wait_for

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig

NO_WORKER = "no worker process runs on this data folder"


def _ready(base: str) -> httpx.Response:
    return httpx.get(f"{base}/readyz", timeout=30)


@pytest.mark.parametrize(("threads", "processes"), [(0, 0), (1, 1)])
def test_readyz_counts_this_process_by_its_worker_threads(tmp_path, tiny_pipeline, threads,
                                                          processes):
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=threads)
    with served(create_app(tiny_pipeline, config)) as base:
        answer = _ready(base)
    assert answer.status_code == 200 and answer.json()["worker_processes"] == processes
    warnings = answer.json()["warnings"]
    assert (warnings[0].startswith(NO_WORKER) and "serve --worker-only" in warnings[0]
            ) if processes == 0 else warnings == []


@pytest.mark.slow  # a real `serve --worker-only` loads its model: ~15 s on 2 cores
def test_a_worker_only_process_is_counted_while_it_runs(tmp_path, tiny_pipeline, tiny_weights):
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0)
    app = create_app(tiny_pipeline, config)
    _, key = app.state.service.store.create_key("department-a")
    log = (tmp_path / "worker.log").open("wb")
    with served(app) as base:
        job = httpx.post(f"{base}/v1/jobs", headers={"Authorization": f"Bearer {key}"},
                         files={"file": ("a.png", gray_png(), "image/png")}, timeout=60)
        assert _ready(base).json()["warnings"][0].startswith(NO_WORKER)
        worker = subprocess.Popen(
            [sys.executable, "-c", CLI, "serve", "--worker-only", "--data-dir",
             str(config.data_dir), "--weights", str(tiny_weights), "--device", "cpu",
             "--no-context", "--render-size", "64"], cwd=REPO, stdout=log,
            stderr=subprocess.STDOUT)
        try:
            ready = wait_for(lambda: (body := _ready(base).json())["worker_processes"] == 1
                             and body, seconds=90)
            assert ready["warnings"] == [] and ready["status"] == "ready"
            wait_for(lambda: httpx.get(job.headers["location"], headers={
                "Authorization": f"Bearer {key}"}).json()["state"] == "succeeded", seconds=60)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        time.sleep(0.2)
        gone = _ready(base).json()
        assert gone["worker_processes"] == 0 and gone["warnings"][0].startswith(NO_WORKER)
