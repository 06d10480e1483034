"""An operator's upgrade: a data folder made by the code of 4d14f9d (database version 2, before
webhook retries and before canceled jobs sent their webhook), opened by this code's `serve`.

The old code itself (`git archive 4d14f9d`, run in subprocesses) makes the folder: a key, a
finished job with its result files, a failed one, one canceled with a webhook, one running
whose worker process is killed with SIGKILL mid-item, and one queued, both with webhooks. Then
this code's `chronochrome serve` starts on it twice. (A folder a newer version stamped is
refused in one line: tests/service/test_operating_upgrade.py, test_serve_refused_start.py.)

Before: the canceled job's webhook stayed `pending` for ever (the old code never sent a
canceled job's event, and this code's only claims a job's webhook when the job ends, which it
had). Now the upgrade (version 4) marks it `skipped`, saying why and how to send it."""

from __future__ import annotations

import base64
import json
import signal
import sqlite3
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from serve_process import REPO, free_port, start_serve
from service_helpers import gray_png
from threaded_serve import wait_for
from webhook_receiver import Receiver

from colorizer.apps.service.store import JobStore, NewItem
from colorizer.apps.service.store_schema import SCHEMA_VERSION

OLD_COMMIT = "4d14f9d"
HOOK_SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()

# Run by the old code (PYTHONPATH = its tree): `finished DATA HOOK PNG` makes the key and the
# ended jobs; `running DATA HOOK PNG KEY` leases a new job's item in a process holding a lock
# file, says so, and waits to be killed; `queued DATA HOOK PNG KEY` queues one more job.
OLD_BUILDER = r"""
import hashlib, json, os, sys, time
from pathlib import Path
from colorizer.apps.service.liveness import ProcessLock, locks_dir
from colorizer.apps.service.store import JobStore, NewItem

mode, data, hook, png = sys.argv[1], Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
store = JobStore(data / "jobs.sqlite3")
SECRET = os.environ["HOOK_SECRET"]

def job(key, with_hook):
    item = NewItem({"kind": "upload", "name": "a.png"}, upload=png.read_bytes())
    return store.create_job(key, [item], fmt="png", webhook_url=hook if with_hook else None,
                            webhook_secret=SECRET if with_hook else None)[0]

if mode == "finished":
    key, secret = store.create_key("archive")
    done = job(key, False)
    lease = store.lease("old-worker/0", 120)
    result = data / "results" / f"{done}-0.png"
    result.parent.mkdir(parents=True, exist_ok=True)
    result.write_bytes(png.read_bytes())
    (data / "results" / f"{done}-0.provenance.json").write_text('{"model": "old"}')
    store.complete(lease, "old-worker/0", {
        "result_file": result.name, "provenance_file": f"{done}-0.provenance.json",
        "result_sha256": hashlib.sha256(png.read_bytes()).hexdigest(), "timings": {}})
    failed = job(key, False)
    store.fail(store.lease("old-worker/0", 120), "old-worker/0", 422, "decode_failed",
               "not an image")
    canceled = job(key, True)
    store.cancel(key, canceled)
    print(json.dumps({"key": key, "secret": secret, "done": done, "failed": failed,
                      "canceled": canceled}))
elif mode == "running":
    lock = ProcessLock(locks_dir(data))
    running = job(sys.argv[5], True)
    assert store.lease(lock.owner("0"), 120).job_id == running
    print(json.dumps({"running": running}), flush=True)
    time.sleep(600)  # mid-item: the test kills this process (SIGKILL)
else:
    print(json.dumps({"queued": job(sys.argv[5], True)}))
"""


