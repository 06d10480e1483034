"""The provenance a colorized file carries, read back from its XMP alone.

What a historian who got only the image can learn (provenance.py and xmp_provenance.py write
it): whether it is a colorization (the IPTC digital source type), by which tool and model,
with which hint, captions, context, exemplars, color hints and settings. The packet is parsed
strictly (xmp_parse.py: no DTD, well-formed XML, any XMP encoding).

    found = read_provenance(Path("photo.color.jpg").read_bytes())
    found["model"]["sha256"], found["settings"]["temperature"], found["context"]
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from PIL import Image

from colorizer.pipeline.pil_settings import PIL_SETTINGS
from colorizer.pipeline.xmp_parse import XmpUnreadable, packet_bytes, parse_xmp

_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_NS = {"ext": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "xmp": "http://ns.adobe.com/xap/1.0/",
       "dc": "http://purl.org/dc/elements/1.1/", "cc": "https://chronochrome.dev/ns/xmp/1.0/",
       "evt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"}
_SIMPLE = {"digital_source_type": "ext:DigitalSourceType", "ai_system": "ext:AISystemUsed",
           "ai_system_version": "ext:AISystemVersionUsed", "hint": "ext:AIPromptInformation",
           "creator_tool": "xmp:CreatorTool", "created": "xmp:CreateDate",
           "source": "dc:source", "fingerprint": "cc:Fingerprint"}
_LISTS = {"captions": "cc:Captions", "context": "cc:Context", "exemplars": "cc:Exemplars",
          "color_hints": "cc:ColorHints", "color_sources": "cc:ColorSources"}


def xmp_packet(data: bytes) -> bytes | None:
    """The XMP packet of an encoded image (PNG, JPEG, TIFF, WebP), None when it has none."""
    # Only the header is read (no pixels): PIL's bomb check would print its warning for a
    # 100 MP colorization that our cap let through.
    with PIL_SETTINGS, Image.open(io.BytesIO(data)) as image:
        packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    return packet_bytes(packet) if packet is not None else None


def read_provenance(data: bytes) -> dict[str, Any] | None:
    """What the image's XMP says of its colorization (module docstring); None when it has
    no XMP. Raises `XmpUnreadable` for a packet that is not well-formed XML."""
    packet = xmp_packet(data)
    if packet is None:
        return None
    return provenance_of_packet(parse_xmp(packet))


def provenance_of_packet(root: ET.Element) -> dict[str, Any]:
    """The values of a parsed packet: simple properties as text, lists as lists of text,
    the model as a dict and the settings as the JSON object they were written as."""
    found: dict[str, Any] = {key: _value(root, tag) for key, tag in _SIMPLE.items()}
    found.update({key: _items(root, tag) for key, tag in _LISTS.items()})
    found["model"] = {key: _value(root, f"cc:Model{name}") for key, name in
                      (("name", "Name"), ("version", "Version"), ("sha256", "SHA256"))}
    settings = _value(root, "cc:Settings")
    try:
        found["settings"] = json.loads(settings) if settings else None
    except ValueError:
        raise XmpUnreadable(f"holds chronochrome:Settings that are not JSON: {settings[:80]!r}"
                            ) from None
    found["history"] = [
        {child.tag.split("}")[1]: (child.text or "") for child in event}
        for event in root.iter(f"{_RDF}li")
        if event.find(_tag("evt:action")) is not None]
    return found


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def _value(root: ET.Element, name: str) -> str | None:
    """A simple property, written as an element or as an attribute of a description."""
    tag = _tag(name)
    for element in root.iter(tag):
        return element.text
    for description in root.iter(f"{_RDF}Description"):
        if description.get(tag) is not None:
            return description.get(tag)
    return None


def _items(root: ET.Element, name: str) -> list[str]:
    element = next(root.iter(_tag(name)), None)
    return [] if element is None else [li.text or "" for li in element.iter(f"{_RDF}li")]
