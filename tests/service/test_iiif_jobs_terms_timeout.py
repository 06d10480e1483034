"""A IIIF server that accepts the service's connection and never answers (the archive's 45 s
info.json): the item's failure says what timed out, after how long, and which setting of the
service bounds it. It read "<url>: timed out (timed out)"."""

from __future__ import annotations

import socket
import threading

import pytest

from colorizer.apps.service.fetch import FetchError, SafeFetcher
from tests.service.service_helpers import loopback_fetch_config


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never sends a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_a_server_that_never_answers_fails_naming_the_services_timeout(silent_server):
    fetcher = SafeFetcher(loopback_fetch_config(total_timeout=0.5))
    url = f"http://archive.test:{silent_server}/iiif/slow/info.json"
    try:
        with pytest.raises(FetchError) as caught:
            fetcher.get(url, accept="application/ld+json")
    finally:
        fetcher.close()
    assert caught.value.reason == "timeout" and caught.value.status == 504
    assert str(caught.value) == (
        f"{url}: no answer within 0.5 s (the service's fetch.total_timeout); the server is slow "
        "or stalled: try again later, or ask the service's operator for a longer "
        "fetch.total_timeout")
