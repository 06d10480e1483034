"""Fetching remote images without letting a URL reach inside the network (SSRF).

- only http and https;
- every connection resolves the host itself and refuses unless *every* address is global:
  no loopback, private, link-local, CGNAT (100.64/10), multicast, reserved, IPv4-mapped
  (::ffff:0:0/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 or Teredo forms. The check runs
  inside the connection backend, on the address actually dialled, so a DNS answer cannot change
  between check and connect; redirects (at most `max_redirects`) are connections like any other;
- connect and total timeouts, a byte cap (Content-Length and streamed count); the total one
  bounds every read and write of the fetch, the answer's headers included: httpcore's read
  timeout is per read, so a server that sent a header line every few seconds held a fetch,
  and the worker waiting on it, for ever;
- `allowed_hosts`: when set, only these host names may be fetched (an archive's allowlist);
- `trusted_hosts`: host names exempt from the global-address rule, for an intranet IIIF server
  or a test server; empty by default. A redirect may reach a trusted host only from that same
  host: another host's redirect into it is refused (`redirect_not_allowed`).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore

from colorizer.errors import ChronochromeError
from context.config_io import config_from_dict

Resolver = Callable[[str, int], list[str]]  # (host, port) -> IP address strings
_SPECIAL_V6 = tuple(ipaddress.ip_network(n) for n in (
    "::ffff:0:0/96",  # IPv4-mapped
    "::/96",  # IPv4-compatible (deprecated)
    "64:ff9b::/96",  # NAT64 well-known prefix
    "64:ff9b:1::/48",  # NAT64 local-use prefix
    "2002::/16",  # 6to4
    "2001::/32",  # Teredo
))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_DEADLINE = threading.local()  # .at: the monotonic time the running fetch of a thread ends
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(ChronochromeError):
    """A remote image could not be fetched; `reason` is machine-readable."""

    def __init__(self, reason: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status  # the HTTP status the API answers with


class FetchRefused(FetchError):
    """The URL, or an address it resolves or redirects to, is not allowed."""


class AddressRefused(FetchRefused):
    """A host whose address is not public. `host` is what a front end can trust
    (`FetchConfig.trusted_hosts`); `with_fix` says how in its words (the CLI's --trust-host)."""

    def __init__(self, problem: str, host: str,
                 fix: str = "the service fetches only from the public internet") -> None:
        super().__init__("address_not_allowed", f"{problem}; {fix}")
        self.problem, self.host = problem, host

    def with_fix(self, fix: str) -> AddressRefused:
        return AddressRefused(self.problem, self.host, fix)


@dataclass(frozen=True)
class FetchConfig:
    """Limits on remote fetches (images, IIIF documents) and webhook deliveries."""

    max_bytes: int = 50 * 1024 * 1024  # refuse larger bodies
    max_redirects: int = 3  # each hop re-checked
    connect_timeout: float = 5.0  # seconds to open a connection
    total_timeout: float = 30.0  # seconds for the whole fetch, redirects included
    allowed_hosts: tuple[str, ...] = ()  # non-empty: only these host names may be fetched
    trusted_hosts: tuple[str, ...] = ()  # exempt from the global-address rule (tests, intranet)
    user_agent: str = "chronochrome-fetcher/0.1 (+https://chronochrome.dev)"
    resolver: Resolver | None = field(default=None, compare=False)  # None: the system's DNS

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FetchConfig:
        data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return config_from_dict(cls, data, code_only=("resolver",))


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    data: bytes


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses (see the module docstring)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and any(ip in net for net in _SPECIAL_V6):
        return False
    if ip.version == 4 and ip in _CGNAT:
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local
                                 or ip.is_loopback or ip.is_private or ip.is_unspecified)


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError("dns_failed", f"{host}: the name does not resolve ({exc})") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


