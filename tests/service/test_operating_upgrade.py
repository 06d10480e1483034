"""Upgrading and rolling back on one data folder: a database of an older version opens as it is
(its jobs and keys kept) and is stamped with its version; one a newer version made is refused
with one line instead of being read by code that does not know its tables.

Before, the database carried no version at all (SQLite's user_version stayed 0), so nothing
could tell a rollback that the data folder was ahead of it."""

from __future__ import annotations

import sqlite3

from service_helpers import gray_png

from colorizer.apps.cli import main
from colorizer.apps.service.store_schema import SCHEMA_VERSION


def _version(db) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("PRAGMA user_version").fetchone()[0]


def test_a_database_of_before_the_stamp_opens_with_its_jobs(service, capsys):
    job = service.client.post("/v1/jobs", headers=service.headers(),
                              files={"file": ("a.png", gray_png(), "image/png")})
    db = service.config.db_path
    with sqlite3.connect(db) as connection:  # as every version before the stamp left it
        connection.execute("PRAGMA user_version = 0")
    assert main(["keys", "list", "--data-dir", str(service.config.data_dir)]) == 0
    assert "archive-a\tactive" in capsys.readouterr().out
    assert _version(db) == SCHEMA_VERSION == 4  # 2: fair turns; 3: webhook retries; 4: old cancels
    view = service.client.get(job.headers["location"], headers=service.headers())
    assert view.status_code == 200 and view.json()["counts"] == {"queued": 1}


def test_a_database_of_a_newer_version_is_refused_in_one_line(tmp_path, capsys):
    data_dir = tmp_path / "svc"
    assert main(["keys", "create", "--name", "a", "--data-dir", str(data_dir)]) == 0
    db = data_dir / "jobs.sqlite3"
    with sqlite3.connect(db) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    capsys.readouterr()
    for argv in (["keys", "list"], ["keys", "create", "--name", "b"],
                 ["results", "cleanup", "--dry-run"]):
        assert main([*argv, "--data-dir", str(data_dir)]) == 2
        assert capsys.readouterr().err == (
            f"error: {db} was made by a newer chronochrome (database version "
            f"{SCHEMA_VERSION + 1}; this one reads up to {SCHEMA_VERSION}): start the version "
            "that made it again, or give this one another --data-dir\n")
    assert _version(db) == SCHEMA_VERSION + 1  # left as it was
