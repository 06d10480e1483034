"""The job store's API keys: stored as SHA-256 hashes of random 256-bit secrets, never in clear."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from colorizer.apps.service.store_connection import StoreConnection


class ApiKeys(StoreConnection):
    """The `keys` table: create, look up, list and revoke API keys."""

    def create_key(self, name: str) -> tuple[str, str]:
        """A new key: returns (key_id, secret). The secret is shown once; only its hash stays."""
        key_id = "k" + secrets.token_hex(6)
        secret = f"cc_{key_id}_{secrets.token_urlsafe(32)}"
        with self._tx() as db:
            db.execute("INSERT INTO keys (id, name, hash, created) VALUES (?, ?, ?, ?)",
                       (key_id, name, _hash(secret), time.time()))
        return key_id, secret

    def key_for(self, secret: str) -> str | None:
        """The key id of a presented secret, or None (unknown or revoked)."""
        row = self._db().execute("SELECT id FROM keys WHERE hash = ? AND revoked = 0",
                                 (_hash(secret),)).fetchone()
        return row["id"] if row else None

    def key_active(self, key_id: str) -> bool:
        """True while `key_id` exists and is not revoked (a signed link of it opens a file)."""
        return self._db().execute("SELECT 1 FROM keys WHERE id = ? AND revoked = 0",
                                  (key_id,)).fetchone() is not None

    def list_keys(self) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT id, name, created, revoked FROM keys ORDER BY created")
        return [dict(r) for r in rows]

    def revoke_key(self, key_id: str) -> bool:
        with self._tx() as db:
            return db.execute("UPDATE keys SET revoked = 1 WHERE id = ?", (key_id,)).rowcount > 0


def _hash(secret: str) -> str:
    # The secrets are 256-bit random tokens, so a fast hash is enough (no password stretching).
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