def _old_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "old-code"
    archive = subprocess.run(["git", "archive", OLD_COMMIT, "colorizer", "context",
                              "retrieval"], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def _old(tree: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", OLD_BUILDER, *args], cwd=tree,
                            env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin",
                                 "HOOK_SECRET": HOOK_SECRET},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _old_data_folder(tmp_path: Path, hook: str) -> dict[str, str]:
    """The folder as the old code leaves it; returns its key, secret and job ids by role."""
    tree, data = _old_tree(tmp_path), tmp_path / "svc"
    png = tmp_path / "a.png"
    png.write_bytes(gray_png(seed=5))
    base = (str(data), hook, str(png))
    made = _old(tree, "finished", *base)
    out, err = made.communicate(timeout=120)
    assert made.returncode == 0, err
    jobs = json.loads(out)
    worker = _old(tree, "running", *base, jobs["key"])
    jobs.update(json.loads(worker.stdout.readline() or worker.communicate()[1]))
    worker.send_signal(signal.SIGKILL)  # kill -9 with the item leased and its lock file held
    worker.wait(timeout=30)
    queued = _old(tree, "queued", *base, jobs["key"])
    out, err = queued.communicate(timeout=120)
    assert queued.returncode == 0, err
    jobs.update(json.loads(out))
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2  # the old code's version
    return jobs


def _views(base: str, auth: dict[str, str], jobs: dict[str, str]) -> dict[str, dict]:
    roles = ("done", "failed", "canceled", "running", "queued")
    return {role: httpx.get(f"{base}/v1/jobs/{jobs[role]}", headers=auth, timeout=30).json()
            for role in roles}


@pytest.mark.slow  # the old code's tree, then `serve` started three times (~60 s on 2 cores)
def test_a_data_folder_of_old_code_upgrades_once_loses_nothing_and_runs_nothing_twice(
        tmp_path, tiny_weights):
    receiver = Receiver()
    receiver.come_up()
    hook = f"http://127.0.0.1:{receiver.port}/hook"
    jobs = _old_data_folder(tmp_path, hook)
    data, port, log = tmp_path / "svc", free_port(), tmp_path / "serve.log"
    config = tmp_path / "service.json"
    config.write_text(json.dumps({"fetch": {"trusted_hosts": ["127.0.0.1"]}}))
    auth, base = {"Authorization": f"Bearer {jobs['secret']}"}, f"http://127.0.0.1:{port}"
    server = start_serve(data, tiny_weights, port, log, "--config", str(config))
    try:
        wait_for(lambda: all(httpx.get(f"{base}/v1/jobs/{jobs[r]}", headers=auth).json()[
            "webhook"]["state"] == "delivered" for r in ("running", "queued")), 90)
        first = _views(base, auth, jobs)
        result = httpx.get(f"{base}/v1/jobs/{jobs['done']}/items/0/result", headers=auth)
        assert result.content == gray_png(seed=5)  # the old result, byte for byte
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=90)
        server = start_serve(data, tiny_weights, port, log, "--config", str(config),
                             append=True)  # the second start: nothing left to upgrade
        again = _views(base, auth, jobs)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=90)
        receiver.close()
    states = {role: view["state"] for role, view in first.items()}
    assert states == {"done": "succeeded", "failed": "failed", "canceled": "canceled",
                      "running": "succeeded", "queued": "succeeded"}
    assert first["failed"]["items"][0]["error"]["reason"] == "decode_failed"
    assert first["canceled"]["webhook"]["state"] == "skipped"
    assert "POST /v1/jobs/{id}/webhook" in first["canceled"]["webhook"]["detail"]
    assert again == first  # the second start changed nothing a client sees
    # The receiver heard of the two jobs that ended after the upgrade, once each.
    events = sorted((json.loads(body)["data"]["job_id"], json.loads(body)["data"]["state"])
                    for _, _, body in receiver.posts)
    assert events == sorted([(jobs["running"], "succeeded"), (jobs["queued"], "succeeded")])
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        rows = dict(db.execute("SELECT job_id, attempts || '/' || completions FROM items"))
    assert rows == {jobs["done"]: "1/1", jobs["failed"]: "1/0", jobs["canceled"]: "0/0",
                    jobs["running"]: "2/1", jobs["queued"]: "1/1"}  # the killed one: twice
    assert "item(s) queued again" in log.read_text()



def test_a_version_3_database_marks_its_old_cancels_once(tmp_path):
    """A database of version 3 (932078a to d091d81: webhook retries, canceled jobs still
    silent): its canceled job's webhook becomes `skipped`; the running job's stays `pending`
    (it is sent when the job ends); opening it again changes nothing."""
    db_path = tmp_path / "jobs.sqlite3"
    store = JobStore(db_path)
    key_id, _ = store.create_key("archive")

    def job() -> str:
        return store.create_job(key_id, [NewItem({"kind": "upload", "name": "a.png"},
                                                 upload=gray_png())], fmt="png",
                                webhook_url="https://archive.example.org/hook",
                                webhook_secret=HOOK_SECRET)[0]

    canceled, running = job(), job()
    with sqlite3.connect(db_path) as db:  # as version 3 left a cancel: the webhook unclaimed
        db.execute("UPDATE jobs SET status = 'canceled' WHERE id = ?", (canceled,))
        db.execute("UPDATE items SET status = 'canceled', finished = 1 WHERE job_id = ?",
                   (canceled,))
        db.execute("PRAGMA user_version = 3")

    def webhooks() -> dict[str, tuple[str, str | None]]:
        with sqlite3.connect(db_path) as db:
            return {row[0]: (row[1], row[2]) for row in db.execute(
                "SELECT id, webhook_state, webhook_detail FROM jobs")}

    JobStore(db_path)
    upgraded = webhooks()
    assert upgraded[canceled][0] == "skipped"
    assert "POST /v1/jobs/{id}/webhook sends it" in upgraded[canceled][1]
    assert upgraded[running] == ("pending", None)
    JobStore(db_path)  # a second start
    assert webhooks() == upgraded
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
