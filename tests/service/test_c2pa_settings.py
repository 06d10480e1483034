"""C2PA settings checked at start, c2pa's errors explained, the manifest built: all without the
optional c2pa extra (these run everywhere; test_service_c2pa.py signs for real)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from colorizer.apps.c2pa_checks import SigningUnavailableError, check_config, explain
from colorizer.apps.c2pa_manifest import build_manifest
from colorizer.apps.service.config import C2paConfig, ServiceConfig
from colorizer.apps.service.signing import C2paSigner
from colorizer.pipeline.provenance import DIGITAL_SOURCE_TYPE, software_version

CERT = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = b"-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"


def _config(tmp_path: Path, cert: bytes = CERT, key: bytes = KEY, **changes) -> C2paConfig:
    (tmp_path / "chain.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    return C2paConfig(tmp_path / "chain.pem", tmp_path / "key.pem", **changes)


def _refused(config: C2paConfig) -> str:
    with pytest.raises(SigningUnavailableError) as caught:
        check_config(config)
    return str(caught.value)


def test_good_pem_files_pass_and_are_returned(tmp_path):
    assert check_config(_config(tmp_path)) == (CERT, KEY)


def test_a_missing_certificate_names_the_file_and_the_setting(tmp_path):
    config = C2paConfig(tmp_path / "nope.pem", tmp_path / "key.pem")
    message = _refused(config)
    assert "certificate chain (cert_chain, --c2pa-cert)" in message
    assert f"{tmp_path / 'nope.pem'} does not exist" in message
    # Before c2pa is imported: the same answer with or without the extra.
    with pytest.raises(SigningUnavailableError, match="does not exist"):
        C2paSigner(config)


def test_a_folder_or_a_missing_key_is_refused(tmp_path):
    config = _config(tmp_path)
    assert "is a folder" in _refused(C2paConfig(config.cert_chain, tmp_path))
    missing = _refused(C2paConfig(config.cert_chain, tmp_path / "gone.pem"))
    assert "private key (private_key, --c2pa-key)" in missing and "gone.pem" in missing


def test_swapped_certificate_and_key_are_named(tmp_path):
    message = _refused(_config(tmp_path, cert=KEY, key=CERT))
    assert "chain.pem holds a private key" in message and "swapped" in message


def test_old_openssl_and_encrypted_keys_say_how_to_convert(tmp_path):
    sec1 = b"-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n"
    message = _refused(_config(tmp_path, key=sec1))
    assert "old OpenSSL format" in message
    assert f"openssl pkcs8 -topk8 -nocrypt -in {tmp_path / 'key.pem'}" in message
    encrypted = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMII\n-----END ENCRYPTED PRIVATE KEY-----\n"
    assert "is encrypted" in _refused(_config(tmp_path, key=encrypted))


def test_der_or_text_is_not_a_chain(tmp_path):
    message = _refused(_config(tmp_path, cert=b"\x30\x82\x01\x0a"))
    assert "is not PEM" in message and "openssl x509 -inform der" in message
    assert "not a PEM PKCS#8 key" in _refused(_config(tmp_path, key=b"hello"))


def test_unknown_algorithm_and_bad_tsa_url_are_refused(tmp_path):
    message = _refused(_config(tmp_path, alg="sha256"))
    assert "alg 'sha256' is not supported" in message and "es256" in message
    assert "tsa_url 'timestamp.example' is not an http(s) URL" in _refused(
        _config(tmp_path, tsa_url="timestamp.example"))
    assert check_config(_config(tmp_path, alg="ES256", tsa_url="http://ts.example/tsa"))


def test_the_service_refuses_to_start_with_a_missing_certificate(tmp_path, tiny_pipeline):
    from colorizer.apps.service.app import create_app

    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0,
                           c2pa=C2paConfig(tmp_path / "nope.pem", tmp_path / "key.pem"))
    with pytest.raises(SigningUnavailableError, match="nope.pem does not exist"):
        create_app(tiny_pipeline, config)


@pytest.mark.parametrize(("c2pa_says", "expected"), [
    ("Signature: the signature does not match the provided data or public key",
     "key.pem does not belong to the signing certificate (the first in"),
    ("Signature: the certificate was not valid at time of signing",
     "chain.pem is not valid now"),
    (("Signature: internal error (an error occurred from the underlying http resolver: "
      "error sending request for url (http://127.0.0.1:9/tsa))"),
     "time-stamp authority http://127.0.0.1:9/tsa could not time-stamp"),
    (("Signature: invalid signing credentials (unsupported private key algorithm "
      "(1.2.840.10045.2.1))"), "for alg ps256"),
])
def test_c2pa_errors_are_explained(tmp_path, c2pa_says, expected):
    config = _config(tmp_path, alg="ps256", tsa_url="http://127.0.0.1:9/tsa")
    assert expected in explain(c2pa_says, config)


RECORD = {"source": {"name": "Großmutter 1931.jpg", "format": "JPEG", "sha256": "ab" * 32,
                     "url": "https://archive.example/g.jpg"},
          "model": {"name": "tiny-model", "version": "test", "sha256": "cd" * 32},
          "prompt": {"hint": "Kazan 1950s", "caption": None}}


def test_manifest_names_the_original_as_parent_and_the_ai_color_change():
    manifest = build_manifest(RECORD, "out.png")
    (ingredient,) = manifest["ingredients"]
    assert ingredient == {
        "title": "Großmutter 1931.jpg", "relationship": "parentOf", "label": "original",
        "format": "image/jpeg", "instance_id": "ni:///sha-256;q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s",
        "description": f"the original (sha256 {'ab' * 32})",
        "informational_URI": "https://archive.example/g.jpg"}
    opened, adjusted = manifest["assertions"][0]["data"]["actions"]
    assert manifest["assertions"][0]["label"] == "c2pa.actions"
    assert opened == {"action": "c2pa.opened", "parameters": {"ingredientIds": ["original"]}}
    assert adjusted["action"] == "c2pa.color_adjustments"
    assert adjusted["digitalSourceType"] == DIGITAL_SOURCE_TYPE
    assert adjusted["softwareAgent"] == {"name": "chronochrome", "version": software_version()}
    assert adjusted["parameters"] == {"model": RECORD["model"], "hint": "Kazan 1950s"}
    assert manifest["claim_generator_info"] == [adjusted["softwareAgent"]]
    assert manifest["assertions"][1]["data"]["source_sha256"] == "ab" * 32


def test_manifest_of_a_record_without_source_details_still_has_a_parent():
    manifest = build_manifest({}, "probe.png")
    assert manifest["ingredients"] == [{"title": "original", "relationship": "parentOf",
                                        "label": "original"}]
    assert "parameters" not in manifest["assertions"][0]["data"]["actions"][1]


# A self-signed certificate valid from 2026-01-02 03:04:05 (UTCTime) to 2051-06-07 08:09:10
# (GeneralizedTime, as RFC 5280 asks from 2050 on).
DATED = b"""-----BEGIN CERTIFICATE-----
MIIBBjCBraADAgECAgEHMAoGCCqGSM49BAMCMAwxCjAIBgNVBAMMAXQwIBcNMjYw
MTAyMDMwNDA1WhgPMjA1MTA2MDcwODA5MTBaMAwxCjAIBgNVBAMMAXQwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQdKyrFY33x3rD6GeVYmfV9nZMvBiw06mlz6uJl
MQd/fK2zofPaUQ0/yRG1VGanFDq91nOE5mzzQ0SlcCNWid7mMAoGCCqGSM49BAMC
A0gAMEUCIQC4OJcLhhkD/gZ4LOrs0T0I2Sx+Hge32hNtIEd5DLqoxgIgK4VDnhdv
/Oj8fqRWvP9wmQo8WiMXsnREgqu7eElrq/M=
-----END CERTIFICATE-----
"""


def test_certificate_dates_are_read_without_a_crypto_library(tmp_path):
    from colorizer.apps.cert_dates import certificate_dates

    config = _config(tmp_path, cert=DATED)
    utc = datetime.UTC
    assert certificate_dates(config.cert_chain) == (
        datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=utc),
        datetime.datetime(2051, 6, 7, 8, 9, 10, tzinfo=utc))
    message = explain("Signature: the certificate was not valid at time of signing", config)
    assert "(valid from 2026-01-02 03:04 UTC to 2051-06-07 08:09 UTC)" in message
    assert certificate_dates(config.private_key) is None  # no certificate: no dates, no error
    (tmp_path / "bad").mkdir()
    assert certificate_dates(_config(tmp_path / "bad").cert_chain) is None  # CERT: bad DER


@pytest.mark.parametrize("worker_only", [True, False])
def test_serve_tells_a_missing_certificate_before_the_model_loads(tmp_path, monkeypatch,
                                                                 capsys, worker_only):
    """`serve --worker-only` never signed (its worker had no signer), and `serve` loaded the
    model (seconds) before the certificate was looked at: both now read it first."""
    from colorizer.apps import cli
    from colorizer.apps.service import cli as service_cli

    loads: list[object] = []  # a recorder: the model must never be loaded
    monkeypatch.setattr(service_cli, "_pipeline", lambda args: loads.append(args))
    args = ["serve", "--data-dir", str(tmp_path / "svc"), "--c2pa-cert",
            str(tmp_path / "nope.pem"), "--c2pa-key", str(tmp_path / "key.pem")]
    assert cli.main(args + (["--worker-only"] if worker_only else [])) == 2
    assert "nope.pem does not exist" in capsys.readouterr().err and loads == []
