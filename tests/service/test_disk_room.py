"""A data folder's disk short of room: the queue waits instead of failing, and /readyz says so.

Before, on a real 16 MB tmpfs with 400 KB left, the worker took every queued item in turn,
colorized it and failed it 507 `storage_full` (four one-photo jobs within six seconds), while
/readyz answered 200 "ready" with no problem. Now, below `min_free_bytes`, items stay queued,
/readyz is 503 naming the problem, and once room is made they are done. Over real HTTP, the
app served by uvicorn in a thread."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from service_helpers import SlowPipeline, gray_png, tmpfs
from threaded_serve import served, wait_for

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None
MB = 1024 * 1024


def _post(base: str, key: str, seed: int) -> str:
    files = [("file", ("p.png", gray_png(300, 200, seed=seed), "image/png"))]
    answer = httpx.post(f"{base}/v1/jobs", files=files, timeout=60,
                        headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 202, answer.text
    return answer.headers["location"]


def _states(locations: list[str], key: str) -> list[str]:
    return [httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=30).json()[
        "state"] for url in locations]


def test_a_disk_under_min_free_keeps_the_queue_and_readyz_says_why(tmp_path, tiny_pipeline):
    # More free bytes asked than any test disk has: the real free space read, always short.
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=1, min_free_bytes=2**60)
    app = create_app(tiny_pipeline, config)
    _, key = app.state.service.store.create_key("department-a")
    with served(app) as base:
        locations = [_post(base, key, seed) for seed in range(2)]
        ready = httpx.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "not ready" and len(body["problems"]) == 1
        problem = body["problems"][0]
        assert "the data folder's disk has" in problem and "under min_free_bytes" in problem
        assert "chronochrome results cleanup" in problem and str(tmp_path) not in problem
        threading.Event().wait(1.5)  # the worker polls several times meanwhile
        assert _states(locations, key) == ["queued", "queued"]  # waiting, not failed


def test_min_free_bytes_below_zero_is_refused_with_its_range(tmp_path):
    with pytest.raises(ValueError, match="min_free_bytes must be 0 \\(no check\\) or more, got -1"):
        ServiceConfig(data_dir=tmp_path, min_free_bytes=-1)


def _fill_leaving(mount: Path, left: int) -> Path:
    """The disk at `mount` filled but for about `left` bytes; the filler's path."""
    filler = mount / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True,
                   check=False)  # ends with ENOSPC
    os.truncate(filler, filler.stat().st_size - left)
    return filler


@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_real_mount_a_filled_disk_pauses_the_queue_until_room_is_made(tmp_path,
                                                                       tiny_pipeline):
    gate = threading.Event()
    slow = SlowPipeline(tiny_pipeline, 0.0, on_call=lambda n: n == 2 and gate.wait(30))
    with tmpfs(tmp_path / "disk", "16M") as mount:
        config = ServiceConfig(data_dir=mount / "svc", worker_threads=1, min_free_bytes=2 * MB)
        app = create_app(slow, config)
        _, key = app.state.service.store.create_key("department-a")
        with served(app) as base:
            locations = [_post(base, key, seed) for seed in range(6)]
            wait_for(lambda: _states(locations[:1], key) == ["succeeded"])
            # the second item waits at the gate, colorizing (once the worker has leased it:
            # under load that comes a moment after the first shows "succeeded")
            wait_for(lambda: slow.calls == 2)
            filler = _fill_leaving(mount, 400_000)
            gate.set()
            wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 503)
            threading.Event().wait(2.0)  # time the old worker took to fail four items
            states = _states(locations, key)
            assert "failed" not in states, states
            assert states[2:] == ["queued"] * 4
            assert httpx.get(f"{base}/readyz").json()["problems"][0].startswith(
                "the data folder's disk has 0.")
            filler.unlink()  # the operator makes room: the queue goes on by itself
            wait_for(lambda: _states(locations, key) == ["succeeded"] * 6, seconds=60)
            assert httpx.get(f"{base}/readyz").status_code == 200
