"""Many slow clients against a real `chronochrome serve`: open connections are capped
(`max_connections`), the ones beyond get the service's 503 problem+json and are closed, and
an upload that arrives slowly is kept on disk past 64 KiB, not in memory.

Before: nothing limited connections (200 slow uploads: 16 -> 497 file descriptors, 289 ->
573 MB), and each upload held up to a megabyte in memory before it was spooled to disk."""

from __future__ import annotations

import json
import logging
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from threaded_serve import served, wait_for

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from tests.service.serve_process import CLI, REPO, free_port, new_key, start_serve


def _slow_upload(port: int, key: str, sent: int, declared: int = 1 << 20) -> socket.socket:
    """A connection that sent its headers and `sent` bytes of a `declared`-byte upload, and
    then nothing more (a slow client)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall((f"POST /v1/jobs HTTP/1.1\r\nHost: archive\r\nAuthorization: Bearer {key}\r\n"
                  f"Content-Type: image/png\r\nContent-Length: {declared}\r\n\r\n").encode()
                 + b"\0" * sent)
    return sock


def _descriptors(pid: int | str) -> list[str]:
    """Where each open file descriptor of process `pid` points."""
    folder = Path(f"/proc/{pid}/fd")
    links = []
    for name in os.listdir(folder):
        try:
            links.append(os.readlink(folder / name))
        except FileNotFoundError:  # closed meanwhile
            continue
    return links


@pytest.fixture(scope="module")
def capped_serve(tmp_path_factory, shared_tiny_weights
                 ) -> Iterator[tuple[subprocess.Popen, int, str, Path]]:
    """`chronochrome serve` with max_connections 2 in its --config: (process, port, key, log)."""
    tmp_path = tmp_path_factory.mktemp("capped")
    data = tmp_path / "svc"
    key = new_key(data, "archive")
    config = tmp_path / "service.json"
    config.write_text(json.dumps({"max_connections": 2}))
    port = free_port()
    server = start_serve(data, shared_tiny_weights, port, tmp_path / "serve.log", "--config",
                         str(config))
    yield server, port, key, tmp_path / "serve.log"
    server.terminate()
    server.wait(30)


@pytest.mark.slow
def test_connections_beyond_max_connections_get_503_problem_and_are_closed(capped_serve):
    server, port, key, log_file = capped_serve
    slow = [_slow_upload(port, key, sent=1000) for _ in range(2)]  # the two served
    try:
        time.sleep(0.5)
        before = len(_descriptors(server.pid))
        for _ in range(30):  # each answered at once and closed: no descriptor kept
            answer = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10)
            assert answer.status_code == 503
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["retry-after"] == "5"
            assert answer.headers["connection"] == "close"
            problem = answer.json()
            assert problem["reason"] == "too_many_connections"
            assert "max_connections" in problem["detail"] and "retry in 5 s" in problem["detail"]
        assert len(_descriptors(server.pid)) <= before + 4  # not one per refused client
        # A probe is answered beyond the cap (a busy service is alive), and closed.
        for probe in ("livez", "readyz"):
            answer = httpx.get(f"http://127.0.0.1:{port}/{probe}", timeout=10)
            assert answer.status_code == 200 and answer.headers["connection"] == "close"
    finally:
        for sock in slow:
            sock.close()
    # The served ones gone, a new client is served again.
    assert wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/openapi.json",
                                      timeout=10).status_code == 200, 10)
    log = log_file.read_text()
    assert "listening on 127.0.0.1" in log and "(at most 2 connections)" in log
    assert "GET /openapi.json: 503, 2 connections served, max_connections 2" in log


@pytest.mark.slow
def test_a_burst_is_served_up_to_the_limit_not_refused_whole(capped_serve):
    """uvicorn's limit_concurrency counts when headers arrive: in a burst whose connections
    all opened before any sent headers, all were refused. Admitted as they open: two served."""
    _, port, _, _ = capped_serve
    burst = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(6)]
    time.sleep(0.3)  # all six open before any sends its request
    try:
        for sock in burst:
            sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: archive\r\nConnection: close"
                         b"\r\n\r\n")
        statuses = [sock.makefile("rb").readline().split()[1] for sock in burst]
    finally:
        for sock in burst:
            sock.close()
    assert statuses == [b"200", b"200", b"503", b"503", b"503", b"503"]


def test_a_slow_upload_past_64_kib_waits_on_disk(tmp_path, tiny_pipeline):
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0)
    app = create_app(tiny_pipeline, config)
    _, key = app.state.service.store.create_key("archive")
    spool = str(tmp_path / "svc" / "spool") + "/"
    with served(app) as base:
        port = int(base.rsplit(":", 1)[1])
        sock = _slow_upload(port, key, sent=200 << 10)  # 200 KiB of a 1 MiB upload
        try:
            found = wait_for(lambda: [link for link in _descriptors("self")
                                      if link.startswith(spool)], 10)
        finally:
            sock.close()
    assert len(found) == 1, found  # its spool file (unnamed: "#123 (deleted)")


def test_max_connections_below_one_is_refused_with_its_name(tmp_path):
    with pytest.raises(ValueError, match="max_connections must be at least 1, got 0"):
        ServiceConfig(data_dir=tmp_path, max_connections=0)


@pytest.mark.slow
def test_serve_refuses_a_max_connections_of_the_wrong_type_in_one_line(tmp_path):
    config = tmp_path / "service.json"
    config.write_text('{"max_connections": "many"}')
    done = subprocess.run([sys.executable, "-c", CLI, "serve", "--data-dir", str(tmp_path),
                           "--config", str(config), "--port", str(free_port())], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "max_connections" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_limit_the_open_files_cannot_hold_is_warned_at_start(caplog):
    from colorizer.apps.service.server_process import warn_descriptors

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        pytest.skip("no limit of open files here")
    with caplog.at_level(logging.WARNING, "chronochrome.service"):
        assert warn_descriptors(soft) is True
        assert warn_descriptors(max(1, (soft - 128) // 2)) is False
    assert f"lower max_connections to {max(1, (soft - 128) // 2)}" in caplog.text
