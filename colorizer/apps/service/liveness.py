"""Which worker processes are alive, so that a restarted service takes back at once the items
a killed process was working on.

Before, an item leased by a process that was killed (SIGKILL, the OOM killer, a power cut)
stayed "running" in its job's view while nothing worked on it, until its lease expired: up to
`lease_seconds` (120 s) after the process died. It was then retried without a word of why.

Every process that runs workers (`chronochrome serve`, `serve --worker-only`) holds an
exclusive flock on `<data dir>/workers/<id>.lock` for its whole life, and its workers lease
items as `<id>/<worker>`. The kernel releases a flock when its process ends, however it ends.
`reclaim_dead`, run when a process starts, tries each lock file: one it can lock belongs to a
process that is gone, so that process's running items are queued again at once, marked
interrupted (the job's view says so), the webhooks it had claimed and not sent (the last item's
completion claims the job's, `sending`; that state was kept for good) are sent by the caller,
and its file is removed. A webhook may so arrive twice (sent, then killed before recording
it): an event names its job, for receivers to see a repeat. An item whose owner has no lock
file here (a process on another machine sharing the data folder, or an older version) is left
to its lease's expiry, as before; `JobStore.lease` marks it interrupted when it takes it over.
So is every item of a data folder on a file system without flock (a warning says so).
An item interrupted `max_attempts` times is failed (`worker_crashed`) by `JobStore.lease`,
never retried forever.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

from colorizer.apps.service.store import JobStore

log = logging.getLogger("chronochrome.service")

INTERRUPTED = "interrupted"  # the error_reason of an item taken back from a stopped worker
_REQUEUE = (
    "UPDATE items SET status = 'queued', lease_owner = NULL, lease_expires = NULL, "
    "error_reason = ?, error_detail = 'attempt ' || attempts || ' was interrupted: the "
    "process running it stopped (killed, or the service restarted) before it finished; the "
    "item was queued again' WHERE status = 'running' AND lease_owner LIKE ?")
_UNSENT = ("SELECT id FROM jobs WHERE webhook_state = 'sending' AND "
           "json_extract(meta, '$.webhook_sender') LIKE ?")


def locks_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "workers"


class ProcessLock:
    """This process's lock file, held until `release` or the process's end."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.id = uuid.uuid4().hex[:16]
        self.path = folder / f"{self.id}.lock"
        # Locked before it appears under its name, so a reclaimer never locks a new one.
        staging = folder / f".{self.id}.tmp"
        self._fd = os.open(staging, os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:  # no flock here: no file, so leases alone, as before
            log.warning("%s cannot be locked (%s): a killed process's items will be retried "
                        "when their leases expire", folder, exc)
            staging.unlink(missing_ok=True)
            return
        os.write(self._fd, f"pid {os.getpid()}\n".encode())  # for a person looking
        os.replace(staging, self.path)

    def owner(self, worker: str) -> str:
        """The lease owner name of this process's worker `worker`."""
        return f"{self.id}/{worker}"

    def release(self) -> None:
        """At a clean stop, once no worker of this process holds an item."""
        self.path.unlink(missing_ok=True)
        os.close(self._fd)


def reclaim_dead(store: JobStore, folder: Path, sender: str,
                 send: Callable[[str], None]) -> int:
    """Queue again the running items of processes that are gone, and `send` (a job id) the
    webhooks they had not sent, now as `sender`'s; returns how many items were queued."""
    requeued = 0
    for path in sorted(folder.glob("*.lock")) if folder.is_dir() else ():
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:  # released meanwhile
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # its process is alive (BlockingIOError), or no flock here
                continue
            with store.transaction() as db:
                found, unsent = _take_back(db, path.stem, sender)
            if found or unsent:
                log.warning("a stopped worker process (%s): %d item(s) queued again, %d "
                            "webhook(s) to send", path.stem, found, len(unsent))
            for job_id in unsent:
                send(job_id)
            requeued += found
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return requeued


def live_processes(folder: Path) -> int:
    """How many processes hold a lock file in `folder` now (this one included when it holds
    one): a lock that cannot be taken belongs to a live process. A free one is let go at once,
    left for `reclaim_dead` at the next start (its items' leases expire meanwhile)."""
    live = 0
    for path in folder.glob("*.lock") if folder.is_dir() else ():
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:  # released meanwhile
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            live += 1
        except OSError:  # no flock here: nothing can be told
            continue
        finally:
            os.close(fd)  # closing releases a lock it took
    return live


def _take_back(db: sqlite3.Connection, process: str, sender: str) -> tuple[int, list[str]]:
    """(items queued again, jobs whose webhook `sender` now sends) of a stopped process."""
    found = db.execute(_REQUEUE, (INTERRUPTED, f"{process}/%")).rowcount
    unsent = [row[0] for row in db.execute(_UNSENT, (f"{process}/%",))]
    db.executemany("UPDATE jobs SET meta = json_set(meta, '$.webhook_sender', ?) WHERE id = ?",
                   [(sender, job_id) for job_id in unsent])
    return found, unsent
