"""An uploaded original as a file: read from its SQLite blob a piece at a time.

Originals are kept as blobs in `jobs.sqlite3` (`uploads`, written with their job). Answering a
download with `JobStore.upload` read the whole blob first, even for a HEAD or a 304 that sends
none of it: 155 ms and the server's peak RSS up by about 70 MB per request for a 13 MB TIFF
(measured 2026-12-06 over HTTP). `open_original` instead opens the blob (SQLite's incremental
blob I/O) and reads only what is asked: its size is `length(data)`, which SQLite answers from
the record header, its image type the first bytes, and a GET streams it 64 KiB at a time.

Each open original has a database connection of its own, in one read transaction: the blob is
read from one snapshot while the retention sweeper may delete the row (WAL keeps the snapshot,
as POSIX keeps an unlinked file's data for a handle), and the stream may be read on any thread
of the server's pool (a JobStore connection belongs to one thread and its requests).

`write_original` stores an upload the same way round, a piece at a time into a blob made to
its size: an upload bound as a parameter is copied by SQLite (Python binds it transient), and
the copy stays bound to the connection's cached INSERT until that statement runs again, so
after a 157 MB PNG was queued the API process held 157 MB more for as long as no other upload
came (measured 2026-12-07 on a 108 MP 16-bit scan: 450 MB after the POST against 288 before).
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

_PIECE = 1 << 20  # bytes written per blob write: the page cache takes them, no whole copy


def write_original(db: sqlite3.Connection, item_id: str, data: bytes) -> None:
    """Store `data` as the upload of item `item_id`, inside the caller's transaction, without
    binding it whole (see the module's docstring for why)."""
    rowid = db.execute("INSERT INTO uploads (item_id, data) VALUES (?, zeroblob(?))",
                       (item_id, len(data))).lastrowid
    assert rowid is not None  # (an INSERT into a rowid table)
    view = memoryview(data)
    with db.blobopen("uploads", "data", rowid) as blob:
        for start in range(0, len(view), _PIECE):
            blob.write(view[start:start + _PIECE])


class StoredOriginal(io.RawIOBase):
    """A read-only, seekable binary file over one upload's blob (the whole `io` file API, as
    PIL reads a header with `readline` too); `size` is its length in bytes. Close it (or use
    it as a context manager): that ends its read transaction."""

    def __init__(self, db: sqlite3.Connection, blob: sqlite3.Blob, size: int) -> None:
        super().__init__()
        self._db, self._blob, self.size = db, blob, size

    def readinto(self, buffer: Any) -> int:
        data = self._blob.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:  # one copy fewer than readinto's
        return self._blob.read(size if size is not None else -1)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # sqlite3.Blob refuses a position past its end; a file allows it (and reads nothing)
        ends = {io.SEEK_SET: 0, io.SEEK_CUR: self._blob.tell(), io.SEEK_END: self.size}
        self._blob.seek(min(max(0, ends[whence] + offset), self.size))
        return self._blob.tell()

    def tell(self) -> int:
        return self._blob.tell()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            try:
                self._blob.close()
            finally:
                self._db.close()  # ends the read transaction
                super().close()


def open_original(db_path: Path, item_id: str) -> StoredOriginal | None:
    """The upload of item `item_id` opened for reading; None when none is stored (the job
    expired, or the item was not uploaded)."""
    db = sqlite3.connect(db_path, timeout=30.0, isolation_level=None, check_same_thread=False)
    try:
        db.execute("BEGIN")  # one snapshot for the look-up and every read of the blob
        row = db.execute("SELECT rowid, length(data) FROM uploads WHERE item_id = ?",
                         (item_id,)).fetchone()
        if row is None:
            db.close()
            return None
        return StoredOriginal(db, db.blobopen("uploads", "data", row[0], readonly=True), row[1])
    except BaseException:
        db.close()
        raise
