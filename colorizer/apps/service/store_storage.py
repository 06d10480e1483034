"""The job store's disk: a full or read-only data folder, in words, never a traceback.

On a full disk every write of the service failed as a 500 with a plain-text body ("Internal
Server Error") and a traceback in the log: SQLite's "database or disk is full" for a new
job, Python's "No space left on device" for a result file. And a failed write could leave
the thread's connection inside its transaction (SQLite may end it itself on SQLITE_FULL, and
then our ROLLBACK raised "no transaction is active" over the real error). Now:
- a write that the disk refuses raises `StorageError` (`storage_full`: 507, make room;
  `storage_read_only`: 503), which `http_errors` answers as problem+json; reads go on;
- every transaction ends, committed or rolled back, whatever failed, so the next write on the
  same connection works once there is room;
- a data folder the store cannot open at start (read-only, not ours) is one line naming the
  folder and the fix (`DataDirError`), before any request is taken.

A client's detail does not name the server's folders; the log line for the operator does.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from colorizer.apps.service.store_errors import DataDirError, StorageError

log = logging.getLogger(__name__)

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_READ_ONLY_ERRNOS = frozenset({errno.EROFS})
# SQLite's primary result codes (the low byte of an extended one).
_SQLITE_FULL, _SQLITE_READONLY = 13, 8
_SQLITE_CANTOPEN = 14


def storage_error(exc: BaseException, folder: Path) -> StorageError | None:
    """`exc` as a `StorageError` when the disk of `folder` refused a write; None otherwise."""
    full = _is(exc, _FULL_ERRNOS, _SQLITE_FULL, "database or disk is full")
    if not full and not _read_only(exc):
        return None
    log.warning("the service's data folder %s refused a write: %s", folder, exc)
    if full:
        return StorageError("the service's storage is full: nothing of this request was "
                            "recorded; retry later (its operator must make room on the disk "
                            "of the service's data folder)", full=True)
    return StorageError("the service's storage is read-only: nothing of this request was "
                        "recorded; retry later (its operator must make the service's data "
                        "folder writable)", full=False)


def _read_only(exc: BaseException) -> bool:
    return _is(exc, _READ_ONLY_ERRNOS, _SQLITE_READONLY, "readonly database")


def _is(exc: BaseException, errnos: frozenset[int], sqlite_code: int, words: str) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in errnos
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return (code & 0xFF) == sqlite_code if code is not None else words in str(exc)
    return False


@contextmanager
def write_transaction(db: sqlite3.Connection, folder: Path) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT on `db`, rolled back on any failure; a write the disk of
    `folder` refuses raises `StorageError`."""
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite may have rolled back itself (SQLITE_FULL)
                db.execute("ROLLBACK")
            raise
    except (OSError, sqlite3.Error) as exc:
        error = storage_error(exc, folder)
        if error is None:
            raise
        raise error from exc


def data_dir_error(exc: BaseException, db_path: Path) -> DataDirError | None:
    """The one line for a database the store cannot open or create at start; None when
    `exc` is not about the folder."""
    folder = db_path.parent
    unopenable = (isinstance(exc, sqlite3.Error)
                  and (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == _SQLITE_CANTOPEN)
    full = _is(exc, _FULL_ERRNOS, _SQLITE_FULL, "database or disk is full")
    refused = _read_only(exc) or (isinstance(exc, OSError)
                                  and exc.errno in (errno.EACCES, errno.EPERM))
    if not (unopenable or refused or full):
        return None
    why, fix = ("its disk is full", "make room on it") if full else (
        _why(folder, exc), "make it writable by this user")
    return DataDirError(f"cannot use the service's data folder {folder} ({why}); {fix}, or "
                        "give another with --data-dir (or $CHRONOCHROME_SERVICE_DIR)")


def _why(folder: Path, exc: BaseException) -> str:
    """What is wrong with `folder`, in the system's words where it has them."""
    probe = folder
    while not probe.exists() and probe != probe.parent:  # the nearest folder that is there
        probe = probe.parent
    if not os.access(probe, os.W_OK):  # EROFS even for root, whose rights access() grants
        read_only = os.statvfs(probe).f_flag & os.ST_RDONLY
        return "its disk is read-only" if read_only else "not writable by this user"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
