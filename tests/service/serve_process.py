"""A real `chronochrome serve` in a subprocess, for the tests that need the process itself
(signals, restarts, its log), waited for until /livez answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main())"  # `chronochrome`


def start_serve(data_dir: Path, weights: Path, port: int, log: Path, *extra: str,
                env: dict[str, str] | None = None, append: bool = False) -> subprocess.Popen:
    """`serve` with the tiny `weights` on `port` (no context, 64-px renders), its stdout and
    stderr in `log` (appended to when `append`: a restart's log follows the first's)."""
    command = [sys.executable, "-c", CLI, "serve", "--data-dir", str(data_dir), "--port",
               str(port), "--weights", str(weights), "--device", "cpu", "--no-context",
               "--render-size", "64", *extra]
    server = subprocess.Popen(command, cwd=REPO, stdout=log.open("ab" if append else "wb"),
                              stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    return answering(server, f"http://127.0.0.1:{port}/livez", log, "the service")


def answering(process: subprocess.Popen, url: str, log: Path, what: str) -> subprocess.Popen:
    """`process` once `url` answers 200 (within 120 s); it is killed, and the test fails with
    the end of its `log`, if it exits or never answers."""
    deadline = time.time() + 120
    while time.time() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"{what} did not start: " + log.read_text()[-2000:])


def free_port() -> int:
    """A loopback port no one listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_key(data_dir: Path, name: str) -> str:
    """A new API key named `name` in `data_dir`, made by `chronochrome keys create`."""
    out = subprocess.run([sys.executable, "-c", CLI, "keys", "create", "--name", name,
                          "--data-dir", str(data_dir)], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    return next(word for word in out.split() if word.startswith("cc_"))


def web_download(base: str, photo: Path) -> bytes:
    """What a person gets from a workbench at `base`: `photo` uploaded, colorized with the
    page's defaults, the full-size colorization downloaded (PNG)."""
    opened = httpx.post(f"{base}/api/photos", timeout=60,
                        files={"file": (photo.name, photo.read_bytes(), "image/png")})
    assert opened.status_code == 200, opened.text
    photo_id = opened.json()["id"]
    done = httpx.post(f"{base}/api/photos/{photo_id}/colorize", json={}, timeout=120)
    assert done.status_code == 200, done.text
    png = httpx.get(f"{base}/api/photos/{photo_id}/download", timeout=60)
    assert png.status_code == 200, png.text
    return png.content
