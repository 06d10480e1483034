"""Provenance: XMP in every output format (read back with Pillow), JSON records, C2PA."""

from __future__ import annotations

import datetime
import io

import pytest
from PIL import Image
from service_helpers import gray_png

from colorizer.pipeline.provenance import (
    DIGITAL_SOURCE_TYPE,
    encode_image,
    provenance_record,
    read_xmp,
)


@pytest.fixture
def result(tiny_pipeline):
    return tiny_pipeline(gray_png(40, 30), hints="Kazan 1950s & <tram>")


@pytest.mark.parametrize("fmt", ["png", "jpg", "tif", "webp"])
def test_xmp_is_embedded_and_read_back_by_pillow(result, fmt):
    data = encode_image(result, fmt)
    image = Image.open(io.BytesIO(data))
    assert image.size == (40, 30)
    xmp = image.info["xmp"].decode("utf-8")
    assert f"<Iptc4xmpExt:DigitalSourceType>{DIGITAL_SOURCE_TYPE}<" in xmp
    assert "<Iptc4xmpExt:AISystemUsed>chronochrome<" in xmp
    assert "model tiny-model test" in xmp  # AI system version names the weights
    assert "Kazan 1950s &amp; &lt;tram&gt;" in xmp  # the hint, XML-escaped
    assert read_xmp(data) == image.info["xmp"]


def test_provenance_record_names_source_model_and_output(result):
    data = encode_image(result, "png")
    record = provenance_record(result, output=data, output_format="png",
                               source={"url": "https://archive.example/a.png"})
    import hashlib

    assert record["output"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["source"]["sha256"] == hashlib.sha256(gray_png(40, 30)).hexdigest()
    assert record["source"]["url"] == "https://archive.example/a.png"
    assert record["model"]["name"] == "tiny-model" and record["prompt"]["hint"].startswith("Kazan")
    assert record["digital_source_type"] == DIGITAL_SOURCE_TYPE
    assert "embedding" not in record["context"]
    assert record["exemplars"] == []


def test_cli_batch_outputs_carry_xmp(tiny_pipeline, tmp_path):
    from colorizer.apps.batch import BatchColorizer

    src = tmp_path / "in.png"
    src.write_bytes(gray_png())
    for fmt in ("png", "jpg", "tif"):
        summary = BatchColorizer(tiny_pipeline, tmp_path / fmt, fmt=fmt).run([src], hints="Riga")
        assert summary.count("done") == 1
        with Image.open(summary.items[0].output) as image:
            xmp = image.info["xmp"].decode()
        assert DIGITAL_SOURCE_TYPE in xmp and "Riga" in xmp


def _certificate(tmp_path):
    """A test CA and an ES256 end-entity signing certificate, generated here."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chronochrome tests")])

    def usage(sign, ca):
        return x509.KeyUsage(digital_signature=sign, content_commitment=False,
                             key_encipherment=False, data_encipherment=False,
                             key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                             encipher_only=False, decipher_only=False)

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    valid = {"not_valid_before": now - datetime.timedelta(days=1),
                 "not_valid_after": now + datetime.timedelta(days=7)}
    ca = (x509.CertificateBuilder(**valid).subject_name(name("Test CA"))
          .issuer_name(name("Test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(False, True), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder(**valid).subject_name(name("chronochrome signer"))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(True, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    chain, key_path = tmp_path / "chain.pem", tmp_path / "key.pem"
    chain.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    key_path.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return chain, key_path


def test_c2pa_signed_outputs_from_the_service(tmp_path, tiny_pipeline):
    pytest.importorskip("c2pa")
    from service_helpers import make_service

    from colorizer.apps.service.config import C2paConfig
    from colorizer.apps.service.signing import read_c2pa

    chain, key = _certificate(tmp_path)
    for svc in make_service(tmp_path, tiny_pipeline, c2pa=C2paConfig(chain, key)):
        response = svc.client.post("/v1/colorize", headers=svc.headers(),
                                   files={"file": ("a.png", gray_png(), "image/png")},
                                   data={"hint": "Kazan 1950s"})
        assert response.status_code == 200
        store = read_c2pa(response.content, "image/png")
        manifest = store["manifests"][store["active_manifest"]]
        action = manifest["assertions"][0]["data"]["actions"][0]
        assert action["digitalSourceType"] == DIGITAL_SOURCE_TYPE
        assert manifest["signature_info"]["common_name"] == "chronochrome signer"
        codes = {s["code"] for s in store["validation_results"]["activeManifest"]["success"]}
        assert "claimSignature.validated" in codes
        # XMP survives signing, and the record hashes the signed file.
        assert DIGITAL_SOURCE_TYPE.encode() in Image.open(io.BytesIO(response.content)).info["xmp"]
        record = svc.client.get(response.headers["link"].split(">")[0].lstrip("<"),
                                headers=svc.headers()).json()
        import hashlib

        assert record["output"]["sha256"] == hashlib.sha256(response.content).hexdigest()
        assert record["c2pa_signed"] is True


def test_provenance_names_no_server_path(service):
    """The record is published beside the image: weights by name, version and hash only."""
    response = service.client.post("/v1/colorize?response=json", headers=service.headers(),
                                   files={"file": ("p.png", gray_png(), "image/png")})
    assert response.status_code == 200, response.text
    record = response.json()["provenance"]
    assert "path" not in record["model"] and record["model"]["sha256"]
    assert all("image_path" not in e for e in record["exemplars"])
    stored = service.client.get(response.json()["provenance_url"].split("testserver")[-1],
                                headers=service.headers())
    assert stored.status_code == 200 and "path" not in stored.json()["model"]
    assert str(service.config.data_dir) not in stored.text
