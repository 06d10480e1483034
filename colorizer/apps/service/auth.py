"""Who may call what, as FastAPI dependencies (the rules are in `app`'s docstring).

`api_key` checks an archive's key (`Authorization: Bearer <key>` or `X-API-Key`) and yields its
id; `operator` checks the metrics token, which API keys of archives never match.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from colorizer.apps.service.links import LinkSigner
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.store import JobStore

_bearer = HTTPBearer(auto_error=False, description="an API key from `chronochrome keys create`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="chronochrome"'}


def api_key_dependency(store: JobStore) -> Callable[..., str]:
    """A dependency that yields the caller's key id, or answers 401."""

    def api_key(request: Request, credentials: Credentials,
                x_api_key: Annotated[str | None, Header()] = None) -> str:
        secret = credentials.credentials if credentials else x_api_key
        if not secret:
            raise Problem(401, "missing_key", "this endpoint needs an API key: send "
                          "'Authorization: Bearer <key>' (create one with `chronochrome keys "
                          "create --name NAME`)", headers=CHALLENGE)
        key_id = store.key_for(secret)
        if key_id is None:
            raise Problem(401, "invalid_key", "the API key is unknown or revoked",
                          headers=CHALLENGE)
        request.state.key_id = key_id  # the access line names the key, never its secret
        return key_id

    return api_key


def key_or_link_dependency(store: JobStore, links: LinkSigner) -> Callable[..., str]:
    """Like `api_key_dependency`, and a signed link (`links`) opens its one file too: IIIF
    viewers load the images of a manifest without the key."""
    api_key = api_key_dependency(store)

    def key_or_link(request: Request, credentials: Credentials,
                    x_api_key: Annotated[str | None, Header()] = None) -> str:
        query = request.query_params
        if "sig" not in query:
            return api_key(request, credentials, x_api_key)
        key_id = query.get("kid", "")
        if not links.check(request.url.path, key_id, query.get("exp", ""), query["sig"]):
            raise Problem(401, "invalid_link", "this signed link is wrong or has expired; "
                          "GET the job's manifest again (with the API key) for fresh links")
        if not store.key_active(key_id):  # revoked: its links close with it, at once
            raise Problem(401, "invalid_link", f"this signed link was given out under API key "
                          f"{key_id}, which was revoked: its links closed with it (README: "
                          "`chronochrome keys revoke`)")
        request.state.key_id = key_id
        return key_id

    return key_or_link


def operator_dependency(metrics_token: str | None) -> Callable[..., None]:
    """A dependency that lets the operator through: anyone when no token is configured."""

    def operator(credentials: Credentials) -> None:
        """The metrics token when one is configured; API keys of archives do not count."""
        if metrics_token is None:
            return
        if credentials is None:
            raise Problem(401, "missing_metrics_token", "/metrics needs the operator's metrics "
                          "token: send 'Authorization: Bearer <token>' (ServiceConfig."
                          "metrics_token; API keys of archives do not open it)",
                          headers=CHALLENGE)
        if not hmac.compare_digest(credentials.credentials.encode(), metrics_token.encode()):
            raise Problem(401, "invalid_metrics_token", "the metrics token is wrong (API keys "
                          "of archives do not open /metrics)", headers=CHALLENGE)

    return operator
