"""Reading request bodies: a byte cap while streaming, then JSON, multipart or a raw image.

`read_request` turns any of the accepted bodies into one shape: a job-like JSON object and the
uploaded files as (name, bytes, content type). The body is spooled to a temporary file as it
arrives (`spooled_body`) and an upload read back from it once, so the serving process holds one
copy of an upload, not its pieces beside it. That file, and a form's file parts, are kept in
the data folder's `spool/` (`body_spool`), not /tmp, which is often RAM in a container.

A raw image body has no room for its color hints, so they come beside it: the `color_hints`
query parameter or the `Color-Hints` header, holding the same JSON as a hints file (a list
such as [{"point": [120, 80], "color": "#b22222"}]; masks and references as data: URIs, or a
library exemplar by id). A JSON or multipart body carries its own, in the body. Whether the
photo is a scanned negative comes beside it likewise, as the `negative` query parameter
(`?negative=true`), where a form has its `negative` field and a job item `"negative": true`;
an album page split or not, `?split_page=true|false` (split_items.py).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect

from colorizer.apps.service.body_spool import SpoolingMultiPartParser, spool_file, spool_folder
from colorizer.apps.service.item_names import UNNAMED
from colorizer.apps.service.json_documents import JSONDocumentError, load_json
from colorizer.apps.service.negative_items import form_negative
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.split_items import form_split_page
from colorizer.apps.service.store_storage import storage_error

Upload = tuple[str, bytes, str | None]  # (file name, bytes, declared content type)
FORM_FIELDS = ("file", "request", "hint", "caption", "color_hints", "negative", "split_page",
               "format")
_FORM_PIECE = 1 << 20  # body bytes the multipart parser is given at once (`read_form`)
# Body bytes gathered before they are written to the spool file: with a megabyte, every slow
# upload held up to a megabyte here besides its spool (`body_spool.IN_MEMORY`).
_SPOOL_PIECE = 64 << 10


async def read_request(request: Request, max_bytes: int, max_files: int,
                       timeout: float | None = None) -> tuple[dict[str, Any], list[Upload]]:
    """(job-like JSON, uploaded files) of a JSON, multipart or raw image body."""
    # The body goes to a temporary file as it arrives, and is read back once: held as its
    # pieces, a raw 157 MB image was joined whole beside them (+157 MB), and a multipart
    # body's pieces stayed while its file was read back from the form's own spool.
    body = await spooled_body(request, max_bytes, timeout)
    try:
        return await _parsed_body(request, body, max_files)
    finally:
        body.close()


async def _parsed_body(request: Request, body: BinaryIO, max_files: int
                       ) -> tuple[dict[str, Any], list[Upload]]:
    """`read_request`'s answer from the whole `body`, read from its start."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    beside = _hints_beside(request)
    negative = request.query_params.get("negative")
    raw_image = ctype.startswith("image/") or ctype == "application/octet-stream"
    if beside is not None and not raw_image:
        raise Problem(422, "invalid_request", f"color hints in the {beside[0]} go with a raw "
                      "image body only; in a JSON or multipart body, give them in the body "
                      "(an item's `color_hints`, or the `color_hints` form field)")
    if negative is not None and not raw_image:  # it would be dropped: a negative read as a print
        raise Problem(422, "invalid_request", "the negative query parameter goes with a raw "
                      "image body only; in a multipart body give the `negative` form field "
                      '(-F negative=true), in a JSON body an item\'s "negative": true')
    split = request.query_params.get("split_page")
    if split is not None and not raw_image:  # likewise: it would be dropped without a word
        raise Problem(422, "invalid_request", "the split_page query parameter goes with a raw "
                      "image body only; in a multipart body give the `split_page` form field "
                      '(-F split_page=false), in a JSON body an item\'s "split_page": false')
    if ctype == "multipart/form-data":
        form = await read_form(request, body, max_files)
        try:
            files = [f for f in form.getlist("file") if isinstance(f, UploadFile)]
            uploads = [(f.filename or UNNAMED, await f.read(), f.content_type) for f in files]
            return _form_request(form, len(uploads)), uploads
        finally:
            await form.close()  # the parts' own spool files, freed now, not when collected
    if ctype == "application/json":
        return parse_json(body.read().decode("utf-8", "replace")), []
    if raw_image:
        hints = {} if beside is None else _json_field("color_hints", beside[1], f"the {beside[0]}")
        item = {"upload": 0, **hints,
                **form_negative(negative, where="the negative query parameter"),
                **form_split_page(split, where="the split_page query parameter")}
        # One bytes object of the body's size, read from the file (the one copy kept).
        return {"items": [item]}, [(UNNAMED, await run_in_threadpool(body.read), ctype)]
    raise Problem(415, "unsupported_media_type", f"content type {ctype or 'none'!r} is not "
                  "accepted: send application/json, multipart/form-data or an image/* body")


