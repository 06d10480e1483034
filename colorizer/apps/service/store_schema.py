"""The job database's tables, and its version: older ones are upgraded, a newer one refused.

A database carries its `SCHEMA_VERSION` as SQLite's user_version (0: made before the stamp,
2026-12-06, with the tables of version 1). At every start `open_schema`:
- makes the tables of a new database (those of version 1, then every migration: one path for
  new and old databases alike, so an upgraded database is the same as a new one);
- upgrades an older one by running the migrations above its version in one transaction under
  the write lock (so two processes starting at once do not both run them; a failure leaves
  the database as it was), then stamps the new version;
- refuses one a newer chronochrome made (a rollback after an upgrade) with one line, before
  writing anything, instead of reading tables whose meaning it does not know.

Versions: 1, the service's tables since its first version (2026-11-21); 2, each item's `turn`
in the queue that is fair between keys (`store_turns`): its waiting items keep their order;
3, a job's webhook attempts and when the next is due (`webhook_schedule`); 4, no column: the
webhooks of jobs canceled before canceled jobs sent theirs (d091d81) were `pending` for ever;
they are marked `skipped` with why, not sent (`_SKIP_OLD_CANCELS`).
An upgrade is one way: once version 2 is stamped, a chronochrome that reads up to 1 refuses it.
A later change of the tables adds its statements to `_MIGRATIONS` and raises SCHEMA_VERSION;
the tables of version 1 below never change. Played over HTTP on 2026-12-06: data folders that
the code of 100 and 300 commits before made (a key, a finished job, a queued one) opened by
this code: the key answered, the results downloaded byte for byte, the queued job ran, and the
database went from version 0 to 2 (`tests/service/test_store_upgrade.py` builds such folders).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from colorizer.apps.service.store_errors import DataDirError

_VERSION_1 = """
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


@dataclass(frozen=True)
class _Migration:
    """What upgrades a database of the version before: columns (table, name, declaration),
    each skipped when there already (a database whose user_version was reset by hand upgrades
    without "duplicate column name"), then statements that may run twice."""

    columns: tuple[tuple[str, str, str], ...]
    statements: tuple[str, ...] = ()


# Not sent at the upgrade: the version that canceled them said a canceled job sends no event,
# so their receivers expect none, and a first start would post days-old events in a burst.
# The job's view says so, and `POST /v1/jobs/{id}/webhook` sends one on request. Only jobs
# that ended (nothing queued or running) by a cancel, expired since or not, are marked.
SKIPPED_OLD_CANCEL = ("not sent: the job was canceled by a chronochrome that sent no webhook "
                      "for a canceled job (before database version 4); POST "
                      "/v1/jobs/{id}/webhook sends it now")
_SKIP_OLD_CANCELS = (  # the detail as an SQL literal: a migration's statements take no values
    "UPDATE jobs SET webhook_state = 'skipped', webhook_detail = '"
    + SKIPPED_OLD_CANCEL.replace("'", "''") + "' "
    "WHERE webhook_state = 'pending' AND status IN ('canceled', 'expired') AND NOT EXISTS ("
    "SELECT 1 FROM items WHERE items.job_id = jobs.id AND items.status IN ('queued', 'running'))")
_WEBHOOK_DUE = "CREATE INDEX IF NOT EXISTS jobs_due ON jobs (webhook_state, webhook_next_at)"
_MIGRATIONS: dict[int, _Migration] = {
    2: _Migration(columns=(("items", "turn", "INTEGER NOT NULL DEFAULT 0"),),  # store_turns
                  statements=("CREATE INDEX IF NOT EXISTS items_turn ON items (status, turn)",)),
    3: _Migration(columns=(("jobs", "webhook_attempts", "INTEGER NOT NULL DEFAULT 0"),  # POSTs
                           ("jobs", "webhook_next_at", "REAL")),  # webhook_schedule
                  statements=(_WEBHOOK_DUE,)),
    4: _Migration(columns=(), statements=(_SKIP_OLD_CANCELS,)),
}
SCHEMA_VERSION = max(_MIGRATIONS)


def open_schema(db: sqlite3.Connection, path: Path) -> None:
    """Make the tables of a new database or upgrade an older one, and stamp its version;
    refuse a newer one's (`DataDirError`) before writing anything."""
    if _version(db, path) == SCHEMA_VERSION:  # the usual start: nothing to write
        return
    db.execute("BEGIN IMMEDIATE")  # read again under the lock: another process may have won
    try:
        found = _version(db, path)
        if found < 1:
            for statement in _VERSION_1.split(";"):
                db.execute(statement)
        for version in range(max(found, 1) + 1, SCHEMA_VERSION + 1):
            for table, column, declaration in _MIGRATIONS[version].columns:
                _add_column(db, table, column, declaration)
            for statement in _MIGRATIONS[version].statements:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def refuse_newer(path: Path) -> None:
    """Refuse (`DataDirError`) a database a newer chronochrome made, read through a read-only
    connection before the store's own one: that one's set-up (WAL, auto-vacuum) writes the
    file's header, and a rollback must leave the newer version's database as it was.
    `immutable`: no lock and no -shm/-wal files made (a read-only WAL reader makes them); a
    version stamped in a WAL not yet checkpointed is read by `open_schema` as before."""
    if not path.is_file():
        return
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:  # unreadable here: the store's own connection says why
        return
    try:
        _version(db, path)
    except sqlite3.Error:
        return
    finally:
        db.close()


def _version(db: sqlite3.Connection, path: Path) -> int:
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise DataDirError(
            f"{path} was made by a newer chronochrome (database version {found}; this one reads "
            f"up to {SCHEMA_VERSION}): start the version that made it again, or give this one "
            "another --data-dir")
    return found


def _add_column(db: sqlite3.Connection, table: str, column: str, declaration: str) -> None:
    # ADD COLUMN with a constant default rewrites no row: instant on a database of any size.
    if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
