"""Signed webhooks, as the Standard Webhooks specification (standardwebhooks.com) writes them.

Headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
("v1,<base64 HMAC-SHA256 of '{id}.{timestamp}.{body}'>"); secrets read "whsec_<base64>".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from typing import Any

from colorizer.apps.service.fetch import FetchError, SafeFetcher

SECRET_PREFIX = "whsec_"


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


def signed_request(secret: str, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    msg_id, ts = "msg_" + uuid.uuid4().hex, int(time.time())
    headers = {"content-type": "application/json", "webhook-id": msg_id,
               "webhook-timestamp": str(ts), "webhook-signature": sign(secret, msg_id, ts, body)}
    return body, headers


def deliver(fetcher: SafeFetcher, url: str, secret: str, event: dict[str, Any],
            attempts: int = 3, backoff: float = 0.5) -> tuple[bool, str]:
    """POST the event (same message id on every retry); returns (delivered, detail)."""
    body, headers = signed_request(secret, event)
    detail = ""
    for attempt in range(attempts):
        try:
            status = fetcher.post(url, body, headers)
        except FetchError as exc:
            detail = str(exc)
            if exc.reason in ("address_not_allowed", "host_not_allowed", "scheme_not_allowed"):
                return False, detail  # will never succeed
        else:
            if 200 <= status < 300:
                return True, f"delivered ({status})"
            detail = f"the receiver answered {status}"
        time.sleep(backoff * 2 ** attempt)
    return False, detail
