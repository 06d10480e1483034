"""A webhook receiver on 127.0.0.1 that is down (connections refused, as during a deploy) until
`come_up`, then answers every POST with `status` and keeps what it received."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Down at first: its port is held by a socket that does not listen (connections are
    refused at once); `come_up` serves on that same port."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.posts: list[tuple[float, dict[str, str], bytes]] = []  # (time, headers, body)
        self._holder = socket.socket()
        self._holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._holder.bind(("127.0.0.1", 0))
        self.port = self._holder.getsockname()[1]
        self.httpd: ThreadingHTTPServer | None = None

    def url(self, path: str = "/hook") -> str:
        """The URL the service is given: archive.test is trusted loopback in these tests."""
        return f"http://archive.test:{self.port}{path}"

    def come_up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.posts.append((time.time(), headers, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._holder.close()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._holder.close()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


class StallingReceiver:
    """A receiver on 127.0.0.1 serving `/a.png` and taking POSTs at `/hook` (`url`); its
    first `hangs` POSTs are left unanswered for up to `hold` seconds, or until `close` (a
    receiver stalled mid-delivery). `posts`: (headers, body) in the order they came."""

    def __init__(self, hangs: int = 1, hold: float = 20) -> None:
        from service_helpers import gray_png

        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                image = gray_png()
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(image)))
                self.end_headers()
                self.wfile.write(image)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if len(receiver.posts) <= hangs:
                    receiver.release.wait(hold)
                try:
                    self.send_response(204)
                    self.end_headers()
                except OSError:  # the sender gave up on this attempt
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"{self.base}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
