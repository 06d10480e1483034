"""C2PA content credentials on the service's outputs, signed for real (needs the c2pa extra:
c2pa-python and cryptography) with a chain made as an archive would (c2pa_certs)."""

from __future__ import annotations

import hashlib
import io
import socket

import numpy as np
import pytest
from PIL import Image
from service_helpers import gray_png, make_service

pytest.importorskip("c2pa")
pytest.importorskip("cryptography")

from c2pa_certs import LEAF_NAME, make_chain  # needs cryptography: after the skip

from colorizer.apps.service.config import C2paConfig, ServiceConfig
from colorizer.apps.service.signing import (
    C2paSigner,
    SigningUnavailableError,
    read_c2pa,
)
from colorizer.pipeline.provenance import (
    DIGITAL_SOURCE_TYPE,
    encode_image,
    read_xmp,
    software_version,
)

MIMES = {"png": "image/png", "jpg": "image/jpeg", "tif": "image/tiff", "webp": "image/webp"}


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return make_chain(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def svc(tmp_path, tiny_pipeline, chain):
    yield from make_service(tmp_path, tiny_pipeline, c2pa=C2paConfig(chain.chain, chain.key))


def _actions(manifest):
    (assertion,) = [a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions")]
    return assertion["data"]["actions"]


@pytest.mark.parametrize("fmt", ["png", "jpg", "tif", "webp"])
def test_every_format_is_signed_and_validates(svc, chain, fmt):
    response = svc.client.post("/v1/colorize", headers=svc.headers(),
                               files={"file": ("scan 1931.png", gray_png(), "image/png")},
                               data={"hint": "Kazan 1950s", "format": fmt})
    assert response.status_code == 200, response.text
    data = response.content
    store = read_c2pa(data, MIMES[fmt])
    # A self-made CA is untrusted, and that is the only complaint.
    assert store["validation_state"] == "Valid"
    assert [s["code"] for s in store["validation_status"]] == ["signingCredential.untrusted"]
    manifest = store["manifests"][store["active_manifest"]]
    assert manifest["signature_info"]["common_name"] == LEAF_NAME
    (parent,) = manifest["ingredients"]
    assert parent["relationship"] == "parentOf" and parent["title"] == "scan 1931.png"
    assert parent["format"] == "image/png"
    opened, adjusted = _actions(manifest)
    assert opened["action"] == "c2pa.opened"
    assert opened["parameters"]["ingredients"][0]["url"].endswith("c2pa.ingredient.v3")
    assert adjusted["action"] == "c2pa.color_adjustments"
    assert adjusted["digitalSourceType"] == DIGITAL_SOURCE_TYPE
    assert adjusted["softwareAgent"] == {"name": "chronochrome", "version": software_version()}
    assert adjusted["parameters"]["model"]["name"] == "tiny-model"
    # XMP survives signing, and the record hashes the signed file.
    assert DIGITAL_SOURCE_TYPE.encode() in read_xmp(data)
    record = svc.client.get(response.headers["link"].split(">")[0].lstrip("<"),
                            headers=svc.headers()).json()
    assert record["output"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["c2pa_signed"] is True
    assert parent["instance_id"].startswith("ni:///sha-256;")
    # With the archive's root as trust anchor the chain is trusted: nothing left to report.
    trusted = read_c2pa(data, MIMES[fmt], trust_anchors=chain.root.read_text())
    assert trusted["validation_state"] == "Trusted" and not trusted.get("validation_status")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["png", "jpg", "tif", "webp"])
def test_signing_changes_no_pixel_and_keeps_xmp_and_exif(tiny_pipeline, chain, fmt):
    exif = Image.Exif()
    exif[0x013B] = "Test Archive"  # Artist: the original's EXIF, carried to the output
    gray = io.BytesIO()
    Image.open(io.BytesIO(gray_png(40, 30))).save(gray, format="JPEG", exif=exif.tobytes())
    result = tiny_pipeline(gray.getvalue(), hints="Riga")
    unsigned = encode_image(result, fmt)
    signed = C2paSigner(C2paConfig(chain.chain, chain.key)).sign(
        unsigned, MIMES[fmt], {"source": {"sha256": "ab" * 32}}, f"out.{fmt}")
    assert signed != unsigned
    before, after = Image.open(io.BytesIO(unsigned)), Image.open(io.BytesIO(signed))
    assert np.array_equal(np.asarray(before), np.asarray(after))
    assert read_xmp(signed) == read_xmp(unsigned)
    assert before.getexif().get(0x013B) == after.getexif().get(0x013B) == "Test Archive"


def _start(tmp_path, tiny_pipeline, config):
    from colorizer.apps.service.app import create_app

    settings = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0, c2pa=config)
    with pytest.raises(SigningUnavailableError) as caught:
        create_app(tiny_pipeline, settings)
    return str(caught.value)


def test_a_key_of_another_certificate_stops_the_start(tmp_path, tiny_pipeline, chain):
    message = _start(tmp_path, tiny_pipeline, C2paConfig(chain.chain, chain.other_key))
    assert f"private key {chain.other_key} does not belong to the signing certificate" in message


def test_an_expired_certificate_stops_the_start(tmp_path, tiny_pipeline):
    old = make_chain(tmp_path / "old", expired=True)
    message = _start(tmp_path, tiny_pipeline, C2paConfig(old.chain, old.key))
    assert f"certificate in {old.chain} is not valid now (valid from" in message
    assert "renew it" in message


def test_a_certificate_ending_soon_is_logged_at_start(tmp_path, caplog):
    soon = make_chain(tmp_path / "soon", days=10)
    with caplog.at_level("WARNING", logger="chronochrome.c2pa"):
        C2paSigner(C2paConfig(soon.chain, soon.key))
    assert f"the C2PA signing certificate in {soon.chain} ends on" in caplog.text
    assert "(in 9 days): renew it" in caplog.text


def test_an_unreachable_time_stamp_authority_stops_the_start(tmp_path, tiny_pipeline, chain):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/tsa"
    message = _start(tmp_path, tiny_pipeline, C2paConfig(chain.chain, chain.key, tsa_url=url))
    assert f"time-stamp authority {url} could not time-stamp" in message
    assert "leave tsa_url out" in message


def test_a_signature_failing_later_answers_503_and_records_nothing(svc, chain):
    import c2pa

    # The certificate expires while the service runs: emulated by the signer's credentials.
    old = make_chain(chain.chain.parent / "later", expired=True)
    signer = svc.app.state.service.signer
    signer._info = c2pa.C2paSignerInfo(b"es256", old.chain.read_bytes(), old.key.read_bytes(),
                                       None)
    response = svc.client.post("/v1/colorize", headers=svc.headers(),
                               files={"file": ("a.png", gray_png(), "image/png")})
    assert response.status_code == 503
    problem = response.json()
    assert problem["reason"] == "signing_failed" and "is not valid now" in problem["detail"]
    assert list(svc.config.results_dir.iterdir()) == []
