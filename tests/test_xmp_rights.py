"""The rights a IIIF manifest states, in the colorized file's own XMP: dc:rights, the
licence as xmpRights:UsageTerms and WebStatement, the required attribution as photoshop:Credit,
and the canvas URL as dc:source. Only the JSON record said them: an image downloaded alone had
lost its licence. Read back as a DAM reads XMP (an XML parse of the embedded packet)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.provenance import encode_image
from colorizer.pipeline.xmp_read import xmp_packet

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
RIGHTS = "{http://ns.adobe.com/xap/1.0/rights/}"
PHOTOSHOP = "{http://ns.adobe.com/photoshop/1.0/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
CANVAS = "https://iiif.archive.example/streets/canvas/3"
SOURCE = {"kind": "iiif_image", "canvas_id": CANVAS,
          "manifest": "https://iiif.archive.example/streets.json", "rights": CC_BY,
          "requiredStatement": {"label": {"en": ["Attribution"]},
                                "value": {"de": ["Mit freundlicher Genehmigung"],
                                          "en": ["Courtesy of the City Archive"]}}}


@pytest.fixture(scope="module")
def result(shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    pixels = (np.arange(48 * 32) % 251).astype(np.uint8).reshape(32, 48)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format="PNG")
    return pipe(buffer.getvalue())


def _rdf(data: bytes) -> ET.Element:
    return ET.fromstring(xmp_packet(data))


def _texts(rdf: ET.Element, tag: str) -> list[str]:
    return [el.text or "" for el in rdf.iter(tag)]


def _lang_alt(rdf: ET.Element, tag: str) -> list[tuple[str | None, str]]:
    return [(li.get(XML_LANG), li.text or "") for prop in rdf.iter(tag)
            for li in prop.iter(f"{RDF}li")]


@pytest.mark.parametrize("fmt", ["jpg", "png", "tif", "webp"])
def test_the_files_xmp_states_the_manifests_licence_attribution_and_canvas(result, fmt):
    rdf = _rdf(encode_image(result, fmt, source=SOURCE))
    assert _texts(rdf, f"{DC}source") == [CANVAS]  # it was "sha256:..." of the original
    assert _lang_alt(rdf, f"{DC}rights") == [
        ("x-default", f"Courtesy of the City Archive; Licence: {CC_BY}")]
    assert _lang_alt(rdf, f"{RIGHTS}UsageTerms") == [("x-default", CC_BY)]
    assert _texts(rdf, f"{RIGHTS}WebStatement") == [CC_BY]
    assert _texts(rdf, f"{PHOTOSHOP}Credit") == ["Courtesy of the City Archive"]


def test_rights_in_words_are_usage_terms_without_a_web_statement(result):
    source = {"canvas_id": CANVAS, "rights_statement": "Public domain in Germany"}
    rdf = _rdf(encode_image(result, "png", source=source))
    assert _lang_alt(rdf, f"{RIGHTS}UsageTerms") == [("x-default", "Public domain in Germany")]
    assert _lang_alt(rdf, f"{DC}rights") == [("x-default",
                                              "Licence: Public domain in Germany")]
    assert _texts(rdf, f"{RIGHTS}WebStatement") == []
    assert _texts(rdf, f"{PHOTOSHOP}Credit") == []


def test_a_photo_without_stated_rights_keeps_its_packet_and_pixels(result):
    plain, with_rights = encode_image(result, "png"), encode_image(result, "png", source=SOURCE)
    rdf = _rdf(plain)
    assert _texts(rdf, f"{DC}source") == [f"sha256:{result.input.sha256}"]
    assert _texts(rdf, f"{RIGHTS}WebStatement") == [] and _texts(rdf, f"{DC}rights") == []
    assert b"xmpRights" not in xmp_packet(plain)
    with Image.open(io.BytesIO(plain)) as a, Image.open(io.BytesIO(with_rights)) as b:
        assert np.array_equal(np.asarray(a), np.asarray(b))
