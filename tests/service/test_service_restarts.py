"""A service process killed mid-item: the item is taken back as soon as a process of the same
data folder starts (not when the dead process's lease expires, up to 120 s later, while the
job's view said "running" and nothing ran), and the job's view says it was interrupted.

Before, `chronochrome serve` killed mid-batch and started again showed the item it had been
working on as "running", attempt 1, until its lease ran out; only then was it run again."""

from __future__ import annotations

import hashlib
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from serve_process import start_serve
from service_helpers import gray_png, make_service

from colorizer.apps.service.liveness import locks_dir, reclaim_dead

REPO = Path(__file__).resolve().parents[2]
# A stand-in for a service process: it takes its lock, leases one item, prints, then waits.
HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from colorizer.apps.service.liveness import ProcessLock, locks_dir
    from colorizer.apps.service.store import JobStore
    lock = ProcessLock(locks_dir(Path(sys.argv[1])))
    store = JobStore(Path(sys.argv[1]) / "jobs.sqlite3")
    lease = store.lease(lock.owner("0"), 120)
    if sys.argv[2:] == ["complete"]:  # the job's last item: its webhook is claimed, not sent
        store.complete(lease, lock.owner("0"), {"result_file": "r.png", "result_sha256": "0",
                                                "provenance_file": "r.json"})
    print(lease.item_id, lock.owner("0"), flush=True)
    time.sleep(120)
