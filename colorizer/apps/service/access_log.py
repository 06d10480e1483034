"""One log line per request for the operator, with no secret in it; a server error answered
as problem+json with an id, and its traceback logged once under the same id.

uvicorn's access log wrote each request's full query string, so a signed IIIF image link's
`sig` (valid `link_ttl_seconds`, 7 days, for anyone holding the URL) and a key a client put in
the query (`?api_key=...`) went into every log file and log collector; its line had no duration,
no request id and no job id, and an unexpected exception answered a plain-text "Internal
Server Error" while the traceback in the log carried nothing to match it with. Here:
- a line `GET /v1/jobs/job_x/items/0/result?kid=k1&exp=1&sig=[redacted] 200 12 ms
  request=3f9c... key=k1 job=job_x reason=... client=...`, whose query values of secret names
  (`SECRET_PARAMS`) are redacted; the fields are also attributes of the record (`FIELDS`), for
  `--log-format json`;
- the request id is the proxy's `X-Request-ID` when it looks like one (nginx's $request_id),
  else a new one, and every answer carries it (`X-Request-ID`);
- an exception no handler took is logged with its traceback and the request id, and the
  client gets a 500 problem+json naming that id (`reason: internal_error`);
- health checks and metrics scrapes that succeed log at DEBUG: a probe every few seconds
  would otherwise be most of the log.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import unquote_plus

from colorizer.apps.service.problems import PROBLEM_JSON, Problem

log = logging.getLogger("chronochrome.service.access")

# Query parameters whose values are credentials (or look like one a client sent by mistake).
SECRET_PARAMS = re.compile(r"sig|signature|token|key|secret|password|passwd|auth|credential",
                           re.IGNORECASE)
REDACTED = "[redacted]"
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "key_id", "job_id",
          "item_index", "reason", "client")
QUIET_PATHS = frozenset({"/livez", "/readyz", "/metrics"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_JOB = re.compile(r"/v1/jobs/(job_[0-9a-f]+)")


def redacted_target(path: str, query: str) -> str:
    """`path?query` with the values of secret-named parameters replaced by [redacted]; a
    part without a name (`?abc123`) could be a bare token, so it is redacted whole."""
    if not query:
        return path
    shown = []
    for part in query.split("&"):
        name, equals, _ = part.partition("=")
        keep = equals and not SECRET_PARAMS.search(unquote_plus(name))
        shown.append(part if keep else f"{name}={REDACTED}" if equals else REDACTED)
    return f"{path}?{'&'.join(shown)}"


def request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The proxy's X-Request-ID when it is a plain token, else a new id."""
    given = next((v for k, v in headers if k == b"x-request-id"), b"").decode("latin-1")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class AccessLog:
    """ASGI middleware: the access line, the request id, and the 500 of an unhandled error."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = request_id(scope.get("headers", []))
        scope.setdefault("state", {})["request_id"] = rid  # routes may name it (request.state)
        start, seen = time.perf_counter(), {"status": 0, "location": ""}

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                headers = list(message.get("headers", []))
                seen["location"] = next((v.decode("latin-1") for k, v in headers
                                         if k.lower() == b"location"), "")
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("request %s: %s %s failed with an error of the service", rid,
                          scope.get("method"), scope.get("path"))
            if not seen["status"]:
                await send_with_id(_internal_error(rid, scope.get("path", "")))
                await send_with_id({"type": "http.response.body", "body": _body(rid, scope)})
            seen["status"] = seen["status"] or 500
        _log_line(scope, rid, seen, (time.perf_counter() - start) * 1000)


def _problem(rid: str) -> Problem:
    return Problem(500, "internal_error", "the service failed on this request (an error of the "
                   f"service, not of the request); its operator finds it in the log under "
                   f"request id {rid}", request_id=rid)


def _internal_error(rid: str, path: str) -> dict[str, Any]:
    length = len(_body(rid, {"path": path}))
    return {"type": "http.response.start", "status": 500, "headers": [
        (b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(length).encode())]}


def _body(rid: str, scope: Any) -> bytes:
    return json.dumps(_problem(rid).to_dict(instance=scope.get("path"))).encode()


def _log_line(scope: Any, rid: str, seen: dict[str, Any], ms: float) -> None:
    state = scope.get("state") or {}
    path, status = scope.get("path", ""), seen["status"]
    job = _JOB.search(path) or _JOB.search(seen["location"])
    client = scope.get("client")
    fields = {"request_id": rid, "method": scope.get("method", ""),
              "path": redacted_target(path, scope.get("query_string", b"").decode("latin-1")),
              "status": status, "duration_ms": round(ms, 1), "key_id": state.get("key_id"),
              "job_id": job.group(1) if job else None, "reason": state.get("problem_reason"),
              "client": client[0] if client else None}
    level = (logging.ERROR if status >= 500 and status not in (503, 507) else
             logging.WARNING if status >= 500 else
             logging.DEBUG if status < 400 and path in QUIET_PATHS else logging.INFO)
    named = " ".join(f"{name.removesuffix('_id')}={fields[name]}"
                     for name in ("request_id", "key_id", "job_id", "reason", "client")
                     if fields[name])
    # A space the client sent (%20) stays %20 in the line: spaces part its fields, and a path
    # holding " 200 1 ms key=k..." read as a request of another key (the JSON line has it raw).
    log.log(level, "%s %s %d %.0f ms %s", fields["method"], fields["path"].replace(" ", "%20"),
            status, ms, named, extra=fields)
