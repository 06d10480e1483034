"""The input's own XMP, kept in the output beside chronochrome's provenance.

An archive's XMP says who holds the rights (dc:rights, xmpRights:UsageTerms), who made the
photo (dc:creator) and what it shows (IPTC Core); the output used to carry only the provenance
packet, and all of that was lost. `merge_xmp` puts the provenance's rdf:Description into the
input's rdf:RDF, after removing from the input's descriptions:
- every property the provenance writes (a property may appear only once in XMP), and every
  one it may write, the chronochrome namespace and the IPTC AI properties: an input that is
  itself a colorization (recolored) kept its hints, captions, exemplars and prompt, and the
  new output claimed them for a run that had none (its History keeps that earlier run);
- the properties that describe the input file's pixels and are wrong for the output: its
  orientation (the pixels are turned already: a viewer would turn them twice), size, bit
  depth, photometric and color mode, and its ICC profile's name ("Dot Gain 20%" on sRGB RGB).
What the input says of the photo stays, but its dc:description (each language's) is marked as
describing a colorization (derived_text.py): it described the gray original.

The packet is parsed by xmp_parse.py (any XMP encoding; a DTD, where entity expansion lives,
refused), as the captions are (metadata.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from colorizer.pipeline.derived_text import colorized_description
from colorizer.pipeline.xmp_parse import (
    XmpUnreadable,
    namespace_prefixes,
    packet_bytes,
    parse_xmp,
    value_kind,
)

# Larger input packets are not carried: a JPEG's XMP segment holds 65,502 bytes at most, and
# the provenance's own packet (a few KB; its color-sources list grows with color hints) must
# fit beside it.
MAX_CARRIED_BYTES = 40_000
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NAMESPACES = {
    "x": "adobe:ns:meta/", "rdf": _RDF, "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/", "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    "tiff": "http://ns.adobe.com/tiff/1.0/", "exif": "http://ns.adobe.com/exif/1.0/",
    "chronochrome": "https://chronochrome.dev/ns/xmp/1.0/",
    "stEvt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "stRef": "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
}
_STALE = {("tiff", name) for name in ("Orientation", "ImageWidth", "ImageLength",
                                      "BitsPerSample", "PhotometricInterpretation",
                                      "SamplesPerPixel", "Compression", "PlanarConfiguration")}
_STALE |= {("exif", "PixelXDimension"), ("exif", "PixelYDimension"), ("exif", "ColorSpace"),
           ("photoshop", "ColorMode"), ("photoshop", "ICCProfile"), ("xmpMM", "InstanceID")}
_HISTORY = f"{{{_NAMESPACES['xmpMM']}}}History"
_DESCRIPTION = f"{{{_NAMESPACES['dc']}}}description"
_TAG = re.compile(r"<[^>]*>")
_DECLARED = re.compile(r'xmlns:([^=\s]+)="')
_GENERATED = re.compile(r'xmlns:(ns\d+)="([^"]*)"')
_GENERATED_NAME = re.compile(r"ns\d+")
# A generated prefix in a tag's or an attribute's name, or in its declaration.
_PREFIXED = re.compile(r"(</|<|\s|xmlns:)(ns\d+)(?=([:=]))")
_NCNAME = re.compile(r"[A-Za-z_][\w.-]*")
_STALE_TAGS = frozenset(f"{{{_NAMESPACES[ns]}}}{name}" for ns, name in _STALE)
_IPTC_EXT = _NAMESPACES["Iptc4xmpExt"]
_OURS_ANY = f"{{{_NAMESPACES['chronochrome']}}}"  # any property of our namespace
_OURS = frozenset(f"{{{_IPTC_EXT}}}{name}" for name in (
    "DigitalSourceType", "AISystemUsed", "AISystemVersionUsed", "AIPromptInformation",
    "AIPromptWriterName"))
for _prefix, _uri in _NAMESPACES.items():  # the usual prefixes, not ns0, ns1, ... on output
    ET.register_namespace(_prefix, _uri)


def carriable_xmp(packet: object) -> tuple[bytes | None, str | None]:
    """The input's XMP packet as bytes when it can be carried, else (None, a note why)."""
    if packet is None or packet in (b"", ""):
        return None, None
    data = packet_bytes(packet)
    if data is None:
        return None, (f"the input's XMP holds {value_kind(packet)} values, not text; not "
                      "carried to the output")
    if len(data) > MAX_CARRIED_BYTES:
        return None, (f"the input's XMP ({len(data):,} bytes, above {MAX_CARRIED_BYTES:,}) is "
                      "not carried to the output; its EXIF is")
    try:
        root = parse_xmp(data)
    except XmpUnreadable as exc:  # names the problem: a DTD, the encoding, the XML's error
        return None, f"the input's XMP {exc}; not carried to the output"
    rdf = _rdf_in(root)
    try:  # serialized here once, so that merge_xmp cannot fail on it later
        readable = rdf is not None and bool(ET.tostring(rdf))
    except RecursionError:  # nested deeper than Python's stack: built to hurt, not metadata
        return None, ("the input's XMP is nested deeper than any metadata (over a thousand "
                      "levels); not carried to the output")
    if not readable:
        return None, "the input's XMP holds no rdf:RDF; not carried to the output"
    return data, None


