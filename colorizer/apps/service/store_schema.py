"""The job database's tables, and its version: a database a newer chronochrome made is refused.

The tables are made with CREATE ... IF NOT EXISTS, so every version so far (they share these
tables since the service's first version, 2026-11-21) opens an older database as it is. A
database carries no mark of the version that made it, so an older chronochrome started on the
data folder of a newer one (a rollback after an upgrade) would have read tables it does not
know the meaning of. Now the database says its `SCHEMA_VERSION` (SQLite's user_version,
stamped on open; 0 = made before the stamp, the same tables) and a version above this code's
stops the start with one line. A later change of the tables raises SCHEMA_VERSION and adds its
migration to `open_schema`, run in one transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from colorizer.apps.service.store_errors import DataDirError

SCHEMA_VERSION = 1
_SCHEMA = """
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


def open_schema(db: sqlite3.Connection, path: Path) -> None:
    """Make the tables of a new database, stamp its version; refuse a newer one's."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise DataDirError(
            f"{path} was made by a newer chronochrome (database version {found}; this one reads "
            f"up to {SCHEMA_VERSION}): start the version that made it again, or give this one "
            "another --data-dir")
    db.executescript(_SCHEMA)  # idempotent; executescript commits by itself
    if found < SCHEMA_VERSION:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
