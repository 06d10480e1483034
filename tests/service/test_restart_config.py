"""Restarting `chronochrome serve` with a changed configuration: its log says which data folder
it serves, how many keys can call it, what it takes back from before, and the caps it now runs
with; a folder with no key, or a queue over its new cap, is a warning that says what to do.

Before, the log named no folder: a restart that fell back to the default data folder served an
empty database (every department's key 401 "unknown or revoked"), and a restart with a lower
--queue-cap than the queue held answered 429 with nothing in the log to say why."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys

import httpx
import pytest
from serve_process import CLI, REPO, free_port, start_serve
from service_helpers import gray_png
from threaded_serve import served

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig


def _files(count: int) -> list:
    return [("file", (f"{n}.png", gray_png(seed=n), "image/png")) for n in range(count)]


@pytest.mark.slow  # two real `serve` starts: ~35 s on 2 cores
def test_a_restart_with_a_lower_queue_cap_says_so_and_keeps_the_queue(tmp_path, tiny_weights):
    data, log = tmp_path / "svc", tmp_path / "serve.log"
    out = subprocess.run([sys.executable, "-c", CLI, "keys", "create", "--name", "dept-a",
                          "--data-dir", str(data)], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    key = next(word for word in out.split() if word.startswith("cc_"))
    headers = {"Authorization": f"Bearer {key}"}
    port = free_port()
    server = start_serve(data, tiny_weights, port, log, "--workers", "0", "--queue-cap", "20")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(2):
            assert httpx.post(f"{base}/v1/jobs", files=_files(3), headers=headers,
                              timeout=60).status_code == 202
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    first = log.read_text()
    assert f"data folder {data}: 1 active API key(s); 0 item(s) of 0 job(s) queued" in first

    server = start_serve(data, tiny_weights, port, log, "--workers", "0", "--queue-cap", "4",
                         append=True)
    try:
        refused = httpx.post(f"{base}/v1/jobs", files=_files(1), headers=headers, timeout=60)
        assert refused.status_code == 429 and refused.json()["reason"] == "queue_full"
        assert httpx.get(f"{base}/readyz").json()["queue_room"] == 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    second = log.read_text()[len(first):]
    assert (f"data folder {data}: 1 active API key(s); 6 item(s) of 2 job(s) queued, for "
            "`serve --worker-only` processes; queue cap 4, 2 per key") in second
    assert ("the queue holds 6 item(s), at or over its cap of 4: POST /v1/jobs answers 429 "
            "queue_full until it drains below it") in second


def test_a_data_folder_without_keys_is_a_warning_at_start(tmp_path, tiny_pipeline, caplog):
    caplog.set_level(logging.INFO, logger="chronochrome.service")
    config = ServiceConfig(data_dir=tmp_path / "elsewhere", worker_threads=1)
    with served(create_app(tiny_pipeline, config)) as base:
        answer = httpx.get(f"{base}/v1/jobs/job_x", headers={"Authorization": "Bearer cc_k1_x"})
        assert answer.status_code == 401
    said = [r.getMessage() for r in caplog.records if r.name == "chronochrome.service"]
    assert (f"data folder {config.data_dir}: 0 active API key(s); 0 item(s) of 0 job(s) "
            "queued from before, taken up by 1 worker(s); queue cap 1000, 500 per key") in said
    warning = next(line for line in said if line.startswith("no active API key"))
    assert "every request to /v1/ will be 401" in warning
    assert f"chronochrome keys create --name NAME --data-dir {config.data_dir}" in warning
