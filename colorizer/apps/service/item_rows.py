"""An item's row as `JobStore.job` reads it: everything but its color hints, which stay in the
database with their count; `item_hints` reads one item's, `job_hints` a job's, when a client
asks for them (on the store's connection, `JobStore.connection()`).

An item's hints are kept in its stored source as submitted (`hint_items`), masks and
reference photos as data: URIs, tens of kilobytes to megabytes each. Every poll of a job, every
download of one of its files and its manifest read the whole job, so they read and parsed all
its items' hints each time, and the job view sent them all (212 KB per poll for six items with
one mask each). The worker reads an item's whole source through its lease, hints included.

When a job's results expire (`retention`), its items' hints are deleted with them
(`remove_hints`): they can be the archive's own material, and large. Each item keeps only how
many it had (`REMOVED_KEY`), so the job view still says so; the routes answer 410 for them.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

HINTS_KEY = "color_hints"  # where an item's hints are kept in its stored source
REMOVED_KEY = "color_hints_removed"  # what is kept of them once deleted: how many there were
_HAS_HINTS = f"json_type(source, '$.{HINTS_KEY}') IS NOT NULL"

# The items table's columns (store_schema._SCHEMA), the source without its hints, and their count.
ITEM_COLUMNS = (
    f"id, job_id, idx, status, json_remove(source, '$.{HINTS_KEY}', '$.{REMOVED_KEY}') AS "
    f"source, coalesce(json_array_length(source, '$.{HINTS_KEY}'), "
    f"json_extract(source, '$.{REMOVED_KEY}'), 0) AS hint_count, hint, caption, "
    "attempts, lease_owner, lease_expires, result_file, result_sha256, provenance_file, "
    "error_status, error_reason, error_detail, timings, created, finished, completions")


def item_dict(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["source"] = json.loads(data["source"])
    data["timings"] = json.loads(data["timings"]) if data["timings"] else {}
    return data


def item_hints(db: sqlite3.Connection, key_id: str, job_id: str,
               index: int) -> tuple[str, list[Any]] | None:
    """(the job's status, the color hints of item `index` of this key's job as submitted: []
    when it has none, or they were deleted: status "expired"); None when there is no such item
    for this key. One read, so the two agree."""
    row = db.execute(
        f"SELECT j.status, json_extract(i.source, '$.{HINTS_KEY}') AS hints FROM items i "
        "JOIN jobs j ON j.id = i.job_id WHERE j.id = ? AND j.key_id = ? AND i.idx = ?",
        (job_id, key_id, index)).fetchone()
    if row is None:
        return None
    return row["status"], json.loads(row["hints"]) if row["hints"] else []


def job_hints(db: sqlite3.Connection, job_id: str,
              indices: list[int] | None = None) -> dict[int, list[Any]]:
    """The color hints of a job's items that have any, by item index, as submitted; with
    `indices`, only those items' (a page of the job view: not every item's masks)."""
    only = f"AND idx IN ({', '.join('?' * len(indices))})" if indices is not None else ""
    rows = db.execute(f"SELECT idx, json_extract(source, '$.{HINTS_KEY}') AS hints FROM items "
                      f"WHERE job_id = ? AND json_array_length(source, '$.{HINTS_KEY}') > 0 "
                      f"{only}", (job_id, *(indices or ())))
    return {row["idx"]: json.loads(row["hints"]) for row in rows}


def remove_hints(db: sqlite3.Connection, job_id: str) -> int:
    """Delete the color hints of a job's items, each keeping how many it had (`REMOVED_KEY`);
    returns how many were deleted. Run inside the caller's transaction (`retention`)."""
    removed = db.execute(f"SELECT coalesce(sum(json_array_length(source, '$.{HINTS_KEY}')), 0) "
                         f"FROM items WHERE job_id = ? AND {_HAS_HINTS}", (job_id,)).fetchone()[0]
    if removed:
        db.execute(f"UPDATE items SET source = json_set(json_remove(source, '$.{HINTS_KEY}'), "
                   f"'$.{REMOVED_KEY}', json_array_length(source, '$.{HINTS_KEY}')) "
                   f"WHERE job_id = ? AND {_HAS_HINTS}", (job_id,))
    return int(removed)
