"""The signer the workbench page names (colorizer/apps/web/signed_downloads.py), read from the
subject of real certificates made with `cryptography`: its common name with its organisation,
either alone, and words, never the certificate's path, where it names neither or is not one.
The page itself: test_web_signed_downloads_page.py."""

from __future__ import annotations

import datetime

import pytest

from colorizer.apps.web.signed_downloads import UNNAMED, signed_downloads, subject_words

x509 = pytest.importorskip("cryptography.x509")


def _pem(**names: str) -> bytes:
    """A self-signed certificate whose subject holds `names` (common_name, organization)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    oids = {"common_name": NameOID.COMMON_NAME, "organization": NameOID.ORGANIZATION_NAME}
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE")]
                     + [x509.NameAttribute(oids[k], v) for k, v in names.items()])
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def test_the_common_name_with_its_organisation():
    assert subject_words(_pem(common_name="Scanning Desk", organization="City Archive")) \
        == "Scanning Desk (City Archive)"


def test_an_organisation_already_in_the_common_name_is_not_said_twice():
    assert subject_words(_pem(common_name="City Archive signer", organization="City Archive")) \
        == "City Archive signer"


def test_either_alone():
    assert subject_words(_pem(common_name="Scanning Desk")) == "Scanning Desk"
    assert subject_words(_pem(organization="City Archive")) == "City Archive"


def test_the_first_certificate_of_a_chain_names_the_signer():
    chain = _pem(common_name="Scanning Desk") + _pem(common_name="City Archive CA")
    assert subject_words(chain) == "Scanning Desk"


def test_a_subject_naming_neither_or_no_certificate_names_no_one():
    assert subject_words(_pem()) is None
    assert subject_words(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n") \
        is None


def test_unsigned_downloads_have_no_note_and_another_signer_is_unnamed():
    class OtherSigner:  # a Signer that is not C2paSigner: no certificate to read
        def sign(self, data, mime, record, title):
            return data

    assert signed_downloads(None) is None
    assert signed_downloads(OtherSigner()).as_json() == {"signer": UNNAMED}
