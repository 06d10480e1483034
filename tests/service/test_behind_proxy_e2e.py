"""Through a real reverse proxy over sockets (a small Python one here: CI has no nginx) that
mounts the service or the workbench under a path, strips it and adds X-Forwarded-* headers as
nginx's `location /colorize/ { proxy_pass http://127.0.0.1:PORT/; ... }` does."""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_helpers import SlowPipeline, gray_png

import colorizer

_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrefixProxy:
    """`http://127.0.0.1:PORT{prefix}/...` -> upstream `/...`, with the client's scheme and
    host said in X-Forwarded-*; an upstream slower than `timeout` gets nginx's 504."""

    def __init__(self, upstream_port: int, prefix: str, timeout: float = 30.0) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                if not self.path.startswith(f"{prefix}/"):
                    return self._answer(404, {"Content-Type": "text/html"}, b"<h1>404</h1>")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                headers.update({"Host": proxy.host, "X-Forwarded-Proto": "https",
                                "X-Forwarded-Host": proxy.host, "X-Forwarded-Prefix": prefix,
                                "X-Forwarded-For": "203.0.113.7"})
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port,
                                                      timeout=timeout)
                try:
                    upstream.request(self.command, self.path[len(prefix):], body, headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                except TimeoutError:  # nginx: proxy_read_timeout
                    return self._answer(504, {"Content-Type": "text/html"}, b"<h1>504</h1>")
                finally:
                    upstream.close()
                self._answer(answer.status, {k: v for k, v in answer.getheaders()
                                             if k.lower() not in _HOP}, data)

            def _answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = do_DELETE = _forward

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"archive.test:{self.httpd.server_address[1]}"
        self.public = f"https://{self.host}{prefix}"  # what clients are told
        self.local = f"http://127.0.0.1:{self.httpd.server_address[1]}{prefix}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def to_local(self, url: str) -> str:
        """A link the API gave (https, the public host) as this test reaches the proxy."""
        assert url.startswith(f"{self.public}/"), f"{url} is not under {self.public}/"
        return self.local + url[len(self.public):]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ThreadServer:
    """uvicorn serving `app` on 127.0.0.1 in a daemon thread (uvicorn's proxy headers off, as
    `chronochrome serve` runs it)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", proxy_headers=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "no server"
            time.sleep(0.05)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def served(tmp_path, tiny_weights) -> Iterator[tuple[PrefixProxy, str]]:
    """`chronochrome serve` (its real entry point) behind the proxy at /colorize; its key."""
    from colorizer.apps.service.store import JobStore

    data = tmp_path / "svc"
    _, key = JobStore(data / "jobs.sqlite3").create_key("city-archive")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from colorizer.apps.cli import main; sys.exit(main())",
         "serve", "--data-dir", str(data), "--port", str(port),
         "--weights", str(tiny_weights), "--device", "cpu", "--no-context",
         "--render-size", "64", "--torch-threads", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(Path(colorizer.__file__).parents[1])})
    proxy = PrefixProxy(port, "/colorize")
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the service did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/livez").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        yield proxy, key
    finally:
        proxy.close()
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_chronochrome_serve_behind_a_proxy_gives_links_that_work(served):
    proxy, key = served
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(timeout=30) as client:
        answer = client.post(f"{proxy.local}/v1/jobs", headers=auth, files={
            "file": ("scan.png", gray_png(), "image/png")})
        assert answer.status_code == 202, answer.text
        location = answer.headers["location"]
        assert location.startswith(f"{proxy.public}/v1/jobs/job_")
        deadline = time.monotonic() + 60
        while (job := client.get(proxy.to_local(location), headers=auth).json())[
                "state"] != "succeeded":
            assert time.monotonic() < deadline, job
            time.sleep(0.3)
        item = job["items"][0]
        for link in (job["links"]["self"], item["result_url"], item["provenance_url"]):
            assert client.get(proxy.to_local(link), headers=auth).status_code == 200, link
        manifest = client.get(proxy.to_local(job["links"]["manifest"]), headers=auth).json()
        result = manifest["items"][0]["items"][0]["items"][0]["body"]["items"][1]["id"]
        image = client.get(proxy.to_local(result))  # signed: no key, as a IIIF viewer
        assert image.status_code == 200
        assert hashlib.sha256(image.content).hexdigest() == item["result_sha256"]


def test_a_colorization_the_proxy_timed_out_is_recorded_whole(tmp_path, tiny_pipeline):
    """nginx answers 504 after proxy_read_timeout; the service finishes the colorization and
    records it as a done job, never a job without its result (or a result without its job)."""
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig

    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0, result_retention_seconds=0)
    app = create_app(SlowPipeline(tiny_pipeline, 1.5), config)
    _, key = app.state.service.store.create_key("city-archive")
    server = ThreadServer(app)
    proxy = PrefixProxy(server.port, "/colorize", timeout=0.3)
    try:
        answer = httpx.post(f"{proxy.local}/v1/colorize", headers={
            "Authorization": f"Bearer {key}"}, files={"file": ("a.png", gray_png(), "image/png")})
        assert answer.status_code == 504
        store = app.state.service.store
        deadline = time.monotonic() + 30
        while not store.connection().execute("SELECT 1 FROM items").fetchall():
            assert time.monotonic() < deadline, "the colorization was not recorded"
            time.sleep(0.1)
        time.sleep(0.5)
        [(kind, status, result_file, sha256)] = store.connection().execute(
            "SELECT kind, items.status, result_file, result_sha256 FROM items "
            "JOIN jobs ON jobs.id = items.job_id").fetchall()
        assert (kind, status) == ("sync", "done")
        data = (config.results_dir / result_file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha256
    finally:
        proxy.close()
        server.close()


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and tag in ("link", "script", "img"):
                self.links.append(value)


@pytest.fixture
def workbench(shared_tiny_weights, tiny_pipeline) -> Iterator[PrefixProxy]:
    """`chronochrome web`'s app behind the proxy at /workbench."""
    from colorizer.apps.web.app import create_app

    server = ThreadServer(create_app(tiny_pipeline))
    proxy = PrefixProxy(server.port, "/workbench")
    yield proxy
    proxy.close()
    server.close()


def test_the_workbench_page_loads_its_assets_under_the_prefix(workbench):
    page = httpx.get(f"{workbench.local}/")
    assert page.status_code == 200
    parser = _Assets()
    parser.feed(page.text)
    assert len(parser.links) >= 7  # the style sheet and the scripts
    for link in parser.links:
        asset = httpx.get(str(httpx.URL(f"{workbench.local}/").join(link)))
        assert asset.status_code == 200, link


def test_the_workbench_page_works_under_the_prefix_in_a_browser(workbench, tmp_path):
    """The scripts' requests (api/info, uploads, images) stay under the prefix."""
    if not Path("/usr/bin/chromium").is_file():
        pytest.skip("/usr/bin/chromium is absent: install Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    photo = tmp_path / "scan.png"
    photo.write_bytes(gray_png(64, 48))
    failed: list[tuple[Any, str]] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.on("response", lambda r: r.status >= 400 and failed.append((r.status, r.url)))
            page.on("requestfailed", lambda r: failed.append(("failed", r.url)))
            page.goto(f"{workbench.local}/")
            page.set_input_files("#file", str(photo))
            page.wait_for_function("document.getElementById('colorized').naturalWidth > 0",
                                   timeout=60_000)
            colorized = page.evaluate("document.getElementById('colorized').src")
        finally:
            browser.close()
    assert colorized.startswith(f"{workbench.local}/api/photos/")
    assert failed == []
