"""Test certificate chains for C2PA signing, made as an archive would: a root CA, an
intermediate CA and an ES256 end-entity certificate with the key usage and extended key usage
C2PA requires (digitalSignature; documentSigning, 1.3.6.1.5.5.7.3.36). Needs `cryptography`.

    paths = make_chain(tmp_path)                       # valid from yesterday for 90 days
    paths = make_chain(tmp_path, expired=True)         # ended yesterday
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
LEAF_NAME = "Test Archive Colorization Signer"


@dataclass(frozen=True)
class ChainFiles:
    chain: Path  # leaf, then intermediate (PEM); the root is left out, as C2PA asks
    key: Path  # the leaf's PKCS#8 private key (PEM)
    root: Path  # the root CA (PEM), for a trust list
    other_key: Path  # a key of no certificate here: a wrong pair


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test City Archive"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "DE")])


def _usage(sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=sign, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                         decipher_only=False)


def _cert(subject: str, key, issuer: x509.Name, issuer_key, *, ca: bool,
          start: datetime.datetime, end: datetime.datetime) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                              critical=True)
               .add_extension(_usage(not ca, ca), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_key.public_key()), critical=False))
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage(
            [DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_chain(folder: Path, *, expired: bool = False, days: int = 90) -> ChainFiles:
    """Write chain.pem, key.pem, root.pem and other-key.pem into `folder`."""
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(4)]
    root_key, mid_key, leaf_key, other_key = keys
    root = _cert("Test Archive Root CA", root_key, _name("Test Archive Root CA"), root_key,
                 ca=True, start=now - 30 * day, end=now + 3650 * day)
    mid = _cert("Test Archive Intermediate CA", mid_key, root.subject, root_key, ca=True,
                start=now - 30 * day, end=now + 1825 * day)
    start, end = (now - 20 * day, now - day) if expired else (now - day, now + days * day)
    leaf = _cert(LEAF_NAME, leaf_key, mid.subject, mid_key, ca=False, start=start, end=end)
    pem = serialization.Encoding.PEM
    folder.mkdir(parents=True, exist_ok=True)
    files = ChainFiles(folder / "chain.pem", folder / "key.pem", folder / "root.pem",
                       folder / "other-key.pem")
    files.chain.write_bytes(leaf.public_bytes(pem) + mid.public_bytes(pem))
    files.key.write_bytes(_key_pem(leaf_key))
    files.root.write_bytes(root.public_bytes(pem))
    files.other_key.write_bytes(_key_pem(other_key))
    return files


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1])
    made = make_chain(target, expired="--expired" in sys.argv)
    print(made)


def signed_manifest(data: bytes, mime: str, chain: ChainFiles, original: Path) -> dict[str, Any]:
    """The active C2PA manifest of `data`, which c2pa's own reader must find Trusted under
    `chain`'s root, with the file `original` as its one parent ingredient."""
    from colorizer.apps.c2pa_signing import read_c2pa
    from colorizer.pipeline.xmp_history import hash_uri

    store = read_c2pa(data, mime, trust_anchors=chain.root.read_text())
    assert store["validation_state"] == "Trusted", store.get("validation_status")
    manifest = store["manifests"][store["active_manifest"]]
    (parent,) = manifest["ingredients"]
    assert parent["title"] == original.name and parent["relationship"] == "parentOf"
    assert parent["instance_id"] == hash_uri(hashlib.sha256(original.read_bytes()).hexdigest())
    return manifest
