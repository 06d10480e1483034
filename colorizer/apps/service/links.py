"""Signed links to an item's images, for IIIF viewers that cannot send an API key.

A IIIF viewer loads the images a manifest names with plain GETs: it has no way to add
`Authorization: Bearer ...`, so links that need the key showed no image. The manifest (fetched
with the key) therefore names each image with `?kid=KEY_ID&exp=UNIX_TIME&sig=HMAC`: an
HMAC-SHA256, under a secret of this service, of the path, the key id and the expiry. Such a
link opens that one image of that key's job until it expires (`link_ttl_seconds`, default 7
days) or the key is revoked (`auth.key_or_link_dependency`), and nothing else; fetching the
manifest again gives fresh links.

The secret is made on first start as `link-secret` in the data folder (mode 0600); deleting it
invalidates every link given out.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

SECRET_FILE = "link-secret"
_PREFIX = "/v1/jobs/"


def _signed_part(url_or_path: str) -> str:
    """The part of a link that is signed: from /v1/jobs/ on (a proxy may add a prefix)."""
    at = url_or_path.find(_PREFIX)
    return url_or_path[at:] if at >= 0 else url_or_path


class LinkSigner:
    """Signs and checks links to an item's files."""

    def __init__(self, secret: bytes, ttl_seconds: float) -> None:
        self._secret, self.ttl_seconds = secret, ttl_seconds

    @classmethod
    def for_data_dir(cls, data_dir: Path, ttl_seconds: float) -> LinkSigner:
        path = Path(data_dir) / SECRET_FILE
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return cls(path.read_text().strip().encode(), ttl_seconds)

    def _mac(self, path: str, key_id: str, expires: str) -> str:
        message = f"{_signed_part(path)}\n{key_id}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(self, url: str, key_id: str, now: float | None = None) -> str:
        """`url` with the query that opens it for `ttl_seconds`."""
        expires = str(int((now or time.time()) + self.ttl_seconds))
        query = urlencode({"kid": key_id, "exp": expires,
                           "sig": self._mac(url, key_id, expires)})
        return f"{url}?{query}"

    def check(self, path: str, key_id: str, expires: str, sig: str,
              now: float | None = None) -> bool:
        """True when `sig` is this service's signature of the path, key and a future expiry."""
        if not expires.isdigit() or int(expires) < (now or time.time()):
            return False
        return hmac.compare_digest(self._mac(path, key_id, expires), sig)
