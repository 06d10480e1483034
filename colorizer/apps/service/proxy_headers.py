"""The service's address behind a reverse proxy, set per request (ASGI middleware).

Archives run the service behind nginx, Caddy or Apache: TLS ends at the proxy and the service
is mounted under a path, `https://archive.example.org/colorize/`. Every link the API answers
with is made from `job_routes.base_url`: `public_url` when configured, else the address the
request came to, which knew the proxy's scheme (X-Forwarded-Proto) but not its path prefix, so
every link, the manifest's ids included, lost `/colorize` and answered the proxy's 404.

`ProxyHeaders` gives each request the address its client used, as its root_path and Host:
- with `public_url` set, its path is the root_path of every request (a proxy that strips the
  prefix and one that passes it on both route; /openapi.json's `servers` names it);
- from a trusted proxy (`forwarded_allow_ips`, uvicorn's setting of that name):
  X-Forwarded-Proto and X-Forwarded-For (uvicorn's own middleware, run here, where the peer is
  still the proxy: `chronochrome serve` turns uvicorn's off), X-Forwarded-Host and
  X-Forwarded-Prefix. Nobody else's are read: a client cannot choose the links others get.
  A prefix that disagrees with public_url's path is logged once (public_url's links win).
"""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from colorizer.apps.service.public_url import public_path

log = logging.getLogger("chronochrome.service")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$")


def check_trusted_proxies(value: str) -> str:
    """`forwarded_allow_ips` with its entries stripped; a ValueError naming an entry that is
    not an IP address, a network (CIDR) or `*`. uvicorn takes any other word as a literal
    name that no TCP client ever has, so a typo ('10.0.0.O', 'proxy') trusted nobody and the
    links silently named the service's own address instead of the proxy's."""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if not entries:
        raise ValueError("forwarded_allow_ips is empty: give the trusted proxies' addresses "
                         "(e.g. 127.0.0.1), or leave it out for loopback")
    if "*" in entries and len(entries) > 1:  # uvicorn reads '*' only alone
        raise ValueError(f"forwarded_allow_ips {value!r}: * (every client) goes alone; give "
                         "either * or the proxies' addresses")
    for entry in entries:
        if entry != "*":
            _check_proxy_entry(entry)
    return ",".join(entries)


def _check_proxy_entry(entry: str) -> None:
    """A ValueError naming `entry` unless it is an IP address or network as uvicorn reads it
    (a network with host bits set, 10.0.0.1/8, it would take as a name)."""
    how = ("give the trusted proxies' addresses, comma-separated (--forwarded-allow-ips, "
           "$FORWARDED_ALLOW_IPS or forwarded_allow_ips in --config)")
    try:
        if "/" in entry:
            ipaddress.ip_network(entry)
        else:
            ipaddress.ip_address(entry)
    except ValueError:
        if "/" in entry:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                pass
            else:
                raise ValueError(f"forwarded_allow_ips: {entry!r} has host bits set; write "
                                 f"the network as {network}") from None
        raise ValueError(f"forwarded_allow_ips: {entry!r} is not an IP address, a network "
                         f"(CIDR, e.g. 10.0.0.0/8) or *; {how}") from None


def forwarded_value(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of a header (a chain of proxies lists the client's side first)."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1").split(",")[0].strip()
    return None


def forwarded_prefix(headers: list[tuple[bytes, bytes]]) -> str | None:
    """X-Forwarded-Prefix as a root_path ('/colorize'); None when absent, '/' or malformed."""
    value = (forwarded_value(headers, b"x-forwarded-prefix") or "").rstrip("/")
    return value if _PREFIX.match(value) and "/../" not in f"{value}/" else None


class ProxyHeaders:
    """ASGI middleware: the request's root_path and Host as its client saw them (docstring)."""

    def __init__(self, app: Any, public_url: str | None = None,
                 trusted: str | list[str] = "127.0.0.1") -> None:
        self.app, self.root_path = app, public_path(public_url)
        self.forwarded = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # proto and for
        self._told_mismatch = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # The scope is changed in place, as uvicorn's middleware does: its access log then
        # names the client the proxy forwarded for, and the path the client asked for.
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        client = scope.get("client")
        if not (client and client[0] in self.forwarded.trusted_hosts):
            self._root(scope, None)
            return await self.app(scope, receive, send)
        host = forwarded_value(scope["headers"], b"x-forwarded-host")
        if host and _HOST.match(host):
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [
                (b"host", host.encode())]
        self._root(scope, forwarded_prefix(scope["headers"]))
        return await self.forwarded(scope, receive, send)

    def _root(self, scope: Any, prefix: str | None) -> None:
        """Give `scope` the root_path of public_url, else of the trusted proxy's prefix."""
        if self.root_path and prefix is not None and prefix != self.root_path:
            self._tell_mismatch(prefix)
        root = self.root_path or prefix
        if not root:
            return
        scope["root_path"] = root
        path = scope["path"]
        if path != root and not path.startswith(f"{root}/"):
            # A proxy that strips the prefix: the path gets it back as with uvicorn's
            # --root-path, so that what is made from the request's URL (a redirect to the path
            # without its trailing slash) keeps it; routing takes root_path off again.
            scope["raw_path"] = root.encode() + (scope.get("raw_path") or path.encode())
            scope["path"] = root + path

    def _tell_mismatch(self, prefix: str) -> None:
        if not self._told_mismatch:
            self._told_mismatch = True
            log.warning("the proxy forwards X-Forwarded-Prefix %s but public_url's path is %s: "
                        "links name %s; make --public-url the address clients use", prefix,
                        self.root_path, self.root_path)
