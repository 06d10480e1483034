"""An item's files as answers: the result, its provenance record, the uploaded original, and
the records a manifest is built from; 409 while an item runs, 410 once it has none.

An item has no files for good when it failed, was canceled, or its job *expired*: the result
retention (`retention`) or the operator's clean-up deleted them, or its owner did. Each of these
answers 410 with a reason and a detail that says when and why, never 404 or 500.

A file is opened before its answer starts and streamed from the open handle: the sweeper may
unlink it a moment later, and a download that has begun still ends whole (POSIX keeps an open
file's data), while one that comes after answers 410.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import Request
from fastapi.responses import Response
from PIL import Image

from colorizer.apps.service.conditional import Validators
from colorizer.apps.service.downloads import download
from colorizer.apps.service.item_names import original_name
from colorizer.apps.service.job_pages import Page, job_page
from colorizer.apps.service.original_blobs import StoredOriginal, open_original
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.retention import BY_CLEANUP, BY_OWNER
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.store_errors import JobNotFoundError
from colorizer.pipeline.pil_settings import PIL_SETTINGS


class ItemFiles:
    """The files of a key's items, in `results_dir`, as `JobStore` records them."""

    def __init__(self, store: JobStore, results_dir: Path, retention_seconds: float) -> None:
        self.store, self.results_dir = store, results_dir
        self.retention_seconds = retention_seconds  # only for the words of a 410

    def done_item(self, key_id: str, job_id: str,
                  index: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """(job, item) of a finished item of this key's job; 404, 409 or 410 otherwise. The
        job comes with that one item (`job_item`)."""
        job, item = self.job_item(key_id, job_id, index)
        if item is None:
            raise Problem(404, "item_not_found", f"job {job_id} has no item {index}")
        if item["status"] == "expired":
            raise self.expired(job, f"item {index}")
        if item["status"] in ("failed", "canceled"):  # final: polling would never end
            # (a canceled item's detail may say an earlier attempt was interrupted: not why)
            failed = item["status"] == "failed" and item.get("error_detail")
            detail = f": {item['error_detail']}" if failed else ""
            raise Problem(410, f"item_{item['status']}", f"item {index} is {item['status']} "
                          f"and has no result{detail}; submit it again as a new job if needed")
        if item["status"] != "done":
            raise Problem(409, "not_done", f"item {index} is {item['status']}; poll "
                          f"GET /v1/jobs/{job_id} until it is done")
        return job, item

    def response(self, request: Request, key_id: str, item: dict[str, Any], which: str,
                 media_type: str, filename: str | None = None) -> Response:
        """A done item's `which` file ("result_file" or "provenance_file") as a download (GET
        or HEAD; ranges and conditional requests: `downloads`)."""
        handle = self._open(item[which], key_id, item["job_id"], item["idx"])
        stat = os.fstat(handle.fileno())
        if which == "result_file":  # the digest of the bytes as written (results.py)
            digest = item["result_sha256"]
        else:  # a small JSON file: hashed as it is read
            try:
                digest = hashlib.sha256(handle.read()).hexdigest()
                handle.seek(0)
            except BaseException:
                handle.close()
                raise
        return download(request.headers, request.method, handle, stat.st_size, media_type,
                        Validators.of(digest, stat.st_mtime), filename)

    def original_response(self, request: Request, key_id: str, job_id: str,
                          index: int) -> Response:
        """The uploaded original (GET or HEAD, ranges and conditional requests as a result's),
        named after the upload. Its ETag is the SHA-256 the item recorded of these bytes when
        they came in (`intake.describe_upload`): hashing them again cost every request, a 304 or a
        HEAD included, about 30 ms of CPU per 50 MB scan. Its length and type are read from
        the stored blob without reading the blob (`original_blobs`); a GET streams it."""
        job, item, handle = self.original(key_id, job_id, index)
        try:
            # (every version records it; only a row made by hand could lack it)
            digest = item["source"].get("sha256") or _sha256_of(handle)
            mime = image_mime_of(handle)
        except BaseException:
            handle.close()
            raise
        return download(request.headers, request.method, handle, handle.size, mime,
                        Validators.of(digest, job["created"]), original_name(item["source"]))

    def original(self, key_id: str, job_id: str, index: int
                 ) -> tuple[dict[str, Any], dict[str, Any], StoredOriginal]:
        """(job, item, the bytes opened as a file: close it) of an item's uploaded original;
        404 for an item that was not uploaded."""
        job, item = self.job_item(key_id, job_id, index)
        if item is None or item["source"]["kind"] != "upload":
            raise Problem(404, "item_not_found", f"job {job_id} has no uploaded item {index}")
        if job["status"] == "expired":  # the originals went with the results
            raise self.expired(job, f"the original of item {index}")
        handle = open_original(self.store.path, item["id"])
        if handle is None:  # expired between the two reads
            raise self.expired(self.store.require_job(key_id, job_id),
                               f"the original of item {index}")
        return job, item, handle

    def job_item(self, key_id: str, job_id: str, index: int
                 ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """This key's job with only item `index` read (None when it has no such item): a
        download read the whole job, 312 ms at 10,000 items against 6 ms at 100, so fetching a
        collection's results took time growing with the square of its size."""
        job = job_page(self.store, key_id, job_id, Page(max(index, 0), 1))
        if job is None:
            raise JobNotFoundError(job_id)
        items = [i for i in job["items"] if i["idx"] == index] if index >= 0 else []
        return job, (items[0] if items else None)

    def records(self, key_id: str, job: dict[str, Any]) -> dict[int, dict[str, Any]]:
        """The provenance records of a job's finished items, by index (for its manifest);
        410 when the job ended and none of its items has a result (polling would never end)."""
        if job["status"] == "expired":
            raise self.expired(job, "the manifest")
        records = {item["idx"]: self.record(key_id, item) for item in job["items"]
                   if item["status"] == "done"}
        if not records:
            self.require_some_done(job)
        return records

    def require_some_done(self, job: dict[str, Any]) -> None:
        """410 for a job that ended with no item done (polling would never end)."""
        if job["state"] in ("failed", "canceled"):
            how = "failed" if job["state"] == "failed" else "failed or was canceled"
            raise Problem(410, f"job_{job['state']}", f"job {job['id']} has no manifest: every "
                          f"item {how}, so none has a result; GET /v1/jobs/{job['id']} shows "
                          "each item's error; submit the photos again as a new job if needed")

    def record(self, key_id: str, item: dict[str, Any]) -> dict[str, Any]:
        """A done item's provenance record (410 when its file is gone)."""
        with self._open(item["provenance_file"], key_id, item["job_id"], item["idx"]) as f:
            return json.loads(f.read().decode("utf-8"))

    def expired(self, job: dict[str, Any], what: str, verb: str = "is") -> Problem:
        """The 410 of an expired job's file (or color hints): when, why, and what to do."""
        note = job["meta"].get("expired") or {}
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(note.get("at", time.time())))
        why = note.get("reason")
        if why == BY_OWNER:
            reason, cause = "result_deleted", "at the request of its API key (DELETE ?purge=true)"
        elif why == BY_CLEANUP:
            reason, cause = "result_expired", "by the service's operator (results clean-up)"
        else:
            kept = (f"{self.retention_seconds / 86400:g} days" if self.retention_seconds
                    else "a limited time")
            reason, cause = "result_expired", (f"by the result retention (results are kept "
                                               f"{kept} after a job ends)")
        return Problem(410, reason, f"{what} of job {job['id']} {verb} gone: the job's results "
                       f"were deleted on {when} {cause}; submit the photo again as a new job "
                       "if you need it", expired_at=note.get("at"))

    def _open(self, name: str | None, key_id: str, job_id: str, index: int) -> BinaryIO:
        try:
            if name is None:
                raise FileNotFoundError(name)
            return (self.results_dir / name).open("rb")
        except FileNotFoundError:
            job = self.store.require_job(key_id, job_id)
            if job["status"] == "expired":  # the sweeper got there first
                raise self.expired(job, f"item {index}") from None
            raise Problem(410, "result_missing", f"the file of item {index} of job {job_id} is "
                          "missing from the service's results folder (removed by hand?); "
                          "submit the photo again as a new job") from None


def image_mime_of(data: bytes | BinaryIO) -> str:
    """The MIME type of an image (its bytes, or a seekable file: only its header is read),
    from its header (an uploaded original was read as an image when it came in);
    application/octet-stream for a format PIL does not know."""
    fp = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        # Only the header is read (no pixels): PIL's bomb check would print its warning for a
        # 100 MP upload that the service's cap accepted.
        with PIL_SETTINGS, Image.open(fp) as image:
            return Image.MIME.get(image.format or "", "application/octet-stream")
    except (OSError, Image.DecompressionBombError):
        return "application/octet-stream"
    finally:
        fp.seek(0)


def _sha256_of(handle: BinaryIO) -> str:
    """The SHA-256 of a file, read a piece at a time (then back at its start)."""
    digest = hashlib.sha256()
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()