""")


def _submit(svc, n: int = 2) -> str:
    files = [("file", (f"{i}.png", gray_png(seed=i), "image/png")) for i in range(n)]
    response = svc.client.post("/v1/jobs", headers=svc.headers(), files=files)
    assert response.status_code == 202
    return response.headers["location"]


def _hold_one_item(data_dir: Path, *how: str) -> tuple[subprocess.Popen, str, str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir), *how], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    item_id, owner = holder.stdout.readline().split()
    return holder, item_id, owner


def _status(svc, item_id: str) -> tuple[str, str | None]:
    row = svc.store.connection().execute("SELECT status, lease_owner FROM items WHERE id = ?",
                                         (item_id,)).fetchone()
    return row["status"], row["lease_owner"]


@pytest.mark.slow
def test_a_killed_process_item_is_queued_again_when_a_service_starts(tmp_path, tiny_pipeline):
    for svc in make_service(tmp_path, tiny_pipeline):  # leases of 120 s, as by default
        location = _submit(svc)
        holder, item_id, owner = _hold_one_item(svc.config.data_dir)
        folder = locks_dir(svc.config.data_dir)
        sent = []
        assert reclaim_dead(svc.store, folder, "me/webhooks", sent.append) == 0  # alive
        assert _status(svc, item_id) == ("running", owner)
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        # A service starting on the same data folder (its app's start-up runs the reclaim).
        for again in make_service(tmp_path, tiny_pipeline):
            assert _status(again, item_id) == ("queued", None)
            assert not (folder / f"{owner.split('/')[0]}.lock").exists()
            auth = again.headers(svc.key_a)  # the job's key (make_service adds two more)
            view = again.client.get(location, headers=auth).json()
            item = view["items"][0]
            assert view["state"] == "queued" and item["status"] == "queued"
            assert item["interrupted"]["detail"].startswith("attempt 1 was interrupted: the "
                                                            "process running it stopped")
            assert again.drain() == 2
            view = again.client.get(location, headers=auth).json()
            assert view["state"] == "succeeded" and view["items"][0]["attempts"] == 2
            assert "interrupted" in view["items"][0] and "error" not in view["items"][0]
    assert sorted(p.name for p in folder.iterdir()) == []  # clean stops leave no lock


def test_a_webhook_a_killed_process_had_not_sent_is_sent_when_a_service_starts(
        tmp_path, tiny_pipeline, http_server):
    """The last item's completion claims the job's webhook (`sending`); the process was
    killed before it delivered it. Before, nothing ever sent it: `sending` for good."""
    http_server.routes["/hook"] = (204, {}, b"")
    for svc in make_service(tmp_path, tiny_pipeline):
        body = {"items": [{"upload": 0}], "webhook": {"url": http_server.url("/hook")}}
        location = svc.client.post("/v1/jobs", headers=svc.headers(), data={
            "request": json.dumps(body)}, files=[("file", ("a.png", gray_png(), "image/png"))]
        ).headers["location"]
        holder, _, _ = _hold_one_item(svc.config.data_dir, "complete")
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        assert svc.client.get(location, headers=svc.headers()).json()["webhook"]["state"] \
            == "sending"
        for again in make_service(tmp_path, tiny_pipeline):
            assert again.app.state.service.webhooks.wait(timeout=60)
            job = again.client.get(location, headers=again.headers(svc.key_a)).json()
            assert job["webhook"]["state"] == "delivered", job["webhook"]
    hooks = [r for r in http_server.requests if r[1] == "/hook"]
    assert len(hooks) == 1 and json.loads(hooks[0][3])["data"]["state"] == "succeeded"


def test_a_taken_over_item_says_it_was_interrupted(tmp_path, tiny_pipeline):
    """A worker with no lock file here (another machine): its item is taken over when its
    lease expires, and its view says so too."""
    for svc in make_service(tmp_path, tiny_pipeline):
        location = _submit(svc, 1)
        svc.store.lease("elsewhere/0", lease_seconds=-1)  # expired: its worker stopped
        assert svc.drain() == 1
        item = svc.client.get(location, headers=svc.headers()).json()["items"][0]
        assert item["status"] == "done" and item["attempts"] == 2
        assert item["interrupted"]["detail"].startswith("attempt 1 was interrupted: its "
                                                        "worker stopped renewing its lease")


def test_a_canceled_items_410_does_not_give_an_interruption_as_its_reason(tmp_path,
                                                                           tiny_pipeline):
    for svc in make_service(tmp_path, tiny_pipeline):
        location = _submit(svc, 1)
        svc.store.lease("elsewhere/0", lease_seconds=-1)
        svc.store.lease("elsewhere/1", lease_seconds=60)  # taken over, then canceled
        svc.client.delete(location, headers=svc.headers())
        answer = svc.client.get(f"{location}/items/0/result", headers=svc.headers())
        assert answer.status_code == 410
        assert answer.json()["detail"] == ("item 0 is canceled and has no result; submit it "
                                           "again as a new job if needed")




def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_kill_the_service_mid_batch_and_start_it_again(tmp_path, tiny_pipeline, tiny_weights):
    """`chronochrome serve` (API and its worker, leases of 120 s) killed mid-item: once started
    again it finishes the job within seconds, the interrupted item says so, none is done
    twice, and every result is whole."""
    n, port, log = 8, _free_port(), tmp_path / "serve.log"
    for svc in make_service(tmp_path, tiny_pipeline, max_pixels=4_000_000):
        files = [("file", (f"{i}.png", gray_png(1600, 1200, seed=i), "image/png"))
                 for i in range(n)]
        url = f"http://127.0.0.1:{port}"
        auth = svc.headers()
        server = start_serve(svc.config.data_dir, tiny_weights, port, log, append=True,
                             env={"OMP_NUM_THREADS": "1"})
        job = httpx.post(f"{url}/v1/jobs", headers=auth, files=files, timeout=60).json()
        while True:  # an item under way, and one already done
            view = httpx.get(f"{url}/v1/jobs/{job['id']}", headers=auth).json()
            if view["counts"].get("done") and view["counts"].get("running"):
                break
            assert server.poll() is None, log.read_text()
        running = next(i["index"] for i in view["items"] if i["status"] == "running")
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        server = start_serve(svc.config.data_dir, tiny_weights, port, log, append=True,
                             env={"OMP_NUM_THREADS": "1"})
        try:
            deadline = time.time() + 60  # half the dead lease's 120 s
            while view["state"] != "succeeded" and time.time() < deadline:
                assert view["state"] in ("queued", "running"), view  # never a false success
                time.sleep(0.5)
                view = httpx.get(f"{url}/v1/jobs/{job['id']}", headers=auth).json()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        assert view["state"] == "succeeded", view
        item = view["items"][running]
        assert item["attempts"] == 2 and "was interrupted" in item["interrupted"]["detail"]
        db = sqlite3.connect(svc.config.db_path)
        assert [c for (c,) in db.execute("SELECT completions FROM items")] == [1] * n
        for item in view["items"]:
            image = svc.client.get(item["result_url"].replace(url, ""), headers=auth)
            assert hashlib.sha256(image.content).hexdigest() == item["result_sha256"]


def test_a_data_folder_without_flock_still_serves(tmp_path, tiny_pipeline, monkeypatch):
    """Where the file system refuses flock (some network file systems) the service starts
    and works as before: a killed process's items wait for their leases to expire."""
    import errno

    from colorizer.apps.service import liveness

    def refuse(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(liveness.fcntl, "flock", refuse)
    for svc in make_service(tmp_path, tiny_pipeline):
        assert list(locks_dir(svc.config.data_dir).iterdir()) == []
        location = _submit(svc, 1)
        assert svc.drain() == 1
        assert svc.client.get(location, headers=svc.headers()).json()["state"] == "succeeded"