def _form_request(form: FormData, files: int) -> dict[str, Any]:
    """The job-like JSON of a multipart form: its `request` field, else one item per file
    from the `hint`, `caption`, `color_hints`, `negative` and `split_page` fields; an unknown
    field is refused (a misspelt `hnt` would otherwise be dropped without a word)."""
    unknown = sorted(set(form.keys()) - set(FORM_FIELDS))
    if unknown:
        raise Problem(422, "invalid_request", f"unknown form field(s) {', '.join(unknown)}: "
                      f"the fields are {', '.join(FORM_FIELDS)}")
    if "request" in form:
        beside = sorted(set(form.keys()) - {"file", "request"})
        if beside:
            raise Problem(422, "invalid_request", f"the form field(s) {', '.join(beside)} go "
                          "inside the `request` JSON when it is given (its items' hint, "
                          "caption, color_hints, negative, split_page; its format)")
        return parse_json(str(form["request"]))
    hints, captions = form.getlist("hint"), form.getlist("caption")
    colors = form.getlist("color_hints")  # JSON text, aligned with the files as hints are
    negatives = form.getlist("negative")  # true or false, aligned likewise
    splits = form.getlist("split_page")  # true or false (absent: the server's), likewise
    items = [{"upload": i, "hint": _aligned(hints, i), "caption": _aligned(captions, i),
              **_json_field("color_hints", _aligned(colors, i)),
              **form_negative(_aligned(negatives, i), i if files > 1 else None),
              **form_split_page(_aligned(splits, i), i if files > 1 else None)}
             for i in range(files)]
    return {"items": items, "format": form.get("format") or None}


async def spooled_body(request: Request, cap: int, timeout: float | None = None) -> BinaryIO:
    """The whole body in a temporary file, at its start, refused as `_capped_chunks` refuses
    it: written 64 KiB at a time as it arrives (kept in memory up to `IN_MEMORY`, 64 KiB,
    then in the data folder's `spool/`), so an upload is never held whole while it comes.
    The caller closes it (that deletes it)."""
    folder = _spool_folder(request)
    try:
        body = spool_file(folder)
    except OSError as exc:  # the data folder is read-only or full: named, not a 500
        _raise_storage_problem(exc, folder)
        raise
    try:
        batch: list[bytes] = []
        batched = 0
        async for chunk in _capped_chunks(request, cap, timeout):
            batch.append(chunk)
            batched += len(chunk)
            if batched >= _SPOOL_PIECE:  # off the event loop: the disk may be slow
                await run_in_threadpool(_write_spooled, body, b"".join(batch), folder)
                batch, batched = [], 0
        _write_spooled(body, b"".join(batch), folder)
        body.seek(0)
        return body
    except BaseException:
        body.close()
        raise


def _spool_folder(request: Request) -> Path | None:
    """The spool folder of the service that `request` came to (None: an app without one)."""
    service = getattr(request.app.state, "service", None)
    return None if service is None else spool_folder(service.config.data_dir)


def _write_spooled(body: BinaryIO, data: bytes, folder: Path | None) -> None:
    """Append `data` to the spooled body; a full or read-only spool folder is the service's
    storage problem (507/503, named), not a server error."""
    try:
        body.write(data)
    except OSError as exc:
        _raise_storage_problem(exc, folder)
        raise


def _raise_storage_problem(exc: OSError, folder: Path | None) -> None:
    """507 (full) or 503 (read-only) for a spool folder that refused a write; returns for
    any other error (the caller re-raises it: a 500)."""
    error = storage_error(exc, folder or Path(tempfile.gettempdir()))  # (logs the folder)
    if error is None:
        return
    cause = "full" if error.full else "read-only"
    raise Problem(507 if error.full else 503, error.reason, "the service could not keep the "
                  "request body while it arrived: its data folder (where bodies are kept as "
                  f"they arrive) is {cause}; retry later (its operator must make room on "
                  "that disk, or make the folder writable)") from exc


