"""Whose item runs next: the queue is fair between API keys, first come first served within one.

Workers took the oldest waiting item, so one archive's 500-item batch made every other archive's
one photo wait for all 500 (`python -m eval.service_fairness`, 64-px photos, one worker: a
1-item job posted a minute after another key's 500-item job waited 16.7 s and ended after the
last of the 500; now 1.4 s, with 278 of the 500 done). Now each item gets a *turn* when its job
is queued (start-time fair queueing, one item of work each), and a worker leases the waiting
item of the lowest turn (then the oldest, then by index):

- a key's items take consecutive turns from `max(now serving, 1 + the last turn of its items
  queued or running)`, so its jobs run in the order they came, each in index order;
- "now serving" is the lowest turn still queued, so a key that was idle starts level with
  the queue's head instead of behind everything queued before it, and never ahead of it;
- n keys with work waiting each get about 1 item in n, whatever their jobs' sizes.

An item queued again (interrupted, lease expired) keeps its turn, so it goes first as before.
Turns are relative: only their order among waiting items counts. A database of before the
turns (store_schema version 2) had them all 0: its waiting items keep their order.
"""

from __future__ import annotations

import sqlite3

# The lease's order: fair between keys, in order within one (the ties of one turn are rare).
LEASE_ORDER = "i.turn, i.created, i.idx"


def next_turn(db: sqlite3.Connection, key_id: str) -> int:
    """The turn of the first item of a job `key_id` queues now; its items take consecutive
    ones. Run inside the transaction that inserts them, so two jobs never read the same."""
    serving = db.execute(
        "SELECT MIN(i.turn) FROM items i JOIN jobs j ON j.id = i.job_id "
        "WHERE i.status = 'queued' AND j.status = 'active'").fetchone()[0]
    own_last = db.execute(
        "SELECT MAX(i.turn) FROM items i JOIN jobs j ON j.id = i.job_id "
        "WHERE i.status IN ('queued', 'running') AND j.status = 'active' AND j.key_id = ?",
        (key_id,)).fetchone()[0]
    return max(serving or 0, own_last + 1 if own_last is not None else 0)
