"""`chronochrome serve` as an operator runs it: its log read as JSON lines by a collector
(`$CHRONOCHROME_LOG_FORMAT=json`), no credential in it, a second `serve` on its port refused in
one line, and SIGHUP stopping it as SIGTERM does.

Before, the process logged uvicorn's text lines whatever was asked, each request's query string
whole (a signed link's `sig`, a key sent as `?api_key=`), and SIGHUP (a closed terminal,
`kill -HUP`) ended it at once: no shutdown, its lock file left behind, the item under way cut
off. A second `serve` on the port loaded its model and started its workers, then stopped with
uvicorn's "[Errno 98] error while attempting to bind" and exit status 3. This test imports nothing new from the service, so that it runs against older code too."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from serve_process import CLI, REPO, start_serve
from service_helpers import gray_png

from colorizer.apps.service.store import JobStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _second_on_the_same_port(data: Path, weights: Path, port: int) -> None:
    command = [sys.executable, "-c", CLI, "serve", "--data-dir", str(data), "--port", str(port),
               "--weights", str(weights), "--device", "cpu", "--no-context"]
    second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120,
                            check=False)
    assert second.returncode == 2, second.stderr
    assert second.stderr.splitlines()[-1] == (
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use): another process "
        "(a second `chronochrome serve`?) has this port; stop it or give another --port")


def _traffic(url: str, key: str) -> str:
    """A job, its manifest, a signed link, a key in a query; returns the link's signature."""
    auth = {"Authorization": f"Bearer {key}"}
    job = httpx.post(f"{url}/v1/jobs", headers=auth, timeout=30,
                     files={"file": ("a.png", gray_png(), "image/png")}).json()
    deadline = time.time() + 60
    while httpx.get(f"{url}/v1/jobs/{job['id']}?limit=0", headers=auth).json()["state"] \
            != "succeeded":
        assert time.time() < deadline
        time.sleep(0.2)
    manifest = httpx.get(f"{url}/v1/jobs/{job['id']}/manifest", headers=auth).text
    link = re.search(r'"(http[^"]*sig=([0-9a-f]+))"', manifest)
    assert httpx.get(link.group(1)).status_code == 200
    assert httpx.get(f"{url}/v1/jobs/{job['id']}?api_key={key}").status_code == 401
    assert httpx.get(f"{url}/v1/jobs/x", headers={"X-API-Key": key + "x"}).status_code == 401
    return link.group(2)


@pytest.mark.slow
def test_serve_logs_json_lines_without_secrets_and_stops_on_sighup(tmp_path, tiny_weights):
    data, port, log = tmp_path / "svc", _free_port(), tmp_path / "serve.log"
    _, key = JobStore(data / "jobs.sqlite3").create_key("archive")
    server = start_serve(data, tiny_weights, port, log, "--torch-threads", "1",
                         env={"CHRONOCHROME_LOG_FORMAT": "json"})
    try:
        sig = _traffic(f"http://127.0.0.1:{port}", key)
        _second_on_the_same_port(data, tiny_weights, port)
        assert httpx.get(f"http://127.0.0.1:{port}/livez").status_code == 200  # still serving
        server.send_signal(signal.SIGHUP)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    text = log.read_text()
    for secret in (sig, key):
        assert secret not in text
    entries = [json.loads(line) for line in text.splitlines()]  # every line is one object
    requests = [e for e in entries if "status" in e]
    assert {(e["method"], e["status"]) for e in requests} >= {("POST", 202), ("GET", 200),
                                                               ("GET", 401)}
    signed = next(e for e in requests if "sig=" in e["path"])
    assert signed["path"].endswith("&sig=[redacted]") and signed["job_id"] in signed["path"]
    assert all(e["request_id"] and e["duration_ms"] >= 0 for e in requests)
    messages = [e["message"] for e in entries]
    assert any(m.startswith("stopping: the workers finish the item they are on") for m in messages)
    assert "Application shutdown complete." in messages
    assert list((data / "workers").iterdir()) == []  # a clean stop releases its lock
