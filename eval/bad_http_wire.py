"""Sending the HTTP bad-input suite's requests as raw bytes, and reading what came back
(eval/bad_http.py runs the suite; eval/bad_http_scenarios.py uses these for its exchanges)."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Protocol

from eval.bad_http_cases import Request, raw_bytes


class Endpoint(Protocol):
    """Where the suite's service listens, and the API key it sends."""

    port: int
    key: str

    @property
    def host(self) -> str: ...


@dataclass
class Answer:
    name: str
    group: str
    status: int | None  # None: no status line came back
    seconds: float
    reason: str  # the problem's `reason`, or the first words of a non-JSON body
    hang: bool
    job_id: str | None = None  # the job a 202 created (from its Location)
    location: str = ""  # the Location header, if any
    expect: int | None = None  # the status a scenario's answer must have
    expect_reason: str | None = None  # and its problem reason

    @property
    def unexpected(self) -> bool:
        """A scenario's answer that is not the one it must be."""
        return ((self.expect is not None and self.status != self.expect)
                or (self.expect_reason is not None and self.reason != self.expect_reason))


def exchange(data: bytes, service: Endpoint, timeout: float, pause: float = 0.0) -> bytes:
    """Send `data`, optionally stay silent `pause` s, and read the whole answer."""
    with socket.create_connection(("127.0.0.1", service.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer (413) and close before it has read everything
        time.sleep(pause)
        return read_all(sock)


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (a reset ends it too)."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def parse_reply(raw: bytes) -> tuple[int | None, str, str]:
    """(status, problem reason or the body's first words, Location) of a raw answer."""
    head, _, body = raw.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    try:
        reason = str(json.loads(body).get("reason", ""))
    except (ValueError, AttributeError):
        text = body[:60].decode("utf-8", "replace").strip()
        reason = text if text.isprintable() else f"({len(body)} bytes)"  # an image, say
    location = next((line.split(b":", 1)[1].strip().decode("latin-1")
                     for line in head.split(b"\r\n") if line.lower().startswith(b"location:")),
                    "")
    return status, reason, location


def send(req: Request, service: Endpoint, timeout: float = 60.0) -> Answer:
    start = time.perf_counter()
    try:
        raw = exchange(raw_bytes(req, service.key, service.host), service, timeout,
                       req.pause_after)
        hang = False
    except TimeoutError:
        raw, hang = b"", True
    status, reason, location = parse_reply(raw)
    job_id = location.rsplit("/", 1)[-1] if status == 202 and location else None
    return Answer(req.name, req.group, status, time.perf_counter() - start, reason, hang, job_id,
                  location)