def merge_xmp(ours: bytes, theirs: bytes | None) -> bytes:
    """Our packet with the input's XMP kept (module docstring); ours alone when there is none
    or it cannot be read."""
    their_rdf = _rdf_of(theirs) if theirs else None
    our_rdf = _rdf_of(ours)
    if their_rdf is None or our_rdf is None:
        return ours
    ours_desc = list(our_rdf)
    replaced = {child.tag for desc in ours_desc for child in desc} | _STALE_TAGS | _OURS
    _extend_history(their_rdf, our_rdf)
    for desc in their_rdf.findall(f"{{{_RDF}}}Description"):
        for child in [c for c in desc if c.tag in replaced or c.tag.startswith(_OURS_ANY)]:
            desc.remove(child)
        for name in [a for a in desc.attrib if a in replaced or a.startswith(_OURS_ANY)]:
            del desc.attrib[name]
    _mark_descriptions(their_rdf)
    their_rdf.extend(ours_desc)
    return xmp_packet(their_rdf, namespace_prefixes(theirs))


def xmp_packet(rdf: ET.Element, prefixes: dict[str, str] | None = None) -> bytes:
    """An rdf:RDF element as a whole XMP packet (UTF-8 bytes); `prefixes` ({URI: prefix},
    xmp_parse.namespace_prefixes) name the namespaces ElementTree does not know."""
    meta = ET.Element(f"{{{_NAMESPACES['x']}}}xmpmeta")
    meta.append(rdf)
    body = _named(ET.tostring(meta, encoding="unicode"), prefixes or {})
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body
            + '\n<?xpacket end="w"?>').encode("utf-8")


def _named(xml: str, prefixes: dict[str, str]) -> str:
    """`xml` (as ElementTree writes it) with each generated prefix (ns0, ns1, ...) renamed to
    the prefix the input gave its namespace, where that name is free: an archive's own
    namespace showed as "XMP-ns5" in ExifTool. Only tags are rewritten, outside their quoted
    values (text holds no "<": ElementTree escapes it)."""
    used = set(_DECLARED.findall(xml))
    rename: dict[str, str] = {}
    for generated, uri in _GENERATED.findall(xml):
        wanted = prefixes.get(uri)
        if wanted and wanted not in used and _NCNAME.fullmatch(wanted) and not (
                _GENERATED_NAME.fullmatch(wanted) or wanted.lower().startswith("xml")):
            rename[generated] = wanted
            used.add(wanted)
    if not rename:
        return xml

    def renamed(match: re.Match[str]) -> str:
        opener, name, after = match.groups()
        if name not in rename or (after == "=") != (opener == "xmlns:"):
            return match.group(0)  # an unprefixed attribute named ns5, or not ours
        return opener + rename[name]

    def in_tag(match: re.Match[str]) -> str:
        parts = match.group(0).split('"')  # even parts: outside the attribute values
        parts[0::2] = [_PREFIXED.sub(renamed, part) for part in parts[0::2]]
        return '"'.join(parts)

    return _TAG.sub(in_tag, xml)


def _mark_descriptions(rdf: ET.Element) -> None:
    """Each dc:description text of the input marked as describing a colorization."""
    for item in rdf.iterfind(f"./{{{_RDF}}}Description/{_DESCRIPTION}//{{{_RDF}}}li"):
        if item.text:
            item.text = colorized_description(item.text)


def _extend_history(their_rdf: ET.Element, our_rdf: ET.Element) -> None:
    """Our xmpMM:History events go after the original's (its scan, its edits): one History,
    since a property appears once, and the original's events are part of this file's past."""
    seq = f"{{{_RDF}}}Seq"
    ours = our_rdf.find(f".//{_HISTORY}/{seq}")
    theirs = their_rdf.find(f".//{_HISTORY}/{seq}")
    if ours is not None and theirs is not None:
        ours[:0] = list(theirs)


def parsed_rdf(data: bytes | None) -> ET.Element | None:
    """The rdf:RDF element of an XMP packet (None: no packet, a DTD, or XML that does not
    parse)."""
    return _rdf_of(data)


def _rdf_of(data: bytes | None) -> ET.Element | None:
    """The rdf:RDF element of a packet; None for no packet, a DTD or XML that does not parse."""
    if not data:
        return None
    try:
        return _rdf_in(parse_xmp(data))
    except XmpUnreadable:
        return None


def _rdf_in(root: ET.Element) -> ET.Element | None:
    return root if root.tag == f"{{{_RDF}}}RDF" else root.find(f".//{{{_RDF}}}RDF")
