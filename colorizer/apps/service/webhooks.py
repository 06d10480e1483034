"""Signed webhooks, as the Standard Webhooks specification (standardwebhooks.com) writes them.

Headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
("v1,<base64 HMAC-SHA256 of '{id}.{timestamp}.{body}'>"); secrets read "whsec_<base64>".

The id is the job's (`msg_` + the job id's hex): every attempt and every process's delivery of
one job's event carry the same id. It was a new random id per delivery, so a receiver that
deduplicated by `webhook-id`, as the specification says to, took the delivery a restarted
service sends again for a new event. Retries stop early for answers that no retry changes: a
redirect (never followed: a Location may point inside the network) and 410 Gone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

from colorizer.apps.service.fetch import FetchError, SafeFetcher

SECRET_PREFIX = "whsec_"
ATTEMPTS = 3  # POSTs per delivery
BACKOFF_SECONDS = 0.5  # the wait before retry n (1, 2, ...) is BACKOFF_SECONDS * 2 ** (n - 1)
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
class Delivery:
    """How one delivery ended: `interrupted` when the service stopped before it ended."""

    outcome: Literal["delivered", "failed", "interrupted"]
    detail: str  # for the job's view: the receiver's status or why it was not reached
    attempts: int  # POSTs tried


def deliver(fetcher: SafeFetcher, url: str, secret: str, event: dict[str, Any],
            attempts: int = ATTEMPTS, backoff: float = BACKOFF_SECONDS,
            stop: threading.Event | None = None) -> Delivery:
    """POST the event, retrying with exponential backoff (same message id every time) until a
    2xx answer, an answer no retry changes, the last attempt or `stop`."""
    body, headers = signed_request(secret, event)
    stop = stop or threading.Event()
    detail = ""
    for attempt in range(1, attempts + 1):
        try:
            status = fetcher.post(url, body, headers)
        except FetchError as exc:
            detail = str(exc)
            if exc.reason in _NEVER_RETRIED:
                return Delivery("failed", detail, attempt)
        else:
            if 200 <= status < 300:
                return Delivery("delivered", f"delivered ({status})", attempt)
            detail = _answer_detail(status)
            if status in _REDIRECT or status == 410:
                return Delivery("failed", detail, attempt)
        if attempt < attempts and stop.wait(backoff * 2 ** (attempt - 1)):
            return Delivery("interrupted", detail, attempt)
    return Delivery("failed", detail, attempts)


def _answer_detail(status: int) -> str:
    if status in _REDIRECT:
        return (f"the receiver answered {status} (a redirect): webhooks do not follow "
                "redirects; give the URL it redirects to")
    if status == 410:
        return "the receiver answered 410 (gone): not retried"
    return f"the receiver answered {status}"
