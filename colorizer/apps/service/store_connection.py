"""The job store's SQLite connection: one per thread, closed when its thread ends.

Each thread (a request of the server's thread pool, a worker, the retention sweeper) opens its
own connection on first use: SQLite serializes the writers, WAL lets the readers go on. A
connection holds 2 file descriptors (the database and its WAL), and it closed only when
Python's cycle collector found it (sqlite3's statement cache points back at its connection),
long after its thread had ended. Measured on a real `chronochrome serve` (tiny model), 3 bursts
of 200 requests, then 12 s idle so the pool let its idle threads go (8-10 threads left): 143
descriptors open, 67 of the database and 67 WALs; now 53, 39 of the database and 5 WALs.
The connection now closes as its thread ends (`_ThreadConnection`); SQLite keeps its database
descriptor for the next connection to reuse while another connection of the process holds a
lock on the file, so those stay at the pool's peak of threads instead of piling up.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from colorizer.apps.service.store_storage import write_transaction


class StoreConnection:
    """The per-thread connection of the database at `path`, and its write transactions.

    The parts of `JobStore` build on it; `retention` and `item_rows` run their statements
    under the same connection and rules (`connection`, `transaction`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        held = getattr(self._local, "held", None)
        if held is None:
            held = _ThreadConnection(_connect(self.path))
            self._local.held = held
        return held.db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before reading so check-then-write is atomic; a
        full or read-only disk raises `StorageError` (`store_storage`)."""
        with write_transaction(self._db(), self.path.parent) as db:
            yield db

    connection, transaction = _db, _tx


class _ThreadConnection:
    """A thread's connection, closed when the thread's local storage is dropped: as the thread
    ends (in that thread), or when its store is dropped. Only its own thread uses it, and never
    in the middle of a transaction when the thread ends (transactions are `with` blocks)."""

    __slots__ = ("db",)

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __del__(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:  # nothing to do about it as a thread ends: the OS frees the fds
            pass


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    # Before WAL, which writes the header: a new database frees the pages of deleted
    # uploads incrementally (retention.reclaim_space); an old one converts at a VACUUM.
    db.execute("PRAGMA auto_vacuum=INCREMENTAL")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # a committed job survives a power cut
    # Freed pages are not zeroed through the WAL (the bundled SQLite's default): that
    # wrote 101 MB of WAL to expire 500 jobs of 200 KB uploads, which a full disk cannot
    # hold (storage_reserve); retention cuts the freed pages off the file at once.
    db.execute("PRAGMA secure_delete=FAST")
    db.execute("PRAGMA busy_timeout=30000")
    return db
