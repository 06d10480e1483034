"""Admission fair between API keys: each key may hold only its share of the queue.

`queue_cap` (1,000 queued + running items) was shared by all keys, so one department posting
two 500-item jobs made every other department's POST /v1/jobs answer 429 until its queue
drained (played over HTTP, `--queue-cap 10`: A's two 5-item jobs were 202, B's one photo 429
`queue_full`). Scheduling was already fair (`store_turns`); admission now is too.

The rule, checked before a job's body is decoded and again in the transaction that creates it:

- a key may hold at most `per_key_queue_cap` items queued or running (its *share*); the
  default, 0, means half of `queue_cap` rounded up (500 of 1,000), so one key can never take
  more than half the queue and the other half stays open to every other key;
- the whole queue still holds at most `queue_cap` items, whoever posted them;
- a POST that would break either limit is 429 with `Retry-After`; its problem+json says which:
  `queue_full` (the whole queue: everyone's items must finish) is checked first, then
  `key_share_full` (this key's share: wait for its own items to finish). The detail names
  the limit and its cap, and `queue_depth` is the count that limit is over (the key's own
  items for `key_share_full`, all items for `queue_full`).

A service with one department that wants the whole queue for its key sets
`per_key_queue_cap` equal to `queue_cap`, which turns the shares off. A job bigger than the
key's share could never be admitted: a job's items are capped at the smaller of
`job_max_items` and the share (413 `too_many_items`, "split it").

Seeing the share before a refusal: a key asks `GET /v1/queue` (`queue_routes`) for its own
held items, its cap and its room; /readyz, open to anyone, shows only figures that name no
key (the share's cap, how many keys are at it), so one department never sees another's load.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass

from colorizer.apps.service.store_errors import QueueFullError

# The items that count against a cap: queued or running, of jobs still active (as
# `store_jobs._queue_depth` counts them).
_HELD = ("FROM items i JOIN jobs j ON j.id = i.job_id WHERE i.status IN ('queued', 'running') "
         "AND j.status = 'active'")


class KeyShareFullError(QueueFullError):
    """Queueing the items would take this API key beyond its share of the queue."""

    reason = "key_share_full"

    def __init__(self, key_depth: int, key_cap: int, queue_cap: int) -> None:
        # Skips QueueFullError's message (it names the whole queue); its fields keep meaning
        # "the count and cap of the limit refused": here the key's.
        super(QueueFullError, self).__init__(
            f"this API key holds {key_depth} queued or running items and its share of the "
            f"queue is {key_cap} (of {queue_cap} for all keys); retry after the Retry-After "
            "delay, once some of its items have finished")
        self.queue_depth, self.queue_cap = key_depth, key_cap


def key_share(queue_cap: int, per_key_queue_cap: int) -> int:
    """The items one key may hold: `per_key_queue_cap`, or half of `queue_cap` (rounded up)
    when it is 0."""
    return per_key_queue_cap or max(1, (queue_cap + 1) // 2)


def key_queue_depth(db: sqlite3.Connection, key_id: str) -> int:
    """Items of `key_id` queued or running (of active jobs), as `store_jobs._queue_depth` counts."""
    return db.execute(f"SELECT COUNT(*) {_HELD} AND j.key_id = ?", (key_id,)).fetchone()[0]


def require_key_room(db: sqlite3.Connection, key_id: str, items: int, key_cap: int,
                     queue_cap: int) -> None:
    """Raise KeyShareFullError when `items` more would take `key_id` beyond `key_cap`."""
    depth = key_queue_depth(db, key_id)
    if depth + items > key_cap:
        raise KeyShareFullError(depth, key_cap, queue_cap)


@dataclass(frozen=True)
class KeyQueueShare:
    """One key's place in the queue, as `GET /v1/queue` shows it to that key."""

    queued: int  # its items waiting for a worker
    running: int  # its items a worker is on
    cap: int  # the items it may hold (its share)
    queue_depth: int  # every key's items queued or running
    queue_cap: int  # the whole queue's cap

    @property
    def held(self) -> int:
        return self.queued + self.running

    @property
    def room(self) -> int:
        """Items a POST /v1/jobs of this key would be admitted with now."""
        return max(0, min(self.cap - self.held, self.queue_cap - self.queue_depth))

    @property
    def limited_by(self) -> str | None:
        """The 429 reason a POST of one more item would get now (queue first, as admission
        checks it), or None while there is room."""
        if self.queue_depth >= self.queue_cap:
            return "queue_full"
        return "key_share_full" if self.held >= self.cap else None

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "held": self.held, "room": self.room,
                "limited_by": self.limited_by}


def key_queue_share(db: sqlite3.Connection, key_id: str, key_cap: int,
                    queue_cap: int) -> KeyQueueShare:
    """`key_id`'s queued and running items beside its share and the whole queue, read in one
    statement so the figures agree with each other."""
    row = db.execute("SELECT COALESCE(SUM(i.status = 'queued' AND j.key_id = ?), 0), "
                     "COALESCE(SUM(i.status = 'running' AND j.key_id = ?), 0), COUNT(*) "
                     f"{_HELD}", (key_id, key_id)).fetchone()
    return KeyQueueShare(row[0], row[1], key_cap, row[2], queue_cap)


def keys_at_share_cap(db: sqlite3.Connection, key_cap: int) -> int:
    """How many keys hold their whole share (their next POST is 429 key_share_full): a count
    that names no key, for /readyz."""
    return db.execute(f"SELECT COUNT(*) FROM (SELECT j.key_id {_HELD} GROUP BY j.key_id "
                      "HAVING COUNT(*) >= ?)", (key_cap,)).fetchone()[0]


def held_by_key(db: sqlite3.Connection) -> dict[str, int]:
    """Items queued or running of each key that holds any: the operator's view (/metrics)."""
    return dict(db.execute(f"SELECT j.key_id, COUNT(*) {_HELD} GROUP BY j.key_id "
                           "ORDER BY j.key_id").fetchall())
