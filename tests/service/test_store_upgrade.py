"""Upgrading chronochrome over an existing data folder, and refusing one a newer version made.

The databases here are built directly with the SQL of the service's tables as every version up
to 2026-12-06 made them (version 1; user_version 0 before the stamp, 1 after), not with the
old code. A folder from an older version must keep its keys, its finished jobs' downloads and
its queued jobs (which then run); the database is upgraded in place (version 2: each item's
turn in the queue that is fair between keys; 3: a job's webhook attempts and the next one's
time). A folder from a newer version is refused in one
line and left exactly as it was."""

from __future__ import annotations

import hashlib
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from serve_process import CLI, REPO, start_serve
from service_helpers import gray_png

from colorizer.apps.service.store import JobStore, NewItem
from colorizer.apps.service.store_schema import SCHEMA_VERSION

# The tables of version 1, as colorizer/apps/service/store.py (later store_schema.py) made them
# from the service's first version (2026-11-21) to 2026-12-06. Never edit: it is the past.
VERSION_1_SQL = """
CREATE TABLE IF NOT EXISTS keys (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created REAL NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, key_id TEXT NOT NULL, created REAL NOT NULL, kind TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active', format TEXT NOT NULL,
  idempotency_key TEXT, request_hash TEXT, webhook_url TEXT, webhook_secret TEXT,
  webhook_state TEXT, webhook_detail TEXT, meta TEXT NOT NULL DEFAULT '{}',
  UNIQUE (key_id, idempotency_key));
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL,
  status TEXT NOT NULL, source TEXT NOT NULL, hint TEXT, caption TEXT,
  attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_expires REAL,
  result_file TEXT, result_sha256 TEXT, provenance_file TEXT,
  error_status INTEGER, error_reason TEXT, error_detail TEXT,
  timings TEXT, created REAL NOT NULL, finished REAL,
  completions INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS items_queue ON items (status, created, idx);
CREATE INDEX IF NOT EXISTS items_job ON items (job_id, idx);
CREATE TABLE IF NOT EXISTS uploads (item_id TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS stage_stats (
  stage TEXT NOT NULL, le TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (stage, le));
CREATE TABLE IF NOT EXISTS stage_sums (
  stage TEXT PRIMARY KEY, total REAL NOT NULL, count INTEGER NOT NULL);
"""
SECRET = "cc_k0ld0000000a_" + "s" * 43
DONE_JOB, QUEUED_JOB = "job_" + "d" * 32, "job_" + "q" * 32


def _old_data_folder(data_dir: Path, user_version: int) -> bytes:
    """A data folder as version 1 left it: a key, a finished job with its files in results/,
    a queued 2-item job of uploads. Returns the finished item's result bytes."""
    (data_dir / "results").mkdir(parents=True)
    result = gray_png(seed=3)
    (data_dir / "results" / f"{DONE_JOB}-0.png").write_bytes(result)
    (data_dir / "results" / f"{DONE_JOB}-0.provenance.json").write_text('{"model": "old"}')
    now = time.time() - 3600
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(VERSION_1_SQL)
        db.execute(f"PRAGMA user_version = {user_version}")
        db.execute("INSERT INTO keys (id, name, hash, created) VALUES (?, ?, ?, ?)",
                   ("k0ld0000000a", "dept-a", hashlib.sha256(SECRET.encode()).hexdigest(), now))
        for job in (DONE_JOB, QUEUED_JOB):
            db.execute("INSERT INTO jobs (id, key_id, created, kind, format) VALUES "
                       "(?, 'k0ld0000000a', ?, 'batch', 'png')", (job, now))
        db.execute("INSERT INTO items (id, job_id, idx, status, source, attempts, result_file, "
                   "result_sha256, provenance_file, timings, created, finished, completions) "
                   "VALUES (?, ?, 0, 'done', ?, 1, ?, ?, ?, '{}', ?, ?, 1)",
                   (f"{DONE_JOB}-0", DONE_JOB, json.dumps({"kind": "upload", "name": "a.png"}),
                    f"{DONE_JOB}-0.png", hashlib.sha256(result).hexdigest(),
                    f"{DONE_JOB}-0.provenance.json", now, now))
        for idx in range(2):
            item_id = f"{QUEUED_JOB}-{idx}"
            db.execute("INSERT INTO items (id, job_id, idx, status, source, created) VALUES "
                       "(?, ?, ?, 'queued', ?, ?)", (item_id, QUEUED_JOB, idx,
                                                     json.dumps({"kind": "upload",
                                                                 "name": f"q{idx}.png"}), now))
            db.execute("INSERT INTO uploads (item_id, data) VALUES (?, ?)",
                       (item_id, gray_png(seed=idx)))
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _schema(db_path: Path) -> tuple[int, list[tuple], list[tuple]]:
    with sqlite3.connect(db_path) as db:
        return (db.execute("PRAGMA user_version").fetchone()[0],
                [tuple(row) for row in db.execute("PRAGMA table_info(items)")],
                [tuple(row) for row in db.execute("PRAGMA table_info(jobs)")])


