"""The workbench's cap on a request's body, before any route reads it (ASGI middleware).

A JSON body is read whole into memory and parsed (FastAPI), and since the page sends its
reference photo as a base64 data: URI inside the colorize request (references.py), that body
is as large as a photo: without a cap, one request of a few GB held them all. A JSON body may
hold what one upload may (`--max-upload-mb`, as base64) and 1 MiB more; a multipart body (an
upload, a check's colorization and its original) two uploads and 1 MiB more (Starlette
spools those to disk past 1 MB, but the disk is not ours to fill either). A body declared
larger (Content-Length) is refused at once, one sent in chunks as soon as it passes the cap:
413 `request_too_large`, in the workbench's JSON error shape, naming the limit and the fix.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SLACK = 1 << 20  # the rest of a request: its fields, a multipart's headers


def body_caps(max_upload_bytes: int) -> tuple[int, int]:
    """(JSON cap, multipart cap) in bytes for the workbench's upload limit."""
    as_base64 = (max_upload_bytes + 2) // 3 * 4
    return as_base64 + _SLACK, 2 * max_upload_bytes + _SLACK


class BodyCap:
    """Refuses a request whose body is above its kind's cap with 413."""

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.json_cap, self.multipart_cap = body_caps(max_upload_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        cap = self.multipart_cap if multipart else self.json_cap
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > cap:
            await self._refuse(send, cap, multipart)
            return
        seen, refused = 0, False

        async def capped_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > cap:
                    refused = True
                    await self._refuse(send, cap, multipart)
                    return {"type": "http.disconnect"}  # the route reads no further
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # the 413 was the answer
                await send(message)

        await self.app(scope, capped_receive, guarded_send)

    async def _refuse(self, send: Send, cap: int, multipart: bool) -> None:
        mb = self.max_upload_bytes / 1e6
        what = ("an upload (or a check's colorization and its original) may be "
                f"{mb:.0f} MB each" if multipart else
                f"reference photos sent with a colorization may be {mb:.0f} MB together")
        answer = JSONResponse({"error": {"reason": "request_too_large", "message": (
            f"the request is above the workbench's limit of {cap:,} bytes: {what}; choose "
            "a smaller file, or start the workbench with a larger --max-upload-mb")}},
            status_code=413, headers={"Connection": "close"})
        await answer(_no_scope(), _no_receive, send)


def _no_scope() -> dict[str, Any]:
    return {"type": "http"}


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
