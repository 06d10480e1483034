"""The HTTP bad-input suite's timed scenarios: each takes several exchanges, so it is not one
`Request` of eval/bad_http_cases.py. Their answers carry the status they must have (`expect`).

- slow headers: a client sends its request headers one byte every 0.25 s; the server must
  answer 408 and close within its header timeout (plus slack), and answer another client
  meanwhile;
- expired result: a colorized image answers 200 at first; once its job outlived the result
  retention, its result, provenance record, original and IIIF manifest must answer 410
  `result_expired` (deleted by the server's own sweeper).
"""

from __future__ import annotations

import select
import socket
import time
from urllib.parse import urlsplit

from eval.bad_http_cases import Request, _png
from eval.bad_http_wire import Answer, Endpoint, parse_reply, read_all, send
from eval.bad_inputs import _gray

HEADER_TIMEOUT = 2.0  # the suite's header_timeout_seconds
HEADER_SLACK = 3.0  # a loaded machine: the 408 may come this much later
RETENTION = 5.0  # the suite's result_retention_seconds
SWEEP = 1.0  # the suite's retention_sweep_seconds
TRICKLE = 0.25  # seconds between two header bytes


def slow_headers(service: Endpoint) -> list[Answer]:
    """A header trickler (408 + close expected) and a client served meanwhile (200)."""
    line, sent, other = b"X-Slow: a\r\n", 0, None
    limit = HEADER_TIMEOUT + HEADER_SLACK + 10
    with socket.create_connection(("127.0.0.1", service.port), timeout=limit) as sock:
        start = time.perf_counter()
        sock.sendall(f"GET /livez HTTP/1.1\r\nHost: {service.host}\r\n".encode())
        while time.perf_counter() - start < limit:
            try:
                sock.sendall(line[sent % len(line):][:1])
                sent += 1
            except OSError:  # closed by the server
                break
            if other is None and time.perf_counter() - start > HEADER_TIMEOUT / 2:
                other = send(Request("slow headers: another client meanwhile", path="/livez",
                                     auth=None, group="header"), service, timeout=10)
            if select.select([sock], [], [], TRICKLE)[0]:  # an answer, or the end
                break
        seconds = time.perf_counter() - start
        raw = read_all(sock) if seconds < limit else b""
    status, reason, _ = parse_reply(raw)
    trickler = Answer(f"slow headers: {sent} bytes, one every {TRICKLE:g} s", "header",
                      status, seconds, reason, hang=seconds > HEADER_TIMEOUT + HEADER_SLACK)
    answers = [_expect(trickler, 408)]
    if other is not None:
        answers.append(_expect(other, 200))
    return answers


def expired_result(service: Endpoint) -> list[Answer]:
    """A sync colorization; once the sweeper expired it, its four files each answer 410."""
    made = send(Request("expired: colorize (kept, then expired)", "POST", "/v1/colorize",
                        {"Content-Type": "image/png"}, _png(_gray(64, 48)), group="retention"),
                service)
    answers = [_expect(made, 200)]
    location = urlsplit(made.location).path
    if made.status != 200 or not location:
        return answers
    job = location.rsplit("/items/", 1)[0]
    kept = send(Request("unexpired: result (within the retention)", path=location,
                        group="retention"), service)
    answers.append(_expect(kept, 200))
    deadline = time.monotonic() + RETENTION + 10 * SWEEP + 30
    while time.monotonic() < deadline:  # until the server's sweeper expires it
        if send(Request("poll", path=location, group="retention"), service).status != 200:
            break
        time.sleep(SWEEP / 2)
    for label, path in (("result", location), ("provenance", f"{job}/items/0/provenance"),
                        ("original", f"{job}/items/0/original"), ("manifest", f"{job}/manifest")):
        answer = send(Request(f"expired: {label}", path=path, group="retention"), service)
        answers.append(_expect(answer, 410, "result_expired"))
    return answers


def _expect(answer: Answer, status: int, reason: str | None = None) -> Answer:
    answer.expect, answer.expect_reason = status, reason
    return answer
