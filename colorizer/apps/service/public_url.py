"""`ServiceConfig.public_url`: the address clients reach the service at, checked at start.

Every link the API answers with is `public_url` + a route (`job_routes.base_url`), so a value
that is not an absolute http(s) URL of the service's root made every link broken, silently: a
URL without a scheme gave links that clients read as relative paths, and one that named an
endpoint (`.../v1/jobs`) doubled it in every link. Such a value now stops the start with one
line naming the fix.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

_EXAMPLE = "e.g. https://archive.example.org/colorize"
# Routes of the service: a public_url ending in one names an endpoint, not the service's root.
_PATH_SAFE = "/%-._~!$&'()*+,;=:@"  # RFC 3986 pchar and "/"
_ROUTES = ("v1", "docs", "openapi.json", "livez", "readyz", "metrics")


def normalize_public_url(url: str) -> str:
    """`url` without its trailing slash; a ValueError naming the problem when it is not an
    absolute http(s) URL of the service's root (no query, fragment or user name)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError as exc:
        raise ValueError(f"public_url {url!r} is not a URL ({exc}); give the address clients "
                         f"use, {_EXAMPLE}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"public_url {url!r} needs http:// or https:// and a host (links "
                         f"made from it would not be absolute): {_EXAMPLE}")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError(f"public_url {url!r} may not have a query or fragment: give the "
                         f"service's root address, {_EXAMPLE}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"public_url {url!r} may not hold a user name or password")
    path = parts.path.rstrip("/")
    segments = path.split("/")
    if "" in segments[1:] or "." in segments or ".." in segments:
        raise ValueError(f"public_url {url!r} has an empty, '.' or '..' path segment")
    if quote(path, safe=_PATH_SAFE) != path:
        raise ValueError(f"public_url {url!r} has characters a URL path may not hold "
                         "unescaped: percent-encode them as the proxy's location does")
    # "v1" anywhere (".../v1/jobs/..." pasted from a link), the others as the last segment
    named = "v1" if "v1" in segments else segments[-1] if segments[-1] in _ROUTES else None
    if named is not None:
        root = path[:path.index(f"/{named}")] or "/"
        raise ValueError(f"public_url {url!r} names a route of the service (/{named}); give the "
                         f"service's root, the part before it: path {root!r}")
    return f"{parts.scheme}://{parts.netloc}{path}"


def public_path(url: str | None) -> str:
    """The path prefix of a (normalized) public_url: '/colorize', or '' for a root URL."""
    return urlsplit(url).path.rstrip("/") if url else ""
