"""Signed webhooks, as the Standard Webhooks specification (standardwebhooks.com) writes them.

Headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
("v1,<base64 HMAC-SHA256 of '{id}.{timestamp}.{body}'>"); secrets read "whsec_<base64>".

The id is the job's (`msg_` + the job id's hex): every attempt and every process's delivery of
one job's event carry the same id. It was a new random id per delivery, so a receiver that
deduplicated by `webhook-id`, as the specification says to, took the delivery a restarted
service sends again for a new event. One call is one attempt (`attempt`); when the next one
is due is stored (`webhook_schedule`). Answers that no retry changes end a delivery: a redirect
(never followed: a Location may point inside the network), 410 Gone, an address not allowed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from colorizer.apps.service.access_log import redacted_target
from colorizer.apps.service.fetch import FetchError, SafeFetcher

SECRET_PREFIX = "whsec_"
_REDIRECT = (301, 302, 303, 307, 308)
_NEVER_RETRIED = "address_not_allowed", "host_not_allowed", "scheme_not_allowed"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def check_secret(secret: str) -> None:
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError as exc:
        raise ValueError("a webhook secret reads 'whsec_' + base64; omit it to get one") from exc
    if len(key) < 24:
        raise ValueError("a webhook secret needs at least 24 random bytes")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does: check the timestamp window and any of the v1 signatures."""
    msg_id, ts = headers["webhook-id"], int(headers["webhook-timestamp"])
    if abs(time.time() - ts) > tolerance:
        return False
    expected = sign(secret, msg_id, ts, body)
    return any(hmac.compare_digest(expected, s) for s in headers["webhook-signature"].split())


def message_id(job_id: str) -> str:
    """The `webhook-id` of a job's event: the same for every attempt and every process."""
    return "msg_" + job_id.removeprefix("job_")


def signed_request(secret: str, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    msg_id, ts = message_id(event["data"]["job_id"]), int(time.time())
    headers = {"content-type": "application/json", "webhook-id": msg_id,
               "webhook-timestamp": str(ts), "webhook-signature": sign(secret, msg_id, ts, body)}
    return body, headers


@dataclass(frozen=True)
class Attempt:
    """How one POST ended: `retry` when a later attempt may succeed (another status, a
    timeout, no connection), `failed` when none can (a redirect, 410, an address refused)."""

    outcome: Literal["delivered", "retry", "failed"]
    detail: str  # for the job's view: the receiver's status or why it was not reached


def attempt(fetcher: SafeFetcher, url: str, secret: str, event: dict[str, Any]) -> Attempt:
    """POST the event once, signed now; its id is the job's, the same on every attempt. The
    next attempt's time is the caller's (`webhook_schedule`): no thread waits here."""
    body, headers = signed_request(secret, event)
    try:
        status = fetcher.post(url, body, headers)
    except FetchError as exc:
        if exc.reason == "timeout":  # the fetcher's words name the image fetch's setting
            return Attempt("retry", f"{url}: no answer within {fetcher.config.total_timeout:g} "
                           "s (the service's webhooks.timeout): answer 2xx at once, then do "
                           "the slow work")
        return Attempt("failed" if exc.reason in _NEVER_RETRIED else "retry", str(exc))
    if 200 <= status < 300:
        return Attempt("delivered", f"delivered ({status})")
    never = status in _REDIRECT or status == 410
    return Attempt("failed" if never else "retry", _answer_detail(status))


def _answer_detail(status: int) -> str:
    if status in _REDIRECT:
        return (f"the receiver answered {status} (a redirect): webhooks do not follow "
                "redirects; give the URL it redirects to")
    if status == 410:
        return "the receiver answered 410 (gone): not retried"
    return f"the receiver answered {status}"


def shown_url(url: str) -> str:
    """The URL for the log and the job's view: no user:password, credential-like query
    values redacted."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{host}" + redacted_target(parts.path, parts.query)
