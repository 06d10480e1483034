"""What the archivist sees with big scans: a file over the upload limit names the flag that lets
it in (`chronochrome web --max-upload-mb`), and the status line says when older photos were
closed to make room.

Before: a 157 MB 16-bit scan was refused with "larger than the workbench's 40 MB limit; open a
smaller copy (a phone's photo editor or share sheet can export one)", and no flag could raise
the limit; photos were closed by count only, silently. In headless Chromium and a real
`chronochrome web` process, with the tiny real model; a 1 MB limit stands in for 40 MB.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from web_helpers import ThreadServer, free_port, gray_photo, page_with_photo, tiny_pipeline

REPO = Path(__file__).resolve().parents[2]
LIMIT = 1_000_000  # bytes the test workbench opens


def _noise_png(width: int = 800, height: int = 700) -> bytes:
    """A PNG that does not compress: 1.7 MB, over the 1 MB limit."""
    pixels = np.random.default_rng(1).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    made = {"big": folder / "scan-157mb.png", "a": folder / "a.png", "b": folder / "b.png"}
    made["big"].write_bytes(_noise_png())
    made["a"].write_bytes(gray_photo(128, 96))
    made["b"].write_bytes(gray_photo(120, 90))
    return made


def _serve(weights: Path, folder: Path, **limits: int) -> ThreadServer:
    """A workbench on this machine, as `chronochrome web` on loopback starts it."""
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    config = WebConfig(local=True, path_roots=(folder,), **limits)
    return ThreadServer(create_app(tiny_pipeline(weights), config))


@pytest.fixture(scope="module")
def local_server(shared_tiny_weights, files) -> Iterator[ThreadServer]:
    server = _serve(shared_tiny_weights, files["a"].parent, max_upload_bytes=LIMIT)
    yield server
    server.close()


@pytest.fixture(scope="module")
def budget_server(shared_tiny_weights, files) -> Iterator[ThreadServer]:
    """Its memory budget holds one of the test photos, not two."""
    server = _serve(shared_tiny_weights, files["a"].parent, max_memory_bytes=60_000)
    yield server
    server.close()


@pytest.mark.slow  # Chromium
def test_the_page_names_the_flag_for_a_file_over_the_limit(browser, local_server, files):
    page = browser.new_page()
    try:
        page.goto(local_server.url)
        page.wait_for_function("state.maxUploadMb === 1")
        page.set_input_files("#file", str(files["big"]))
        page.wait_for_selector("#error:not([hidden])")
        size = files["big"].stat().st_size
        assert page.inner_text("#error-text") == (
            f"scan-157mb.png: {size / 1e6:.1f} MB, larger than the workbench's 1 MB limit; "
            "start the workbench with --max-upload-mb 2 to open it, or open a smaller copy "
            "(a phone's photo editor or share sheet can export one)")
    finally:
        page.close()


def test_a_path_over_the_limit_is_refused_with_the_flag(local_server, files):
    request = urllib.request.Request(
        f"{local_server.url}/api/photos/open-path", headers={"Content-Type": "application/json"},
        data=json.dumps({"path": str(files["big"])}).encode())
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    size = files["big"].stat().st_size
    assert json.loads(refused.value.read())["error"]["message"] == (
        f"scan-157mb.png: {size / 1e6:.1f} MB, over the workbench's 1 MB limit; start the "
        "workbench with --max-upload-mb 2 to open it, or open a smaller copy")


@pytest.mark.slow  # Chromium
def test_the_status_line_says_an_older_photo_was_closed(browser, budget_server, files):
    page = page_with_photo(browser, budget_server.url, files["a"])
    try:
        assert "closed" not in page.inner_text("#status")
        page.set_input_files("#file", str(files["b"]))
        page.wait_for_selector('body[data-state="ready"] #status:has-text("b.png")')
        status = page.inner_text("#status")
        assert "b.png · 120×90 px" in status
        assert status.endswith(
            " · closed a.png to make room (limit: 0 MB of open photos, --max-memory-mb)")
        # Said while this photo is open: a rerun keeps the line (cleared at each step, the
        # header of a phone's page shrank between a tap and its run, moving the photo).
        page.click("#rerun")
        page.wait_for_selector('body[data-version="2"][data-state="ready"]')
        assert page.inner_text("#status").endswith(" · closed a.png to make room (limit: 0 MB "
                                                   "of open photos, --max-memory-mb)")
    finally:
        page.close()


@pytest.mark.slow  # 10 s: a server process with the model
def test_chronochrome_web_takes_max_upload_mb(shared_tiny_weights, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "colorizer.apps.cli", "web", "--port", str(port), "--weights",
         str(shared_tiny_weights), "--no-context", "--no-exemplars", "--max-upload-mb", "1",
         "--max-memory-mb", "500"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/info", timeout=5) as answer:
                    info = json.loads(answer.read())
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "the workbench did not start"
                time.sleep(0.3)
        assert info["max_upload_mb"] == 1 and info["local"] is True
        boundary = "maxupload"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                "filename=\"scan.png\"\r\nContent-Type: image/png\r\n\r\n").encode()
        body += _noise_png() + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{url}/api/photos", data=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=60)
        assert refused.value.code == 413
        assert json.loads(refused.value.read())["error"]["message"] == (
            "scan.png: larger than the workbench's 1 MB limit; start the workbench with a "
            "higher --max-upload-mb to open it, or open a smaller copy (a phone's photo "
            "editor or share sheet can export one)")
    finally:
        server.terminate()
        server.wait(timeout=30)