@pytest.mark.slow
@pytest.mark.parametrize("user_version", [0, 1], ids=["before-the-stamp", "version-1"])
def test_serve_upgrades_an_old_data_folder_and_keeps_its_jobs(tmp_path, tiny_weights,
                                                             user_version):
    data_dir = tmp_path / "svc"
    result = _old_data_folder(data_dir, user_version)
    port, log = _free_port(), tmp_path / "serve.log"
    server = start_serve(data_dir, tiny_weights, port, log)
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {SECRET}"}
    try:
        done = httpx.get(f"{base}/v1/jobs/{DONE_JOB}", headers=auth)
        assert done.status_code == 200 and done.json()["state"] == "succeeded"
        download = httpx.get(f"{base}/v1/jobs/{DONE_JOB}/items/0/result", headers=auth)
        assert download.status_code == 200 and download.content == result
        deadline = time.time() + 60
        while (view := httpx.get(f"{base}/v1/jobs/{QUEUED_JOB}", headers=auth).json())[
                "state"] in ("queued", "running") and time.time() < deadline:
            time.sleep(0.2)
        assert view["state"] == "succeeded" and view["counts"] == {"done": 2}
        assert httpx.get(f"{base}/v1/jobs/{QUEUED_JOB}/items/1/result",
                         headers=auth).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=90)
    fresh = tmp_path / "fresh.sqlite3"
    JobStore(fresh)  # an upgraded database has the tables of a new one, column for column
    assert _schema(data_dir / "jobs.sqlite3") == _schema(fresh)
    assert _schema(fresh)[0] == SCHEMA_VERSION == 4
    assert _schema(fresh)[1][-1][1:3] == ("turn", "INTEGER")  # version 2
    assert [c[1:3] for c in _schema(fresh)[2][-2:]] == [("webhook_attempts", "INTEGER"),
                                                         ("webhook_next_at", "REAL")]  # 3


def test_an_old_databases_waiting_items_keep_their_place_in_the_queue(tmp_path):
    data_dir = tmp_path / "svc"
    _old_data_folder(data_dir, 1)
    store = JobStore(data_dir / "jobs.sqlite3")
    new_job, _ = store.create_job("k-other", [NewItem(source={"kind": "url", "url": "u"})],
                                  fmt="png")
    order = [store.lease("w", 60.0).item_id for _ in range(3)]
    assert order == [f"{QUEUED_JOB}-0", f"{QUEUED_JOB}-1", f"{new_job}-0"]


def test_two_processes_upgrading_at_once_upgrade_it_once(tmp_path):
    """The second to take the write lock finds the database upgraded and adds nothing (an
    ALTER run twice fails with 'duplicate column name: turn')."""
    data_dir = tmp_path / "svc"
    _old_data_folder(data_dir, 1)
    db_path = data_dir / "jobs.sqlite3"
    first = sqlite3.connect(db_path, isolation_level=None)
    first.execute("BEGIN IMMEDIATE")  # the first process, mid-upgrade
    opened: list[object] = []
    second = threading.Thread(target=lambda: opened.append(_open(db_path)))
    second.start()
    time.sleep(0.5)  # the second has read version 1 and waits for the lock
    first.execute("ALTER TABLE items ADD COLUMN turn INTEGER NOT NULL DEFAULT 0")
    first.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    first.execute("COMMIT")
    second.join(timeout=60)
    assert isinstance(opened[0], JobStore), opened
    assert _schema(db_path)[0] == SCHEMA_VERSION


def _open(db_path: Path) -> object:
    try:
        return JobStore(db_path)
    except Exception as exc:  # noqa: BLE001 - the test shows what the second process met
        return exc


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["serve"], ["serve", "--worker-only"]])
def test_a_newer_versions_data_folder_is_refused_and_left_as_it_was(tmp_path, tiny_weights,
                                                                    argv):
    data_dir = tmp_path / "svc"
    _old_data_folder(data_dir, SCHEMA_VERSION + 1)
    db_path = data_dir / "jobs.sqlite3"
    with sqlite3.connect(db_path) as db:
        before = list(db.iterdump())
    done = subprocess.run(
        [sys.executable, "-c", CLI, *argv, "--data-dir", str(data_dir), "--port",
         str(_free_port()), "--weights", str(tiny_weights), "--device", "cpu", "--no-context"],
        check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"error: {db_path} was made by a newer chronochrome (database version "
        f"{SCHEMA_VERSION + 1}; this one reads up to {SCHEMA_VERSION}): start the version "
        "that made it again, or give this one another --data-dir")
    assert "Traceback" not in done.stderr
    with sqlite3.connect(db_path) as db:
        assert list(db.iterdump()) == before
    assert _schema(db_path)[0] == SCHEMA_VERSION + 1


def test_a_newer_versions_database_is_refused_without_a_byte_written(tmp_path):
    # The store's connection set-up (auto-vacuum, WAL) wrote a rollback-journal database's
    # header before the version was read: the newer chronochrome found its file changed.
    from colorizer.apps.service.store_errors import DataDirError

    db_path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE future (x INTEGER)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(DataDirError, match="made by a newer chronochrome"):
        JobStore(db_path)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.sqlite3"]  # no -wal, no -shm
