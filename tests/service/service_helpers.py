"""Helpers for the service tests: test images, a loopback-only resolver, a local HTTP server."""

from __future__ import annotations

import io
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from colorizer.apps.service.fetch import FetchConfig, FetchError


def gray_png(width: int = 48, height: int = 32, seed: int = 0, fmt: str = "PNG") -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (height, width), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format=fmt)
    return buffer.getvalue()


def loopback_resolver(names: dict[str, str]):
    """A resolver that knows only test names, so no test can reach a real address."""

    def resolve(host: str, port: int) -> list[str]:
        if host in names:
            return [names[host]]
        raise FetchError("dns_failed", f"{host}: unknown to the test resolver")

    return resolve


# archive.test is the test server: loopback, trusted for tests only. localhost and the
# other names resolve to loopback/private/mapped addresses and must be refused.
TEST_NAMES = {"archive.test": "127.0.0.1", "localhost": "127.0.0.1",
              "intranet.test": "10.1.2.3", "mapped.test": "::ffff:127.0.0.1",
              "nat64.test": "64:ff9b::7f00:1", "cgnat.test": "100.64.0.1",
              "metadata.test": "169.254.169.254"}


def loopback_fetch_config(**changes: Any) -> FetchConfig:
    settings = {"trusted_hosts": ("archive.test",), "resolver": loopback_resolver(TEST_NAMES),
                    "total_timeout": 10.0}
    return FetchConfig(**{**settings, **changes})


def fast_retry_service(tmp_path: Path, workers: int, retries: int
                       ) -> tuple[Any, dict[str, str]]:
    """A service's config under `tmp_path` whose webhooks retry every 0.3 s, `retries`
    times, fetching from loopback; and the Authorization header of a new key."""
    from colorizer.apps.service.config import ServiceConfig
    from colorizer.apps.service.store import JobStore

    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=workers,
                           fetch=loopback_fetch_config()).with_changes(
        webhooks=ServiceConfig.from_dict(
            {"webhooks": {"retry_seconds": [0.3] * retries}}).webhooks)
    _, secret = JobStore(config.db_path).create_key("archive")
    return config, {"Authorization": f"Bearer {secret}"}


@dataclass
class Service:
    client: Any
    app: Any
    config: Any
    store: Any
    key_a: str
    key_b: str

    def headers(self, key: str | None = None, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key_a}", **extra}

    def drain(self, limit: int = 100) -> int:
        """Process queued items with a worker in this thread; returns how many."""
        from colorizer.apps.service.worker import Worker

        state = self.app.state.service
        worker = Worker(state.pipeline, self.store, self.config, state.fetcher, state.signer,
                        webhooks=state.webhooks)
        done = 0
        while done < limit and worker.run_once():
            done += 1
        state.webhooks.wait(timeout=60)  # deliveries run in the background
        return done


def make_service(tmp_path: Path, pipeline: Any, **changes: Any) -> Iterator[Service]:
    from fastapi.testclient import TestClient

    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig

    settings = {"data_dir": tmp_path / "svc", "worker_threads": 0, "max_pixels": 1_000_000,
                    "sync_max_pixels": 200_000, "fetch": loopback_fetch_config()}
    config = ServiceConfig(**{**settings, **changes})
    app = create_app(pipeline, config)
    store = app.state.service.store
    _, key_a = store.create_key("archive-a")
    _, key_b = store.create_key("archive-b")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield Service(client, app, config, store, key_a, key_b)


class LocalServer:
    """A local HTTP server with routes given as {path: (status, headers, body)}."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, dict(self.headers), body))
                status, headers, payload = server.routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value.replace("PORT", str(server.port)))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "archive.test") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class SlowPipeline:
    """The tiny pipeline, taking `seconds` per image; `on_call` runs inside each call."""

    def __init__(self, pipeline: Any, seconds: float, on_call=None) -> None:
        self.pipeline, self.seconds, self.on_call = pipeline, seconds, on_call
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.on_call:
            self.on_call(self.calls)
        time.sleep(self.seconds)
        return self.pipeline(*args, **kwargs)


@contextmanager
def tmpfs(mount: Path, size: str = "8M") -> Iterator[Path]:
    """A real tmpfs of `size` at `mount` (root only), unmounted at the end: a disk that fills."""
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                   check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def finished_job(location: str, auth: dict[str, str], seconds: float = 120) -> dict:
    """The job at `location` polled over HTTP until it is neither queued nor running."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = httpx.get(location, headers=auth, timeout=30).json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"the job did not finish: {job}")


def serve_one_canvas_manifest(http_server: Any, base: str, label: str, size: tuple[int, int],
                              canvas_label: str | None = None) -> None:
    """/manifest.json on `http_server`: a Presentation 3 manifest of one canvas of `size`
    painting the full image of the IIIF image service at `base`."""
    canvas = http_server.url("/canvas/1")
    manifest = {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": http_server.url("/manifest.json"), "type": "Manifest", "label": {"en": [label]},
        "items": [{"id": canvas, "type": "Canvas", "width": size[0], "height": size[1],
                   **({"label": {"en": [canvas_label]}} if canvas_label else {}),
                   "items": [{"id": http_server.url("/page/1"), "type": "AnnotationPage",
                              "items": [{"id": http_server.url("/anno/1"), "type": "Annotation",
                                         "motivation": "painting", "target": canvas,
                                         "body": {"id": f"{base}/full/max/0/default.jpg",
                                                  "type": "Image", "format": "image/jpeg",
                                                  "service": [{"id": base,
                                                               "type": "ImageService3"}]}}]}]}]}
    http_server.routes["/manifest.json"] = (200, {"Content-Type": "application/ld+json"},
                                            json.dumps(manifest).encode())
