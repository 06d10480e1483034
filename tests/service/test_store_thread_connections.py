"""A thread's SQLite connection to the job store closes when the thread ends.

Each request thread opens its own connection (2 file descriptors: the database and its WAL).
It closed only when Python's cycle collector came by, long after its thread had ended: a real
`chronochrome serve` kept 107 descriptors of its database after 3 bursts of 200 requests, with
8 threads left. `store_connection` closes it as the thread ends: its WAL's descriptor closes,
and SQLite keeps the database's for the next connection to reuse (it cannot close it while
another connection of the process holds a lock on the file), so they no longer pile up.
"""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

from colorizer.apps.service.store import JobStore, NewItem


def _open_fds(path: Path) -> int:
    """This process's open descriptors of the file `path`."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == str(path)
        except OSError:  # the listing's own descriptor, closed by now
            continue
    return count


def _in_threads(count: int, work) -> None:
    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_threads_connection_closes_when_the_thread_ends(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    key_id, secret = store.create_key("archive")
    job_id, _ = store.create_job(key_id, [NewItem({"kind": "url", "url": "http://x/a.png"})],
                                 fmt="png")
    wal = store.path.with_name(store.path.name + "-wal")
    wal_before = _open_fds(wal)
    gc.disable()  # no cycle collection: what closes them is the thread's end itself
    try:
        held = []
        for _ in range(3):  # 3 bursts of 20 threads, as a server's request threads come and go
            _in_threads(20, lambda: (store.key_for(secret), store.job(key_id, job_id),
                                     store.set_webhook_state(job_id, "skipped", "none given")))
            held.append((_open_fds(store.path), _open_fds(wal)))
        assert [wal_fds for _, wal_fds in held] == [wal_before] * 3  # 21, 41, 61 before
        # SQLite keeps some closed connections' database descriptors for reuse while another
        # holds a lock (how many varies with timing: 16, 19): bounded by a burst, not growing
        assert max(db_fds for db_fds, _ in held) <= 21  # 21, 41, 61 before
    finally:
        gc.enable()
    assert store.job(key_id, job_id)["webhook_state"] == "skipped"  # the writes were kept
    assert store.key_for(secret) == key_id  # this thread's own connection still works


def test_a_dropped_store_closes_its_connections(tmp_path):
    path = tmp_path / "jobs.sqlite3"
    gc.disable()
    try:
        store = JobStore(path)
        store.create_key("archive")
        assert _open_fds(path) >= 1
        del store
        assert _open_fds(path) == 0
    finally:
        gc.enable()
    assert len(JobStore(path).list_keys()) == 1
