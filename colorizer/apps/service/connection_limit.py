"""A cap on open connections (`max_connections`): beyond it, a request gets the service's 503.

Nothing limited them: 200 uploads sent slowly (2 MB, then 1 KB/s) took the serving process from
289 to 573 MB and from 16 to 497 file descriptors (each connection holds its socket and, once
its body passes `body_spool.IN_MEMORY`, its spool file), and more would have run the process
out of descriptors (1024 by default), refusing every client and failing its own files.

uvicorn's `limit_concurrency` answers 503 in plain text ("Service Unavailable"), counts this
connection too (a limit of N served N - 1) and counts when headers arrive: in a burst, all 200
were open before any had sent its headers, and every one was refused. Here a connection is
admitted when it opens, while fewer than `max_connections` are; a request on one that was not
is answered with the service's problem+json (503 `too_many_connections`, Retry-After) and the
connection is closed: its body is never read, so it costs neither memory nor a spool file. A
client that sends its whole upload before reading the answer may see the connection reset
instead; either way it retries.
The deadline for headers (`header_timeout`) still closes a connection that sends nothing.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from colorizer.apps.service.header_timeout import HeaderTimeoutProtocol
from colorizer.apps.service.problems import PROBLEM_JSON, Problem


def busy_answer(max_connections: int, retry_after: int) -> tuple[list[tuple[bytes, bytes]],
                                                                   bytes]:
    """(headers, body) of the 503 a request beyond `max_connections` gets."""
    problem = Problem(503, "too_many_connections", f"the service has {max_connections} "
                      "connections open, its limit (max_connections); retry in "
                      f"{retry_after} s, or reuse one connection for several requests")
    body = json.dumps(problem.to_dict()).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()),
               (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
               (b"retry-after", str(retry_after).encode()), (b"cache-control", b"no-store"),
               (b"x-content-type-options", b"nosniff")]
    return headers, body


class ConnectionLimitProtocol(HeaderTimeoutProtocol):
    """The header-deadline protocol that answers 503 beyond `max_connections` open ones."""

    max_connections = 256  # set by `with_limits`
    retry_after = 5  # seconds, the Retry-After of the 503

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._service_app = self.app
        self._admitted = False

    @classmethod
    def with_limits(cls, header_timeout: float, max_connections: int,
                    retry_after: int) -> type[ConnectionLimitProtocol]:
        return type(cls.__name__, (cls,), {"header_timeout": float(header_timeout),
                                           "max_connections": int(max_connections),
                                           "retry_after": int(retry_after)})

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        # Admitted when it opens, not when its headers arrive (uvicorn's count): in a burst
        # every connection is open before any has sent its headers, and all were refused.
        admitted = _admitted(self.server_state)
        self._admitted = len(admitted) < self.max_connections
        if self._admitted:
            admitted.add(self)
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        _admitted(self.server_state).discard(self)
        super().connection_lost(exc)

    def handle_events(self) -> None:
        # uvicorn hands each request whose headers it parses in here to `self.app`.
        self.app = self._service_app if self._admitted else self._busy
        super().handle_events()

    async def _busy(self, scope: Any, receive: Any, send: Any) -> None:
        if _is_probe(scope):  # a busy service is alive: an orchestrator must not restart it
            await self._service_app(scope, receive, _closing(send))
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        self.logger.warning("%s - %s %s: 503, %d connections served, max_connections %d",
                            client, scope.get("method"), scope.get("path"),
                            len(_admitted(self.server_state)), self.max_connections)
        headers, body = busy_answer(self.max_connections, self.retry_after)
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _is_probe(scope: Any) -> bool:
    """A liveness or readiness probe (GET or HEAD /livez, /readyz, under any path prefix):
    answered beyond the cap, which otherwise failed the probes of a service busy with slow
    uploads, and an orchestrator restarted it, cutting every upload."""
    return (scope.get("method") in ("GET", "HEAD")
            and str(scope.get("path", "")).rsplit("/", 1)[-1] in ("livez", "readyz"))


def _closing(send: Any) -> Any:
    """`send` whose answer closes its connection: a probe beyond the cap holds none open."""
    async def closing(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []),
                                              (b"connection", b"close")]}
        await send(message)
    return closing


def _admitted(server_state: Any) -> set[ConnectionLimitProtocol]:
    """The connections being served, kept beside uvicorn's own set of every open one."""
    admitted = getattr(server_state, "chronochrome_admitted", None)
    if admitted is None:
        admitted = set()
        server_state.chronochrome_admitted = admitted
    return admitted
