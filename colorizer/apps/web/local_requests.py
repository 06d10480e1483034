"""Whether a request to the workbench came from a page of this machine's loopback address,
which opening a path or a service job needs on top of `WebConfig.local`.

`WebConfig.local` says the workbench *listens* on loopback, not that the page calling it was
loaded from there. A web page on another site whose name is made to resolve to 127.0.0.1
after it loaded (DNS rebinding) is same-origin with the workbench in the browser, so it could
call POST /api/photos/open-path and read the photos under `--allow-dir` back
(`GET /api/photos/{id}/original.png`): the request reached 127.0.0.1:8765 with
`Host: attacker.example:8765`. A proxy in front of a loopback workbench likewise passed every
visitor's requests to the features meant for the person at this machine. Only a request whose
Host names this machine reaches them now, at any port: localhost (and `*.localhost`), a
loopback address (127.0.0.0/8, [::1]), or a name of one label (the machine's own name, which
Debian resolves to 127.0.1.1): a rebinding page needs a name in public DNS, which has a dot.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from colorizer.apps.local_hosts import is_loopback
from colorizer.errors import ChronochromeError


class HostNotLocal(ChronochromeError):
    """A local-only feature asked for under another host name (403, `host_not_local`)."""

    reason = "host_not_local"
    status = 403


def requested_host(request: Request) -> str:
    """The host name of the request's Host header, without its port ('' when absent)."""
    try:
        return (urlsplit(f"//{request.headers.get('host', '')}").hostname or "").lower()
    except ValueError:  # a Host such as "[::1" that is no authority at all
        return ""


def from_loopback_page(request: Request) -> bool:
    """True when the request's Host names this machine (module docstring)."""
    host = requested_host(request)
    if host == "localhost" or host.endswith(".localhost") or is_loopback(host):
        return True
    return bool(host) and "." not in host and ":" not in host  # one label, not an IP


def require_loopback_page(request: Request, what: str) -> None:
    """Refuse `what` (opening a path, a service job) for a page under another host name."""
    if not from_loopback_page(request):
        shown = requested_host(request) or "no host"
        raise HostNotLocal(f"{what} works only from the page at this machine's own address "
                           f"(http://127.0.0.1 or http://localhost, with the workbench's port); "
                           f"this request named {shown}, as a page of another site or a "
                           "proxy does: open the workbench at its loopback address, or upload "
                           "the photo")
