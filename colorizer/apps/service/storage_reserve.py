"""Room kept back on the data folder's disk, so that clean-up still runs when it is full.

Deleting results needs a write first: expiring a job is recorded in the database before its
files go (`retention`, step 1), and SQLite appends that to its WAL. On a full disk that write
failed ("database or disk is full"), so neither the retention sweep, nor `chronochrome results
cleanup`, nor an owner's `DELETE ?purge=true` could free anything: the service stayed full
until its operator deleted something by hand.

Now the sweep keeps `RESERVE_BYTES` in a file of the data folder (`.storage-reserve`, made
when there is room). A clean-up that meets a full disk removes it, records what it deletes,
deletes the files, and makes the reserve again at its next pass with room.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from colorizer.apps.service.store_errors import StorageError

log = logging.getLogger("chronochrome.service.retention")

RESERVE = ".storage-reserve"
# Expiring a sweep batch of 500 jobs (a 200 KB upload each) appended 1.8 MB to the WAL
# (b-tree and freelist pages; the blobs' own pages are only listed: store_connection.py's
# secure_delete=FAST): 4 MiB covers a batch, and is little beside what a full disk holds.
RESERVE_BYTES = 4 * 1024 * 1024
_CHUNK = 1024 * 1024

T = TypeVar("T")


def keep_reserve(folder: Path, size: int = RESERVE_BYTES) -> bool:
    """Make the reserve in `folder` when it is missing or short; False when there is no room
    for it (nothing is left behind then)."""
    path = folder / RESERVE
    try:
        if path.stat().st_size >= size:
            return True
    except FileNotFoundError:
        pass
    try:
        with open(path, "wb") as handle:  # zeros written, not a sparse file: real blocks
            handle.writelines(bytes(min(_CHUNK, size - start))
                              for start in range(0, size, _CHUNK))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        log.debug("no room for the storage reserve in %s: %s", folder, exc)
        return False
    return True


def with_room(folder: Path, write: Callable[[], T]) -> T:
    """`write()`; on a full disk, once more after the reserve in `folder` is given back."""
    try:
        return write()
    except StorageError as exc:
        if not exc.full or not _release(folder):
            raise
    log.warning("the disk of %s is full: its reserve (%d MB) was given back so that clean-up "
                "can record what it deletes; make room on that disk", folder,
                RESERVE_BYTES // 2**20)
    return write()


def _release(folder: Path) -> bool:
    try:
        (folder / RESERVE).unlink()
    except FileNotFoundError:
        return False
    return True