class SafeFetcher:
    """GET images and JSON, POST webhooks; every connection goes through the address check."""

    def __init__(self, config: FetchConfig | None = None) -> None:
        self.config = config or FetchConfig()
        self._resolve = self.config.resolver or system_resolver
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(), max_connections=16, retries=0,
            network_backend=_GuardedBackend(self._vetted_address))

    def close(self) -> None:
        self._pool.close()

    def check_url(self, url: str) -> None:
        """Refuse a URL by scheme, allowlist or literal address, before any connection."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchRefused("scheme_not_allowed",
                               f"{url}: only http and https URLs can be fetched")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchRefused("invalid_url", f"{url}: the URL has no host")
        if self.config.allowed_hosts and host not in self.config.allowed_hosts:
            raise FetchRefused("host_not_allowed",
                               f"{host} is not on this service's allowlist "
                               f"({', '.join(self.config.allowed_hosts)})")
        if host not in self.config.trusted_hosts and _is_ip(host) and not is_public_address(host):
            raise AddressRefused(f"{url}: {host} is not a public address", host)

    def get(self, url: str, accept: str = "*/*") -> Fetched:
        """Follow at most `max_redirects` redirects; return the body (at most `max_bytes`)."""
        deadline = time.monotonic() + self.config.total_timeout
        origin = (urlsplit(url).hostname or "").lower()
        for _hop in range(self.config.max_redirects + 1):
            self.check_url(url)
            self._check_hop(origin, url)
            status, headers, data = self._request("GET", url, {"Accept": accept}, None, deadline)
            if status in _REDIRECTS:
                location = headers.get("location")
                if not location:
                    raise FetchError("bad_redirect", f"{url}: redirect without a Location")
                url = urljoin(url, location)
                continue
            if status >= 400:
                raise FetchError("upstream_status", f"{url}: the server answered {status}",
                                 status=422 if status in (404, 410) else 502)
            return Fetched(url, headers.get("content-type", ""), data)
        raise FetchRefused("too_many_redirects",
                           f"more than {self.config.max_redirects} redirects; give the final URL")

    def _check_hop(self, origin: str, url: str) -> None:
        """A redirect reaches a trusted host only from that same host: trust is for the URL a
        caller gave, never widened by another host's Location (an outside page redirecting
        into the intranet IIIF server)."""
        host = (urlsplit(url).hostname or "").lower()
        if host != origin and host in self.config.trusted_hosts:
            raise FetchRefused("redirect_not_allowed",
                               f"{origin} redirected to {host}, a host trusted only when it is "
                               "named directly; give its URL instead")

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST without following redirects (webhooks); returns the status."""
        self.check_url(url)
        deadline = time.monotonic() + self.config.total_timeout
        status, _, _ = self._request("POST", url, headers, body, deadline)
        return status

    def _request(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                 deadline: float) -> tuple[int, dict[str, str], bytes]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", f"{url}: gave up after {self.config.total_timeout} s",
                             status=504)
        timeout = {"connect": min(self.config.connect_timeout, remaining), "read": remaining,
                   "write": remaining, "pool": remaining}
        all_headers = {"User-Agent": self.config.user_agent, "Host": _host_header(url), **headers}
        _DEADLINE.at = deadline  # every read and write of this request ends by it
        try:
            with self._pool.stream(method, url, headers=list(all_headers.items()), content=body,
                                   extensions={"timeout": timeout}) as response:
                got = {k.decode("latin-1").lower(): v.decode("latin-1")
                       for k, v in response.headers}
                if response.status in _REDIRECTS or method == "POST":
                    return response.status, got, b""
                return response.status, got, self._read_capped(url, got, response, deadline)
        except httpcore.TimeoutException as exc:
            # httpcore's own text is only "timed out": it read "timed out (timed out)"
            raise FetchError("timeout", self._timeout_message(url, exc, timeout),
                             status=504) from exc
        except (httpcore.NetworkError, httpcore.ProtocolError, OSError) as exc:
            raise FetchError("unreachable", f"{url}: could not connect ({exc})",
                             status=502) from exc
        finally:
            _DEADLINE.at = None

    def _timeout_message(self, url: str, exc: httpcore.TimeoutException,
                         timeout: dict[str, float]) -> str:
        """What timed out, after how long, and what the archive's server or the operator
        can do about it."""
        if isinstance(exc, httpcore.ConnectTimeout):
            return (f"{url}: no connection within {timeout['connect']:g} s (the service's "
                    "fetch.connect_timeout); is the server up and reachable from the service?")
        return (f"{url}: no answer within {self.config.total_timeout:g} s (the service's "
                "fetch.total_timeout); the server is slow or stalled: try again later, or ask "
                "the service's operator for a longer fetch.total_timeout")

    def _read_capped(self, url: str, headers: dict[str, str], response: httpcore.Response,
                     deadline: float) -> bytes:
        cap = self.config.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError("too_large", f"{url}: {int(declared):,} bytes, above the limit of "
                             f"{cap:,}", status=413)
        chunks, size = [], 0
        for chunk in response.iter_stream():
            size += len(chunk)
            if size > cap:
                raise FetchError("too_large", f"{url}: more than {cap:,} bytes", status=413)
            if time.monotonic() > deadline:
                raise FetchError("timeout", f"{url}: gave up after "
                                 f"{self.config.total_timeout} s", status=504)
            chunks.append(chunk)
        return b"".join(chunks)

    def _vetted_address(self, host: str, port: int) -> str:
        """Resolve `host`; return an address to dial, or refuse (runs for every connection)."""
        host = host.strip("[]").lower()
        addresses = [host] if _is_ip(host) else self._resolve(host, port)
        if not addresses:
            raise FetchError("dns_failed", f"{host}: the name does not resolve")
        if host not in self.config.trusted_hosts:
            bad = [a for a in addresses if not is_public_address(a)]
            if bad:
                raise AddressRefused(f"{host} resolves to {', '.join(bad)}, which is not a "
                                     "public address", host)
        return addresses[0]


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, dialling only addresses that `vet` returns."""

    def __init__(self, vet: Callable[[str, int], str]) -> None:
        self._vet = vet
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        address = self._vet(host, port)
        return _DeadlineStream(self._inner.connect_tcp(address, port, timeout, local_address,
                                                       socket_options))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise FetchRefused("scheme_not_allowed", "unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes end at the deadline of the fetch using it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _until_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _until_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _until_deadline(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _until_deadline(timeout: float | None, expired: type[httpcore.TimeoutException]
                    ) -> float | None:
    """`timeout`, shortened to what is left of this thread's fetch; `expired` once none is."""
    deadline = getattr(_DEADLINE, "at", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the fetch's total time is spent")
    return left if timeout is None else min(timeout, left)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1]
