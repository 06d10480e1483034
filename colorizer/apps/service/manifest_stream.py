"""A job's IIIF manifest (`GET /v1/jobs/{id}/manifest`), written canvas by canvas.

The manifest holds every done item (a IIIF viewer does not follow pages). It was built whole:
every done item's row and provenance record read, every canvas made, then the JSON encoded,
all in memory at once: for a 10,000-item job 23 MB of JSON, the server's peak RSS up 229 MB and
its first byte after 4.6 s (measured 2026-12-06 over HTTP; now up 8 MB, the first byte after
0.18 s, the whole in about the same 5 s). Now the checks that
can refuse it (404, 409, 410) and the first `PAGE_ITEMS` canvases come before the answer
starts, and the rest is read `PAGE_ITEMS` items at a time (keyset: `idx` after the last one,
through the `items_job` index) and sent as it is encoded, so memory stays that of one page
whatever the job's size. The document is the same (only its `items` key now comes last).

An item whose provenance file is gone once the answer has begun (the retention sweeper
expired the job meanwhile) is left out, with a warning in the log: the status is sent already,
and the job's images answer 410 from then on anyway.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.responses import StreamingResponse

from colorizer.apps.service.iiif import manifest_head, result_canvas
from colorizer.apps.service.item_files import ItemFiles
from colorizer.apps.service.item_rows import ITEM_COLUMNS, item_dict
from colorizer.apps.service.job_pages import Page, job_page
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.store_errors import JobNotFoundError

log = logging.getLogger("chronochrome.service")

IIIF_JSON = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
PAGE_ITEMS = 200  # done items (and their provenance records) held at once
_COMPACT = {"ensure_ascii": False, "separators": (",", ":")}  # as JSONResponse writes JSON


def manifest_response(files: ItemFiles, key_id: str, job_id: str, base: str,
                      sign: Callable[[str], str]) -> StreamingResponse:
    """The manifest of this key's job; 404, 409 or 410 (raised before anything is sent)."""
    store = files.store
    job = job_page(store, key_id, job_id, Page(0, 0))  # the job and its counts, no items
    if job is None:
        raise JobNotFoundError(job_id)
    if job["status"] == "expired":
        raise files.expired(job, "the manifest")
    if not job["counts"].get("done"):
        files.require_some_done(job)
        raise _not_done(job_id)
    job_url = f"{base}/v1/jobs/{job_id}"

    def canvases(after: int, strict: bool = False) -> tuple[list[dict[str, Any]], int]:
        """(the canvases of the next page of done items after index `after`, its last
        index); `strict`: a missing record raises its 410 instead of leaving the item out."""
        items = done_items(store, job_id, after)
        made = []
        for item in items:
            try:
                record = files.record(key_id, item)
            except Problem as exc:
                if strict:
                    raise
                # the answer has begun: its status cannot change any more
                log.warning("manifest of job %s: item %d left out (%s)", job_id, item["idx"],
                            exc.detail)
                continue
            made.append(result_canvas(job_url, item, record, job["format"], sign))
        return made, (items[-1]["idx"] if items else after)

    first, last = canvases(-1, strict=True)  # a missing file: 410, as the whole manifest did
    if not first:  # expired or reset between the two reads
        raise _not_done(job_id)
    return StreamingResponse(_chunks(manifest_head(job, base), first, last, canvases),
                             media_type=IIIF_JSON)


def done_items(store: JobStore, job_id: str, after: int,
               limit: int = PAGE_ITEMS) -> list[dict[str, Any]]:
    """At most `limit` done items of a job with an index above `after`, in index order."""
    rows = store.connection().execute(
        f"SELECT {ITEM_COLUMNS} FROM items WHERE job_id = ? AND status = 'done' AND idx > ? "
        "ORDER BY idx LIMIT ?", (job_id, after, limit)).fetchall()
    return [item_dict(row) for row in rows]


def _chunks(head: dict[str, Any], first: list[dict[str, Any]], last: int,
            more: Callable[[int], tuple[list[dict[str, Any]], int]]) -> Iterator[bytes]:
    """The manifest's JSON: `head` with its `items` written a page of canvases at a time."""
    yield (json.dumps(head, **_COMPACT)[:-1] + ',"items":[').encode("utf-8")
    page, sep, ended = first, "", False
    while not ended:  # a page whose every record went away mid-answer is empty, not the end
        if page:
            yield (sep + ",".join(json.dumps(c, **_COMPACT) for c in page)).encode("utf-8")
            sep = ","
        previous = last
        page, last = more(last)
        ended = last == previous
    yield b"]}"


def _not_done(job_id: str) -> Problem:
    return Problem(409, "not_done", f"job {job_id} has no finished item yet; poll "
                   f"GET /v1/jobs/{job_id} until one is done")
