"""C2PA signing in the service: the shared signer (`colorizer.apps.c2pa_signing`, the same
one `chronochrome colorize --c2pa-cert` uses), with a failed signature answered as a problem
(503 for /v1/colorize; a job's worker retries the item)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from colorizer.apps import c2pa_signing
from colorizer.apps.c2pa_signing import SigningUnavailableError, read_c2pa
from colorizer.apps.service.problems import Problem

__all__ = ["C2paSigner", "SigningFailedError", "SigningUnavailableError", "read_c2pa"]


class SigningFailedError(Problem):
    """A signature that failed after start (the certificate expired meanwhile, the TSA went
    down): 503 for /v1/colorize; a job's worker retries the item."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, "signing_failed", detail)


class C2paSigner(c2pa_signing.C2paSigner):
    """The shared signer; a signature failing after start is the service's 503 problem."""

    def sign(self, data: bytes, mime: str, record: dict[str, Any], title: str) -> bytes:
        try:
            return super().sign(data, mime, record, title)
        except c2pa_signing.SigningFailedError as exc:
            raise SigningFailedError(str(exc)) from None

    def sign_file(self, source: Path, dest: BinaryIO, mime: str, record: dict[str, Any],
                  title: str) -> None:
        try:
            super().sign_file(source, dest, mime, record, title)
        except c2pa_signing.SigningFailedError as exc:
            raise SigningFailedError(str(exc)) from None
