"""Provenance: XMP in every output format (read back with Pillow), JSON records, C2PA."""

from __future__ import annotations

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


@pytest.mark.slow
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


def test_c2pa_signed_outputs_from_the_service(tmp_path, tiny_pipeline):
    pytest.importorskip("c2pa")
    pytest.importorskip("cryptography")
    from c2pa_certs import LEAF_NAME, make_chain
    from service_helpers import make_service

    from colorizer.apps.service.config import C2paConfig
    from colorizer.apps.service.signing import read_c2pa

    chain = make_chain(tmp_path / "pki")
    for svc in make_service(tmp_path, tiny_pipeline, c2pa=C2paConfig(chain.chain, chain.key)):
        response = svc.client.post("/v1/colorize", headers=svc.headers(),
                                   files={"file": ("a.png", gray_png(), "image/png")},
                                   data={"hint": "Kazan 1950s"})
        assert response.status_code == 200
        store = read_c2pa(response.content, "image/png")
        manifest = store["manifests"][store["active_manifest"]]
        opened, adjusted = manifest["assertions"][0]["data"]["actions"]
        assert opened["action"] == "c2pa.opened"  # the gray original, a parentOf ingredient
        assert manifest["ingredients"][0]["relationship"] == "parentOf"
        assert adjusted["action"] == "c2pa.color_adjustments"
        assert adjusted["digitalSourceType"] == DIGITAL_SOURCE_TYPE
        assert manifest["signature_info"]["common_name"] == LEAF_NAME
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
