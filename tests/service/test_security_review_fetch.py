"""The security review's finding in fetching (fetch.py), over real HTTP: an image server that
answers its headers one line at a time, for ever (slow loris), held the worker that fetched
from it for ever too, since httpcore's read timeout is per read and `fetch.total_timeout` was
checked only while the body came. A few such URLs in jobs stopped the service's workers for
every archive; now the item fails `timeout` when the total time is spent."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from service_helpers import finished_job, loopback_fetch_config
from threaded_serve import served

TOTAL_TIMEOUT = 2.0  # the service's fetch.total_timeout in this test, seconds


@pytest.fixture
def trickling_server() -> Iterator[int]:
    """The port of a server that sends a header line every 0.2 s and never ends its headers;
    it stops (closing its connections) when the test ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n")
            while not stop.wait(0.2):
                try:
                    conn.sendall(b"X-Still-Coming: yes\r\n")
                except OSError:  # the service gave up: what this test wants
                    return

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.mark.slow  # the 2 s the fetch is given, and a worker's poll
def test_a_server_that_never_ends_its_headers_fails_the_item_in_time(shared_tiny_weights,
                                                                      tmp_path,
                                                                      trickling_server):
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    context=False, exemplars=False,
                                                    render_size=64)
    app = create_app(pipeline, ServiceConfig(
        data_dir=tmp_path / "svc", worker_threads=1,
        fetch=loopback_fetch_config(total_timeout=TOTAL_TIMEOUT)))
    _, key = app.state.service.store.create_key("archive")
    auth = {"Authorization": f"Bearer {key}"}
    with served(app) as base:
        url = f"http://archive.test:{trickling_server}/scan.png"
        submitted = time.monotonic()
        answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=30,
                            json={"items": [{"url": url}]})
        assert answer.status_code == 202, answer.text
        job = finished_job(answer.headers["location"], auth, seconds=20)
        took = time.monotonic() - submitted
        item = job["items"][0]
        assert item["status"] == "failed", job
        assert item["error"]["reason"] == "timeout", item
        assert "no answer within 2 s" in item["error"]["detail"]
        assert took < TOTAL_TIMEOUT + 10, f"the item took {took:.1f} s to fail"
