"""The `chronochrome serve` process around uvicorn: its signals and its log.

uvicorn stops gracefully on SIGINT and SIGTERM (open requests end, then the app's shutdown
lets each worker finish its item). SIGHUP, which a closed terminal or `kill -HUP` sends, kept
Python's default and ended the process at once: no request finished, the item under way was
cut off and retried by the next start (attempt 2, "interrupted"). Here SIGHUP stops the server
as SIGTERM does (there is nothing to reload: API keys are read from the database on every
request, so a revoked key is refused at once without a restart), as it stops a batch.

The port is taken before the model loads (`listen`): a second `serve` on a port in use loaded
the model for seconds, started its workers, then stopped with uvicorn's "[Errno 98] error while
attempting to bind" and exit status 3; now it is one line at once, exit status 2.

uvicorn's own access log is off: `access_log` writes one line per request without secrets.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import resource
import signal
import socket
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

import uvicorn

from colorizer.apps.service.connection_limit import ConnectionLimitProtocol
from colorizer.errors import ChronochromeError

log = logging.getLogger("chronochrome.service")
_NOT_HERE = "give an address of this machine with --host (127.0.0.1, 0.0.0.0)"


class ServiceServer(uvicorn.Server):
    """uvicorn's server, stopping on SIGHUP as on SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            with super().capture_signals():
                yield
            return
        previous = signal.signal(signal.SIGHUP, self._hang_up)
        try:
            with super().capture_signals():
                yield
        finally:
            signal.signal(signal.SIGHUP, previous)

    def _hang_up(self, sig: int, frame: FrameType | None) -> None:
        log.info("SIGHUP: stopping as on SIGTERM (keys and settings need no reload)")
        self.should_exit = True


def listen(host: str, port: int, in_use: str | None = None) -> socket.socket:
    """A socket bound to `host`:`port`, or a ChronochromeError saying why not (`in_use`: the
    whole message when another process has the port; the workbench says it its own way)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ChronochromeError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): "
                                f"{_NOT_HERE}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if in_use is not None and exc.errno == errno.EADDRINUSE:
            raise ChronochromeError(in_use) from None
        fix = {errno.EADDRINUSE: "another process (a second `chronochrome serve`?) has this "
                                 "port; stop it or give another --port",
               errno.EACCES: "a port below 1024 needs root; give --port 8000 and let the "
                             "TLS proxy listen on 443"}.get(exc.errno, _NOT_HERE)
        raise ChronochromeError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): "
                                f"{fix}") from None
    return sock


def serve(app: Any, sock: socket.socket, header_timeout: float, max_connections: int = 256,
          retry_after: int = 5) -> None:
    """Run `app` until a signal stops it: h11 with the header deadline (`header_timeout`) and
    the cap on open connections (`max_connections`, answered 503 with `retry_after`). The app
    reads forwarded headers itself (proxy_headers.py): uvicorn's own middleware would replace
    the proxy's address by the client's before the app could check that the proxy is trusted.
    `log_config=None`: its loggers go through the process's handler (`service_logging`)."""
    host, port = sock.getsockname()[:2]
    log.info("listening on %s:%d (at most %d connections)", host, port, max_connections)
    warn_descriptors(max_connections)
    protocol = ConnectionLimitProtocol.with_limits(header_timeout, max_connections, retry_after)
    config = uvicorn.Config(app, host=host, port=port, http=protocol, proxy_headers=False,
                            log_level="info", access_log=False, log_config=None)
    ServiceServer(config).run(sockets=[sock])


def warn_descriptors(max_connections: int, own_files: int = 128) -> bool:
    """Say so in the log (and return True) when `max_connections` connections, each with its
    socket and its spooled body, and the process's `own_files` would not fit in its limit of
    open files: beyond it every new client, and the process's own files, would fail. (An
    idle service holds ~16; 97 after a burst of 200 uploads had ended.)"""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * max_connections + own_files
    if soft == resource.RLIM_INFINITY or needed <= soft:
        return False
    log.warning("max_connections %d needs up to %d open files, above this process's limit of "
                "%d: lower max_connections to %d, or raise the limit (LimitNOFILE=%d in the "
                "systemd unit, `ulimit -n %d`)", max_connections, needed, soft,
                max(1, (soft - own_files) // 2), needed, needed)
    return True
