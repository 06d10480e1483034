"""XMP Media Management for a colorization: a new document derived from the gray original.

What digital-asset systems (Bridge, Lightroom, ExifTool, archives' DAMs) read to link versions:
- `xmpMM:DocumentID` and `xmpMM:InstanceID`, new: the colorized file is another document than
  the scan (it kept the scan's DocumentID before, and so claimed to be a version of it);
- `xmpMM:DerivedFrom` (stRef), the original's DocumentID and InstanceID where its XMP states
  them; the original's bytes as an RFC 6920 hash URI (`ni:///sha-256;...`) where it states no
  InstanceID, so the link holds for any input;
- `xmpMM:OriginalDocumentID`, the original's (else its DocumentID), unchanged through derivations;
- `xmpMM:History`: a `derived` and a `saved` event (stEvt), appended to the original's history
  by merge_xmp.

Dates are XMP dates (ISO 8601 with the time zone, `2026-12-06T14:56:07+00:00`).
"""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

MM = "http://ns.adobe.com/xap/1.0/mm/"
ST_EVT = "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
ST_REF = "http://ns.adobe.com/xap/1.0/sType/ResourceRef#"
NAMESPACES = f'xmlns:xmpMM="{MM}"\n    xmlns:stEvt="{ST_EVT}"\n    xmlns:stRef="{ST_REF}"'
DERIVED = "colorized: chroma estimated by a trained model, the original's luminance kept"


def hash_uri(sha256_hex: str) -> str:
    """RFC 6920 named-information URI of bytes with this SHA-256 (hex)."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).rstrip(b"=").decode()
    return f"ni:///sha-256;{digest}"


def media_management(their_rdf: ET.Element | None, input_sha256: str | None, when: str,
                     agent: str, parameters: str = DERIVED) -> str:
    """The xmpMM properties of the output (lines for our rdf:Description); `their_rdf` is the
    original's parsed rdf:RDF, if it had XMP; `parameters` describe the `derived` event."""
    theirs = {name: _their_value(their_rdf, name)
              for name in ("DocumentID", "InstanceID", "OriginalDocumentID")}
    instance = f"uuid:{uuid.uuid4()}"
    fields = [("xmpMM:DocumentID", f"uuid:{uuid.uuid4()}"), ("xmpMM:InstanceID", instance)]
    original = theirs["OriginalDocumentID"] or theirs["DocumentID"]
    if original:
        fields.append(("xmpMM:OriginalDocumentID", original))
    lines = [f"   <{tag}>{escape(value)}</{tag}>" for tag, value in fields]
    ref = [("stRef:documentID", theirs["DocumentID"]),
           ("stRef:instanceID", theirs["InstanceID"]
            or (hash_uri(input_sha256) if input_sha256 else None))]
    ref_xml = "".join(f"\n    <{tag}>{escape(value)}</{tag}>" for tag, value in ref if value)
    if ref_xml:
        lines.append(f'   <xmpMM:DerivedFrom rdf:parseType="Resource">{ref_xml}\n'
                     "   </xmpMM:DerivedFrom>")
    events = [_event("derived", when, agent, parameters=parameters),
              _event("saved", when, agent, instance=instance, changed="/")]
    lines.append("   <xmpMM:History>\n    <rdf:Seq>" + "".join(events)
                 + "\n    </rdf:Seq>\n   </xmpMM:History>")
    return "\n".join(lines)


def _event(action: str, when: str, agent: str, **fields: str) -> str:
    names = {"instance": "instanceID", "parameters": "parameters", "changed": "changed"}
    parts = [("action", action), *((names[k], v) for k, v in fields.items()),
             ("when", when), ("softwareAgent", agent)]
    body = "".join(f"\n      <stEvt:{name}>{escape(value)}</stEvt:{name}>"
                   for name, value in parts)
    return f'\n     <rdf:li rdf:parseType="Resource">{body}\n     </rdf:li>'


def _their_value(rdf: ET.Element | None, name: str) -> str | None:
    """A simple xmpMM property of the original, as an attribute or an element."""
    if rdf is None:
        return None
    tag = f"{{{MM}}}{name}"
    for description in rdf.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        value = description.get(tag)
        element = description.find(tag)
        value = value if value is not None else (element.text if element is not None else None)
        if value and value.strip():
            return value.strip()
    return None
