"""SSRF suite: the fetcher refuses loopback, private, mapped and NAT64 targets, on every hop.

All traffic goes to a server on 127.0.0.1. It is reached as `archive.test`, a name the test
config trusts; every other name resolves (through a test resolver) to a forbidden address and
must be refused before any connection is made.
"""

from __future__ import annotations

import pytest
from service_helpers import loopback_fetch_config

from colorizer.apps.service.fetch import FetchError, FetchRefused, SafeFetcher, is_public_address


@pytest.fixture
def fetcher():
    f = SafeFetcher(loopback_fetch_config(max_bytes=10_000))
    yield f
    f.close()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1",
                                     "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
                                     "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
                                     "::ffff:8.8.8.8", "64:ff9b::7f00:1", "64:ff9b::808:808",
                                     "64:ff9b:1::1", "2002:7f00:1::1", "::127.0.0.1"])
def test_non_global_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_global_addresses_are_public(address):
    assert is_public_address(address)


def test_trusted_test_host_is_fetched_and_one_redirect_followed(fetcher, http_server):
    http_server.routes["/ok"] = (200, {"Content-Type": "text/plain"}, b"hello")
    http_server.routes["/hop"] = (302, {"Location": "/ok"}, b"")
    got = fetcher.get(http_server.url("/hop"))
    assert got.data == b"hello" and got.url == http_server.url("/ok")


def test_a_redirect_reaches_a_trusted_host_only_from_that_host(http_server):
    # Both names are trusted and reach the test server; a redirect from one into the other is
    # what an outside page redirecting into an intranet IIIF server looks like.
    f = SafeFetcher(loopback_fetch_config(trusted_hosts=("archive.test", "images.test"),
                                          resolver=lambda host, port: ["127.0.0.1"]))
    http_server.routes["/ok"] = (200, {"Content-Type": "text/plain"}, b"hello")
    http_server.routes["/cross"] = (302, {"Location": http_server.url("/ok", "images.test")},
                                    b"")
    http_server.routes["/same"] = (302, {"Location": "/ok"}, b"")
    try:
        with pytest.raises(FetchRefused) as caught:
            f.get(http_server.url("/cross"))
        assert caught.value.reason == "redirect_not_allowed"
        assert [r[1] for r in http_server.requests] == ["/cross"]  # /ok never reached
        assert f.get(http_server.url("/same")).data == b"hello"
        assert f.get(http_server.url("/ok", "images.test")).data == b"hello"  # named directly
    finally:
        f.close()


REDIRECT_TARGETS = [
    "http://127.0.0.1:PORT/ok",  # loopback literal
    "http://localhost:PORT/ok",  # loopback by name
    "http://[::1]:PORT/ok",  # IPv6 loopback
    "http://[::ffff:127.0.0.1]:PORT/ok",  # IPv4-mapped
    "http://[64:ff9b::7f00:1]:PORT/ok",  # NAT64 of 127.0.0.1
    "http://10.0.0.7/ok",  # private literal
    "http://intranet.test/ok",  # private by name
    "http://mapped.test:PORT/ok",  # name resolving to a mapped address
    "http://nat64.test/ok",  # name resolving to NAT64
    "http://cgnat.test/ok",  # CGNAT
    "http://metadata.test/latest/meta-data/",  # cloud metadata, link-local
    "http://169.254.169.254/latest/meta-data/",
    "file:///etc/passwd",  # not http(s)
]


@pytest.mark.parametrize("target", REDIRECT_TARGETS)
def test_redirects_to_forbidden_targets_are_refused(fetcher, http_server, target):
    http_server.routes["/ok"] = (200, {}, b"secret")
    http_server.routes["/redirect"] = (302, {"Location": target}, b"")
    with pytest.raises(FetchRefused) as caught:
        fetcher.get(http_server.url("/redirect"))
    assert caught.value.reason in ("address_not_allowed", "scheme_not_allowed")
    # Only the redirecting request reached the server: the target was never contacted.
    assert [r[1] for r in http_server.requests] == ["/redirect"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/x", "http://localhost:1/x",
                                 "http://[::ffff:7f00:1]:1/x", "ftp://archive.test/x",
                                 "gopher://archive.test/x"])
def test_forbidden_urls_are_refused_directly(fetcher, url):
    with pytest.raises(FetchRefused):
        fetcher.get(url)


def test_more_than_three_redirects_are_refused(fetcher, http_server):
    for n in range(5):
        http_server.routes[f"/r{n}"] = (302, {"Location": f"/r{n + 1}"}, b"")
    http_server.routes["/r5"] = (200, {}, b"done")
    http_server.routes["/s0"] = (302, {"Location": "/r3"}, b"")  # 3 redirects: allowed
    assert fetcher.get(http_server.url("/s0")).data == b"done"
    with pytest.raises(FetchRefused) as caught:
        fetcher.get(http_server.url("/r0"))
    assert caught.value.reason == "too_many_redirects"


def test_byte_cap_is_enforced(fetcher, http_server):
    http_server.routes["/big"] = (200, {}, b"x" * 20_000)
    with pytest.raises(FetchError) as caught:
        fetcher.get(http_server.url("/big"))
    assert caught.value.reason == "too_large" and caught.value.status == 413


def test_allowlist_limits_hosts(http_server):
    fetcher = SafeFetcher(loopback_fetch_config(allowed_hosts=("images.archive.org",)))
    with pytest.raises(FetchRefused) as caught:
        fetcher.get(http_server.url("/ok"))
    assert caught.value.reason == "host_not_allowed"
    assert http_server.requests == []


def test_total_timeout(http_server):
    import http.server
    import threading
    import time

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)

        def log_message(self, *args):
            pass

    slow = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    try:
        fetcher = SafeFetcher(loopback_fetch_config(total_timeout=1.0))
        start = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetcher.get(f"http://archive.test:{slow.server_address[1]}/")
        assert caught.value.reason == "timeout" and time.monotonic() - start < 3
    finally:
        slow.shutdown()
        slow.server_close()


def test_job_with_a_redirect_to_loopback_fails_that_item(service, http_server):
    http_server.routes["/photo"] = (302, {"Location": "http://127.0.0.1:PORT/secret"}, b"")
    location = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"url": http_server.url("/photo")}]}).headers["location"]
    service.drain()
    item = service.client.get(location, headers=service.headers()).json()["items"][0]
    assert item["status"] == "failed" and item["error"]["reason"] == "address_not_allowed"
    assert "/secret" not in [r[1] for r in http_server.requests]
    # A literal loopback URL is refused at submission.
    refused = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"url": "http://127.0.0.1:8000/x"}]})
    assert refused.status_code == 422 and refused.json()["reason"] == "address_not_allowed"
