"""A `chronochrome serve` refused at start (a port in use, an address not this machine's, a bad
--weights, a bad setting, a database of a newer version) leaves its data folder as it was: no
folder made, no empty jobs.sqlite3, no workers/ lock folder, no link-secret.

Before, the job database was opened before the port was taken and before the model loaded: a
second `serve` on a port in use, or one with a mistyped --weights, left a new data folder with
an empty jobs.sqlite3 behind (a folder that then looks like a service's)."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from serve_process import CLI, REPO

from colorizer.apps.service.store_schema import SCHEMA_VERSION


def _listing(folder: Path) -> list[str] | None:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() \
        else None


def _serve(data: Path, weights: Path, *extra: str) -> subprocess.CompletedProcess:
    with socket.socket() as s:  # a free port, unless `extra` names one
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    command = [sys.executable, "-c", CLI, "serve", "--data-dir", str(data), "--port", port,
               "--weights", str(weights), "--device", "cpu", "--no-context",
               "--render-size", "64", *extra]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.fixture
def busy_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


@pytest.mark.slow
def test_a_port_in_use_leaves_no_data_folder(tmp_path, shared_tiny_weights, busy_port):
    data = tmp_path / "service"
    run = _serve(data, shared_tiny_weights, "--port", str(busy_port))
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines()[-1].startswith(
        f"error: cannot listen on 127.0.0.1:{busy_port} (Address already in use)")
    assert _listing(data) is None


@pytest.mark.parametrize(("extra", "said"), [
    (("--host", "192.0.2.1"), "error: cannot listen on 192.0.2.1:"),
    (("--weights", "{missing}"), "error: weights folder {missing}: no such folder"),
    (("--workers", "-1"), "error: invalid service settings: worker_threads must be 0")])
@pytest.mark.slow
def test_a_refused_start_makes_no_files(tmp_path, shared_tiny_weights, extra, said):
    data, missing = tmp_path / "service", str(tmp_path / "no-such-model")
    data.mkdir()
    (data / "notes.txt").write_text("the operator's")
    run = _serve(data, shared_tiny_weights, *(e.format(missing=missing) for e in extra))
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines()[-1].startswith(said.format(missing=missing))
    assert _listing(data) == ["notes.txt"]  # no jobs.sqlite3, workers/ nor link-secret


@pytest.mark.slow
@pytest.mark.parametrize("worker_only", [False, True])
def test_a_newer_database_is_left_as_it_was(tmp_path, shared_tiny_weights, worker_only):
    data = tmp_path / "service"
    data.mkdir()
    with closing(sqlite3.connect(data / "jobs.sqlite3")) as db:  # WAL, as the service's
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE later (x)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    run = _serve(data, shared_tiny_weights, *(["--worker-only"] if worker_only else []))
    assert run.returncode == 2, run.stderr
    assert "was made by a newer chronochrome" in run.stderr.splitlines()[-1]
    assert _listing(data) == ["jobs.sqlite3"]
    with closing(sqlite3.connect(data / "jobs.sqlite3")) as db:  # version and tables kept
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("later",)]
