"""Free space on the data folder's disk: workers take no item while it is short, and /readyz
says so.

Played on a real 16 MB tmpfs with six one-photo jobs queued and 400 KB left free: the worker
took each queued item in turn, colorized it, met ENOSPC writing its result and failed it
(507 `storage_full`): four jobs of the queue failed within six seconds, while /readyz answered
200 "ready" with no problem. On a big queue a disk full for a few minutes failed every
department's waiting work, each to be submitted again. Now, below `ServiceConfig.
min_free_bytes` free, the worker loop leaves the queue alone (items stay queued and are done
once room is made) and says so once in the log; /readyz answers 503 with the problem. The item
whose write met a full disk still fails 507 (`worker._write`): a disk can fill between the
check and the write.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

log = logging.getLogger("chronochrome.service.worker")

_MB = 1024 * 1024


def room_problem(folder: Path, min_free: int) -> str | None:
    """None when `folder`'s disk has `min_free` bytes free (or the check is off, 0); else what
    is wrong and how to fix it, naming no path (/readyz is open to anyone)."""
    if min_free <= 0:
        return None
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:  # the folder is gone or unreadable: the writable check says more
        return f"the free space of the data folder's disk cannot be read ({exc.strerror})"
    if free >= min_free:
        return None
    return (f"the data folder's disk has {free / _MB:.1f} MB free, under min_free_bytes "
            f"({min_free / _MB:.1f} MB): workers take no item until room is made (expire old "
            "results: `chronochrome results cleanup --older-than 7d`), or lower min_free_bytes")


class RoomWatch:
    """A worker's view of the disk: whether it may take an item now, logged once per change."""

    def __init__(self, folder: Path, min_free: int, owner: str) -> None:
        self.folder, self.min_free, self.owner = folder, min_free, owner
        self.short = False  # the last check found too little room

    def may_take_work(self) -> bool:
        problem = room_problem(self.folder, self.min_free)
        if problem is not None and not self.short:
            log.warning("worker %s paused: %s; queued items wait", self.owner, problem)
        elif problem is None and self.short:
            log.info("worker %s resumed: the data folder's disk has room again", self.owner)
        self.short = problem is not None
        return not self.short
