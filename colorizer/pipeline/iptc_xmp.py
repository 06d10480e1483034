"""The input's IPTC IIM fields carried as the XMP properties of the same meaning.

An archive's scan often states its title, keywords, credit and copyright notice only in IPTC
IIM (a JPEG's APP13, a TIFF's tag 33723), as older collection systems write them. Pillow
writes no IIM, and an output kept only the caption, by-line and copyright notice (as EXIF):
ObjectName, Keywords, Credit, Source, City, ... were lost. `with_iptc` adds them to the
input's XMP under the IPTC Core mapping (IPTC Photo Metadata Standard, "IIM name / XMP
property"), which every output format carries and every DAM reads. The input's XMP wins
where it states a property already (MWG: XMP is the newer record), except keywords, which
join dc:subject: a keyword that only the IIM held is a keyword still.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from colorizer.pipeline.xmp_merge import MAX_CARRIED_BYTES, xmp_packet
from colorizer.pipeline.xmp_parse import XmpUnreadable, namespace_prefixes, parse_xmp

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DC = "http://purl.org/dc/elements/1.1/"
_PS = "http://ns.adobe.com/photoshop/1.0/"
_CORE = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
# IIM record 2 dataset -> (XMP namespace, property, XMP value kind: text, Alt, Seq or Bag)
IIM_TO_XMP = {
    5: (_DC, "title", "Alt"), 25: (_DC, "subject", "Bag"), 40: (_PS, "Instructions", "text"),
    55: (_PS, "DateCreated", "text"), 80: (_DC, "creator", "Seq"),
    85: (_PS, "AuthorsPosition", "text"), 90: (_PS, "City", "text"),
    92: (_CORE, "Location", "text"), 95: (_PS, "State", "text"),
    100: (_CORE, "CountryCode", "text"), 101: (_PS, "Country", "text"),
    103: (_PS, "TransmissionReference", "text"), 105: (_PS, "Headline", "text"),
    110: (_PS, "Credit", "text"), 115: (_PS, "Source", "text"),
    116: (_DC, "rights", "Alt"), 120: (_DC, "description", "Alt"),
    122: (_PS, "CaptionWriter", "text"),
}
_KEYWORDS = 25
_UTF8 = b"\x1b%G"  # IIM 1:90, the coded character set, for UTF-8
# Characters XML 1.0 cannot hold: an IIM field may hold any byte.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def iim_texts(info: dict[tuple[int, int], object]) -> dict[int, list[str]]:
    """{dataset: its values as text} of the record-2 datasets that have an XMP property, from
    Pillow's `getiptcinfo`; UTF-8 where 1:90 says so or the bytes are, else Latin-1."""
    utf8 = info.get((1, 90)) == _UTF8
    found: dict[int, list[str]] = {}
    for dataset in IIM_TO_XMP:
        values = info.get((2, dataset))
        values = values if isinstance(values, list) else [values] if values else []
        texts = [_decoded(v, utf8).strip() for v in values if isinstance(v, bytes)]
        texts = [_NOT_XML.sub("", t) for t in texts if t]
        if dataset == 55:
            texts = [_xmp_date(t) for t in texts[:1]]
        if texts:
            found[dataset] = list(dict.fromkeys(texts))
    return found


def with_iptc(xmp: bytes | None, iim: dict[int, list[str]]) -> bytes | None:
    """`xmp` with the IIM fields it lacks added as one more rdf:Description (and the IIM's
    keywords added to dc:subject); `xmp` unchanged when there is nothing to add, when it does
    not parse (the caller has noted it), or when the result would be too large to carry."""
    if not iim:
        return xmp
    try:
        root = parse_xmp(xmp) if xmp else ET.Element(f"{{{_RDF}}}RDF")
    except XmpUnreadable:
        return xmp
    rdf = root if root.tag == f"{{{_RDF}}}RDF" else root.find(f".//{{{_RDF}}}RDF")
    if rdf is None:
        return xmp
    stated = {child.tag for desc in rdf for child in desc} | {
        name for desc in rdf for name in desc.attrib}
    added = ET.Element(f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
    for dataset, values in iim.items():
        ns, name, kind = IIM_TO_XMP[dataset]
        tag = f"{{{ns}}}{name}"
        if tag not in stated:
            added.append(_property(tag, kind, values))
        elif dataset == _KEYWORDS:
            _add_keywords(rdf, tag, values)
    if len(added):
        rdf.append(added)
    packet = xmp_packet(rdf, namespace_prefixes(xmp))
    return packet if len(packet) <= MAX_CARRIED_BYTES else xmp


def _property(tag: str, kind: str, values: list[str]) -> ET.Element:
    element = ET.Element(tag)
    if kind == "text":
        element.text = values[0]
        return element
    container = ET.SubElement(element, f"{{{_RDF}}}{kind}")
    for value in values[:1] if kind == "Alt" else values:
        item = ET.SubElement(container, f"{{{_RDF}}}li")
        item.text = value
        if kind == "Alt":
            item.set(_XML_LANG, "x-default")
    return element


def _add_keywords(rdf: ET.Element, tag: str, keywords: list[str]) -> None:
    """The IIM keywords that the XMP's dc:subject Bag lacks, added to it."""
    bag = rdf.find(f".//{tag}/{{{_RDF}}}Bag")
    if bag is None:
        return
    have = {(item.text or "").strip() for item in bag.iter(f"{{{_RDF}}}li")}
    for keyword in keywords:
        if keyword not in have:
            ET.SubElement(bag, f"{{{_RDF}}}li").text = keyword


def _decoded(value: bytes, utf8: bool) -> str:
    if utf8:
        return value.decode("utf-8", "replace")
    try:
        return value.decode("utf-8")
    except UnicodeError:
        return value.decode("latin-1")


def _xmp_date(text: str) -> str:
    """IIM's CCYYMMDD (00 for an unknown month or day) as an XMP date: 1915-06, 1915-06-01."""
    if len(text) != 8 or not text.isdigit():
        return text
    year, month, day = text[:4], text[4:6], text[6:]
    return year if month == "00" else f"{year}-{month}" if day == "00" else (
        f"{year}-{month}-{day}")