async def _capped_chunks(request: Request, cap: int, timeout: float | None = None
                         ) -> AsyncIterator[bytes]:
    """The body's pieces as they come, refused with 413 as soon as it is declared or read
    beyond `cap`, and with 408 when it has not all arrived within `timeout` seconds (a
    client that sends its body a byte at a time, or never, would otherwise hold a connection
    and its buffer)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise Problem(413, "request_too_large", f"the request is {int(declared):,} bytes, above "
                      f"the limit of {cap:,}; send fewer or smaller files per request")
    size = 0
    deadline = None if timeout is None else time.monotonic() + timeout
    stream = request.stream()
    while True:
        try:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            chunk = await asyncio.wait_for(stream.__anext__(), left)
        except StopAsyncIteration:
            return
        except ClientDisconnect:  # nobody is left to answer; not a server error to log
            raise Problem(400, "client_disconnected", "the client closed the connection "
                          "before its request body had arrived") from None
        except TimeoutError:
            raise Problem(408, "request_timeout", f"the request body did not arrive within "
                          f"{timeout:g} s; send it at once (or raise request_timeout_seconds)",
                          headers={"Connection": "close"}) from None
        size += len(chunk)
        if size > cap:
            raise Problem(413, "request_too_large", f"the request is above the limit of {cap:,} "
                          "bytes; send fewer or smaller files per request")
        yield chunk


def parse_json(text: str) -> Any:
    try:
        return load_json(text, "the body")
    except JSONDocumentError as exc:
        raise Problem(422, "invalid_json", str(exc)) from exc


async def read_form(request: Request, body: BinaryIO, max_files: int, max_fields: int = 1000
                    ) -> FormData:
    """The multipart form of the spooled `body` (`spooled_body`), handed to the parser at
    most `_FORM_PIECE` bytes at a time: given whole, a 157 MB file part was copied three times
    in memory (the parser's slice of it, the spooled file's buffer, that buffer's copy as it
    rolled over to disk), 470 MB above the body. A body that is no multipart form is refused
    with 422 invalid_multipart, the parser's words after ours. The caller closes the form."""
    messages = _messages(body)

    async def receive() -> dict[str, Any]:
        data, more = await run_in_threadpool(next, messages, (b"", False))
        return {"type": "http.request", "body": data, "more_body": more}

    spooled = Request(request.scope, receive)
    parser = SpoolingMultiPartParser(spooled.headers, spooled.stream(), max_files=max_files,
                                     max_fields=max_fields, folder=_spool_folder(request))
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise Problem(422, "invalid_multipart", f"the multipart body could not be read: "
                      f"{exc.message}{_parser_words(exc)}") from exc


def _parser_words(exc: MultiPartException) -> str:
    """What the multipart parser found, which Starlette's "Invalid multipart data." hides:
    a part's header over 4 KiB was most often a file name of thousands of characters."""
    cause = str(exc.__cause__ or "")
    if "header size" in cause:
        return (f" ({cause}: a part's header line is longer than 4 KiB; give the file a "
                "shorter name)")
    return f" ({cause})" if cause else ""


def _messages(body: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """(data, more to come) of the spooled `body`, at most `_FORM_PIECE` bytes each."""
    piece = body.read(_FORM_PIECE)
    while piece:
        following = body.read(_FORM_PIECE)
        yield piece, bool(following)
        piece = following


def _hints_beside(request: Request) -> tuple[str, str] | None:
    """(where, JSON text) of color hints given beside the body; None when there are none."""
    given = [(where, text) for where, text in (
        ("color_hints query parameter", request.query_params.get("color_hints")),
        ("Color-Hints header", _utf8_header(request.headers.get("color-hints"))))
        if text is not None]
    if len(given) > 1:
        raise Problem(422, "invalid_request", "color hints were given both as the "
                      "color_hints query parameter and the Color-Hints header; give them once")
    return given[0] if given else None


def _utf8_header(text: str | None) -> str | None:
    """A header's text as UTF-8: HTTP hands its bytes over as Latin-1 ('Großmutter' would
    arrive as 'GroÃ\x9fmutter'), so they are decoded again."""
    if text is None:
        return None
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise Problem(422, "invalid_request", "the Color-Hints header is not UTF-8: send it "
                      "UTF-8 encoded, or give the hints as the color_hints query parameter "
                      "(percent-encoded UTF-8)") from None


def _json_field(name: str, text: str | None, what: str | None = None) -> dict[str, Any]:
    """{name: the parsed JSON of a form field} ({} when the field is absent)."""
    if text is None:
        return {}
    try:
        return {name: load_json(text, what or f"the {name} field")}
    except JSONDocumentError as exc:
        raise Problem(422, "invalid_json", str(exc)) from exc


def _aligned(values: list[UploadFile | str], i: int) -> str | None:
    """The i-th form value, or the only one for every file; None when there is none."""
    if not values:
        return None
    value = values[i] if i < len(values) else values[-1] if len(values) == 1 else None
    return str(value) if value else None
