"""A deadline for request headers: uvicorn's h11 protocol with a timer that closes slow ones.

uvicorn times out only an idle kept-alive connection (`timeout_keep_alive`, cancelled by any
byte), so a client that opens a connection and sends nothing, or sends its request headers one
byte at a time, held that connection (and its buffer) forever; the app's own 408 for a slow
*body* (`bodies.spooled_body`) starts only once the headers are complete. Here every request
must have its headers complete within `header_timeout` seconds of its first byte (or of the
connection opening, for the first request); otherwise it gets a 408 problem+json and the
connection is closed. The deadline ends as soon as h11 has parsed the headers, so a long upload
that finished its headers, and a kept-alive client between requests, are not affected.

`server_process.serve` runs the app with it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from colorizer.apps.service.problems import PROBLEM_JSON, Problem


def timeout_answer(seconds: float) -> bytes:
    """The 408 a connection gets when its headers did not arrive in time (raw HTTP/1.1)."""
    problem = Problem(408, "header_timeout", f"the request headers did not arrive within "
                      f"{seconds:g} s; send each request's headers at once")
    body = json.dumps(problem.to_dict()).encode()
    head = (f"HTTP/1.1 408 Request Timeout\r\ncontent-type: {PROBLEM_JSON}\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n"
            "cache-control: no-store\r\nx-content-type-options: nosniff\r\n\r\n")
    return head.encode("latin-1") + body


class HeaderTimeoutProtocol(H11Protocol):
    """`H11Protocol` that closes a connection whose request headers are late (408)."""

    header_timeout = 10.0  # seconds; set by `with_header_timeout`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    @classmethod
    def with_header_timeout(cls, seconds: float) -> type[HeaderTimeoutProtocol]:
        return type(cls.__name__, (cls,), {"header_timeout": float(seconds)})

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm()  # a new connection has header_timeout to send its first request's headers

    def data_received(self, data: bytes) -> None:
        if self._header_deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # headers parsed (or the connection ended)
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        self.logger.info("%s - request headers not complete within %g s: 408, connection "
                         "closed", client, self.header_timeout)
        if self.conn.our_state is h11.IDLE:  # no answer under way on this connection
            self.transport.write(timeout_answer(self.header_timeout))
        self.transport.close()


def uvicorn_config(app: Any, host: str, port: int, header_timeout: float,
                   **kwargs: Any) -> uvicorn.Config:
    """uvicorn's config for the service: h11 with the header deadline."""
    protocol = HeaderTimeoutProtocol.with_header_timeout(header_timeout)
    return uvicorn.Config(app, host=host, port=port, http=protocol, **kwargs)
