"""`chronochrome serve --library DIR`: an archive's own exemplar library in the service, over
real HTTP (user audit: serve had no --library; and a library that failed to load was
remembered for the process's life, so an archivist who repaired it had to restart the
service). A broken library fails the photo that needed it, is not retried while its folder is
unchanged, and is taken at the next photo once repaired. It answers 503
`exemplar_library_unavailable` naming the library and why (it answered 500 internal_error,
and a queued item was retried, then failed as worker_crashed: the operator could not tell it
was the library)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

import httpx
import pytest
from serve_process import CLI, REPO, free_port, start_serve
from service_helpers import gray_png, make_service

from tests.service.paris_library import build_paris_library


def _colorize(url: str, auth: dict[str, str], route: str = "colorize?response=json"
              ) -> httpx.Response:
    request = json.dumps({"items": [{"upload": 0, "hint": "Paris 1918"}]})
    return httpx.post(f"{url}/v1/{route}", headers=auth, timeout=120,
                      data={"request": request},
                      files={"file": ("old.png", gray_png(48, 32), "image/png")})


def _queued_item(url: str, auth: dict[str, str]) -> dict:
    """A job of one photo through the queue (a worker runs it): its item once finished."""
    job = _colorize(url, auth, "jobs").json()
    deadline = time.time() + 120
    while time.time() < deadline:
        page = httpx.get(f"{url}/v1/jobs/{job['id']}", headers=auth, timeout=30).json()
        if page["state"] not in ("queued", "running"):
            return page["items"][0]
        time.sleep(0.2)
    raise AssertionError(f"job {job['id']} did not finish: {page}")


@pytest.mark.slow  # builds a library with MiniLM and starts `serve`: about 40 s
def test_a_repaired_library_is_taken_without_a_restart(tmp_path, tiny_pipeline,
                                                       shared_tiny_weights):
    good = build_paris_library(tmp_path)
    served = tmp_path / "served"
    shutil.copytree(good, served)
    (served / "text.faiss").write_bytes((good / "text.faiss").read_bytes()[:100])
    port, log = free_port(), tmp_path / "serve.log"
    for svc in make_service(tmp_path, tiny_pipeline):  # the API keys, in serve's data folder
        server = start_serve(svc.config.data_dir, shared_tiny_weights, port, log,
                             "--library", str(served))
        url, auth = f"http://127.0.0.1:{port}", svc.headers()
        try:
            broken = [_colorize(url, auth)]
            queued = _queued_item(url, auth)
            broken.append(_colorize(url, auth))
            shutil.copy(good / "text.faiss", served / "text.faiss")  # restored from a backup
            repaired = _colorize(url, auth)
            again = _colorize(url, auth)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    text = log.read_text()
    assert [r.status_code for r in broken] == [503, 503], text[-2000:]
    assert repaired.status_code == 200 and again.status_code == 200, text[-2000:]
    for problem in [r.json() for r in broken] + [queued["error"]]:
        assert problem["reason"] == "exemplar_library_unavailable", problem
        assert problem["status"] == 503
        assert problem["detail"].startswith(f"the exemplar library {served.name} did not load "
                                            "(ValueError: "), problem
        assert "text.faiss is cut short or damaged" in problem["detail"]
        assert str(served.parent) not in json.dumps(problem)  # no server path to a client
    for problem in [r.json() for r in broken]:
        assert problem["type"] == "https://chronochrome.dev/problems/exemplar_library_unavailable"
        assert problem["library"] == served.name
        assert problem["cause"].startswith("ValueError: ") and "text.faiss" in problem["cause"]
    assert queued["status"] == "failed"  # at once, not retried until worker_crashed
    # Tried once while broken: the first photo says why, the later ones that it was not
    # retried; a warning line each, no traceback.
    assert text.count("the exemplar library did not load (ValueError: ") == 1
    assert text.count(f"did not load at an earlier photo and is not tried again until {served} "
                      "changes") == 2
    assert "Traceback" not in text and "internal_error" not in text
    for response in (repaired, again):
        exemplars = response.json()["provenance"]["exemplars"]
        assert {e["id"] for e in exemplars} == {"rue", "quai"}


@pytest.mark.slow
def test_serve_refuses_a_library_folder_that_cannot_serve(tmp_path):
    (tmp_path / "notes").mkdir()
    done = subprocess.run([sys.executable, "-c", CLI, "serve", "--data-dir",
                           str(tmp_path / "data"), "--library", str(tmp_path / "notes")],
                          check=False, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"error: --library {tmp_path / 'notes'}: not an exemplar library (no readable "
        "library.json); give a folder written by `chronochrome library build`")
    assert not (tmp_path / "data").exists()  # refused before anything was made
