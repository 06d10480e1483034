"""Who signs the workbench's downloads, for the page to say so beside its Download link.

`chronochrome web --c2pa-cert/--c2pa-key` signs every download, but only its stderr said so:
a person saving a file from the page could not tell it carried signed provenance, nor whose
signature. /api/info now names the signer (`signed_downloads`), read from the signing
certificate's subject: its common name, with its organisation where that adds to it
("Test Archive Colorization Signer (Test City Archive)"), as a C2PA reader names the signer.
The certificate's file is not named: the page may be reached from another machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from colorizer.apps.c2pa_signing import C2paSigner

if TYPE_CHECKING:
    from cryptography.x509 import Name, ObjectIdentifier

    from colorizer.apps.outputs import Signer

# Where the certificate names neither (or cannot be read without `cryptography`, which the
# c2pa extra installs beside c2pa-python).
UNNAMED = "the certificate this workbench was started with"


@dataclass(frozen=True)
class SignedDownloads:
    """The page's note: every download is C2PA-signed by `signer` (words, never a path)."""

    signer: str

    def as_json(self) -> dict[str, str]:
        return {"signer": self.signer}


def signed_downloads(signer: Signer | None) -> SignedDownloads | None:
    """What the page says of `signer`'s signatures; None where downloads are not signed."""
    if signer is None:
        return None
    if not isinstance(signer, C2paSigner):  # another Signer (a test's): no certificate known
        return SignedDownloads(UNNAMED)
    return SignedDownloads(subject_words(signer.keys.chain) or UNNAMED)


def subject_words(chain_pem: bytes) -> str | None:
    """The first certificate's subject as a person reads it: "CN (O)", CN or O alone; None
    where it names neither or cannot be read."""
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID
    except ImportError:
        return None
    try:
        subject = x509.load_pem_x509_certificate(chain_pem).subject
    except ValueError:
        return None
    common, organisation = (_first(subject, oid) for oid in
                            (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME))
    if common and organisation and organisation not in common:
        return f"{common} ({organisation})"
    return common or organisation


def _first(subject: Name, oid: ObjectIdentifier) -> str | None:
    """The subject's first value of `oid`, stripped of control characters; None if absent."""
    values = subject.get_attributes_for_oid(oid)
    if not values or not isinstance(values[0].value, str):
        return None
    text = "".join(ch for ch in values[0].value if ch.isprintable()).strip()
    return text or None
