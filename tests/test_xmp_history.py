"""XMP Media Management in the outputs, read back as asset systems read it: a new document
(its own DocumentID), DerivedFrom the gray original, the original's History with the
colorization's events appended, and dates that are this file's."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.provenance import encode_image

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
MM = "{http://ns.adobe.com/xap/1.0/mm/}"
EVT = "{http://ns.adobe.com/xap/1.0/sType/ResourceEvent#}"
REF = "{http://ns.adobe.com/xap/1.0/sType/ResourceRef#}"
XMP = "{http://ns.adobe.com/xap/1.0/}"
_SCAN_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
  xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
  xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmpMM:DocumentID="xmp.did:scan-1"
  xmpMM:InstanceID="xmp.iid:scan-2" xmp:ModifyDate="2019-03-02T10:00:00+01:00">
 <xmpMM:History><rdf:Seq><rdf:li rdf:parseType="Resource"><stEvt:action>created</stEvt:action>
  <stEvt:instanceID>xmp.iid:scan-1</stEvt:instanceID><stEvt:when>2019-03-01T10:00:00+01:00</stEvt:when>
  <stEvt:softwareAgent>Epson Scan 2</stEvt:softwareAgent></rdf:li></rdf:Seq></xmpMM:History>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""
_XMP_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)


def _gray(fmt: str, **kwargs) -> bytes:
    pixels = (np.arange(48 * 32) % 251).astype(np.uint8).reshape(32, 48)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _packet(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as out:
        packet = out.info.get("xmp") or out.info.get("XML:com.adobe.xmp")
    return packet.decode("utf-8") if isinstance(packet, bytes) else packet


def _one(root: ET.Element, tag: str) -> str:
    """A simple property's value, as an element or an attribute; it must appear once."""
    values = [e.text for e in root.iter(tag)]
    values += [d.get(tag) for d in root.iter(f"{RDF}Description") if d.get(tag)]
    assert len(values) == 1, (tag, values)
    return values[0]


@pytest.mark.parametrize("fmt", ["jpg", "png", "tif"])
def test_the_output_is_a_new_document_derived_from_the_scan(pipe, fmt):
    # The output kept the scan's DocumentID (claiming to be a version of the scan), had no
    # DerivedFrom, and its History ended with the scanner's events: no colorization in it.
    packet = _packet(encode_image(pipe(_gray("JPEG", xmp=_SCAN_XMP.encode())), fmt))
    root = ET.fromstring(packet.split("?>", 1)[1].rsplit("<?xpacket", 1)[0])
    document = _one(root, f"{MM}DocumentID")
    assert document != "xmp.did:scan-1" and document.startswith("uuid:")
    instance = _one(root, f"{MM}InstanceID")
    assert _one(root, f"{MM}OriginalDocumentID") == "xmp.did:scan-1"
    derived = root.find(f".//{MM}DerivedFrom")
    assert derived.findtext(f"{REF}documentID") == "xmp.did:scan-1"
    assert derived.findtext(f"{REF}instanceID") == "xmp.iid:scan-2"
    events = root.findall(f".//{MM}History/{RDF}Seq/{RDF}li")
    assert [e.findtext(f"{EVT}action") for e in events] == ["created", "derived", "saved"]
    assert events[0].findtext(f"{EVT}softwareAgent") == "Epson Scan 2"
    assert events[2].findtext(f"{EVT}instanceID") == instance
    assert events[1].findtext(f"{EVT}softwareAgent").startswith("chronochrome ")
    # This file's dates, in XMP's form; the scan's ModifyDate is not this file's.
    created = _one(root, f"{XMP}CreateDate")
    assert _XMP_DATE.match(created) and _one(root, f"{XMP}ModifyDate") == created
    assert all(_XMP_DATE.match(e.findtext(f"{EVT}when")) for e in events)
    # Standard prefixes, as tools that match on prefixes expect (not ns0, ns1, ...).
    assert "<stEvt:action>" in packet and "<stRef:documentID>" in packet
    assert not re.search(r"<ns\d+:", packet)


def test_a_scan_without_xmp_is_named_by_its_bytes(pipe):
    data = _gray("PNG")
    root = ET.fromstring(_packet(encode_image(pipe(data), "png")).split("?>", 1)[1]
                         .rsplit("<?xpacket", 1)[0])
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    derived = root.find(f".//{MM}DerivedFrom")
    assert derived.findtext(f"{REF}instanceID") == f"ni:///sha-256;{digest}"  # RFC 6920
    assert derived.find(f"{REF}documentID") is None
    events = root.findall(f".//{MM}History/{RDF}Seq/{RDF}li")
    assert [e.findtext(f"{EVT}action") for e in events] == ["derived", "saved"]
