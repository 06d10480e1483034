"""The request-header deadline (header_timeout.py), over raw sockets against a real uvicorn."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from colorizer.apps.service.header_timeout import uvicorn_config

TIMEOUT = 1.0  # the server's header deadline in these tests
SLACK = 3.0  # the machine is shared: allow for a loaded event loop


async def _app(scope, receive, send) -> None:
    """Answers every request with the size of its body (read whole, however slowly)."""
    if scope["type"] != "http":
        return
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = str(size).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    import uvicorn

    server = uvicorn.Server(uvicorn_config(_app, "127.0.0.1", 0, TIMEOUT, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def _one_response(sock: socket.socket) -> bytes:
    """One whole response on a kept-alive connection (our app always sends Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        return _read_all(sock)


def _get(port: int) -> bytes:
    return _request(port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")


def test_a_client_trickling_its_headers_gets_408_and_is_closed_while_others_are_served(port):
    answers: list[bytes] = []

    def others() -> None:
        for _ in range(8):
            answers.append(_get(port))
            time.sleep(0.1)

    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT + SLACK + 5) as sock:
        start = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
        helper = threading.Thread(target=others)
        helper.start()
        closed_at, sent, line = None, 0, b"X-Slow: a\r\n"
        while closed_at is None and time.monotonic() - start < TIMEOUT + SLACK + 5:
            try:
                sock.sendall(line[sent % len(line):][:1])  # one byte at a time
                sent += 1
            except (BrokenPipeError, ConnectionResetError):
                closed_at = time.monotonic()
                break
            if select.select([sock], [], [], 0.1)[0]:  # an answer, or the end of it
                closed_at = time.monotonic()
        sock.settimeout(5)
        reply = _read_all(sock)
        helper.join()
    assert closed_at is not None, "the server kept a trickling client past the deadline"
    assert TIMEOUT - 0.05 <= closed_at - start <= TIMEOUT + SLACK, closed_at - start
    assert sent > 3  # it really was trickling when it was cut off
    assert reply.startswith(b"HTTP/1.1 408 "), reply[:80]
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"connection: close" in head.lower()
    assert json.loads(body)["reason"] == "header_timeout"
    assert len(answers) == 8 and all(a.startswith(b"HTTP/1.1 200 ") for a in answers)


def test_a_connection_that_sends_nothing_is_closed(port):
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT + SLACK) as sock:
        start = time.monotonic()
        reply = _read_all(sock)
        elapsed = time.monotonic() - start
    assert reply.startswith(b"HTTP/1.1 408 ") and elapsed <= TIMEOUT + SLACK, (reply, elapsed)


def test_kept_alive_clients_and_slow_bodies_after_complete_headers_are_not_cut(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert _one_response(sock).startswith(b"HTTP/1.1 200 ")
        time.sleep(TIMEOUT * 1.5)  # idle between requests, under uvicorn's 5 s keep-alive
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert _one_response(sock).startswith(b"HTTP/1.1 200 ")
        # Headers at once, then a body that takes 2.5 deadlines to arrive.
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                     b"Connection: close\r\n\r\n")
        for byte in b"hello":
            time.sleep(TIMEOUT / 2)
            sock.sendall(bytes([byte]))
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(b"\r\n\r\n5"), reply
