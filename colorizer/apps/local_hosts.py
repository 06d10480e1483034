"""Whether a server listens only on this machine: `serve` warns before it listens elsewhere,
and the workbench opens server-side paths and service jobs only when it does."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address (127.0.0.0/8, ::1); a host name is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
