"""`chronochrome web --max-pixels`: the workbench opens a scan over 50 MP when asked to.

A 12000x9000 scan was refused with "above the limit of 50,000,000 ... raise the limit with
--max-pixels 108000000 (CLI)", and `chronochrome web --max-pixels 108000000` was an
"unrecognized arguments" error: the workbench had no way to open it. Run as a person runs it,
in a subprocess, with the tiny real model (a limit of 5,000 pixels stands in for a big photo).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from web_helpers import free_port, gray_photo

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _web(*args: str) -> list[str]:
    return [sys.executable, "-m", "colorizer.apps.cli", "web", *args]


def _upload(url: str, name: str, data: bytes) -> tuple[int, dict]:
    boundary = "maxpixels"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{url}/api/photos", data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.slow  # 10 s: a server process with the model
def test_max_pixels_raises_the_workbench_limit(shared_tiny_weights, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        _web("--port", str(port), "--weights", str(shared_tiny_weights), "--no-context",
             "--no-exemplars", "--max-pixels", "5000"),
        cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/info", timeout=5).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "the workbench did not start"
                time.sleep(0.2)
        status, refused = _upload(url, "big.png", gray_photo(128, 96))  # 12,288 pixels
        assert status == 413, refused
        assert "above the limit of 5,000" in refused["error"]["message"]
        status, opened = _upload(url, "small.png", gray_photo(64, 48))  # 3,072 pixels
        assert status == 200, opened
        assert (opened["width"], opened["height"]) == (64, 48)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_limit_below_one_pixel_is_one_line_naming_the_fix(tmp_path):
    done = subprocess.run(_web("--port", str(free_port()), "--max-pixels", "0"),
                          cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2, done.stderr
    said = ("error: --max-pixels 0: give a positive pixel count, such as --max-pixels "
            "108000000 for a 12000x9000 scan")
    assert done.stderr.strip().splitlines() == [said]
