"""Captions a photo file carries in itself: EXIF, IPTC, XMP and PNG text fields.

`metadata_captions(image)` reads them from an opened PIL image (the loader calls it once,
before any conversion drops the file's blocks) and returns the `Caption`s, each naming its
field, plus notes on blocks that could not be read. `xmp_captions(packet, prefix)` reads one
XMP packet; XMP sidecar files (captions.py) use it too.

Nothing here executes what it reads: XMP is parsed with the standard library's XML parser,
and a packet that declares a DTD (where entity expansion lives) is refused (xmp_parse.py).
Dates and places are captions too: IPTC Date Created, City and Country (its code as the
country's name); XMP dc:date, dc:coverage, photoshop:DateCreated/City/Country, the IPTC Core
CountryCode and the IPTC Extension's LocationShown and LocationCreated (each location's
sub-location, city, province, country and world region as one caption). EXIF dates are left
out: on a scanned print they are the scan's date, not the photo's; and a Date Created that
falls on the day of the file's own dates (EXIF DateTimeOriginal, DateTimeDigitized,
DateTime; XMP xmp:CreateDate, exif:DateTimeOriginal) is that date copied by the software
that made the file (Lightroom and Photoshop fill it in so), not an archive's: it is left out
with a note (unless that day is before digital files were made: set by hand, the photo's).
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET

from PIL import Image, IptcImagePlugin, JpegImagePlugin, TiffImagePlugin

from colorizer.pipeline.derived_text import original_description
from colorizer.pipeline.xmp_parse import XmpUnreadable, packet_bytes, parse_xmp, value_kind
from context.country_codes import country_name
from context.types import Caption

CAPTION_MAX_CHARS = 2000  # longer text is cut here (the service accepts captions this long)
XMP_MAX_BYTES = 1 << 20  # larger packets are not parsed (PNG text chunks stop at 1 MiB too)

# EXIF: IFD0 tags, then the Exif IFD's UserComment (with its 8-byte character-code prefix).
_EXIF_TEXT = {0x010E: "ImageDescription", 0x9C9B: "XPTitle", 0x9C9C: "XPComment",
              0x9C9F: "XPSubject"}
_EXIF_IFD, _USER_COMMENT = 0x8769, 0x9286
# IPTC IIM record 2 datasets (what archives fill in), and 1:90, the coded character set.
_IPTC = {(2, 120): "Caption-Abstract", (2, 105): "Headline", (2, 5): "ObjectName",
         (2, 55): "DateCreated", (2, 90): "City", (2, 92): "Sub-location",
         (2, 95): "Province-State", (2, 101): "Country-PrimaryLocationName",
         (2, 100): "Country-PrimaryLocationCode"}
_IPTC_UTF8 = (1, 90)
_NS = {"dc": "http://purl.org/dc/elements/1.1/",
       "photoshop": "http://ns.adobe.com/photoshop/1.0/",
       "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
       "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
       "xmp": "http://ns.adobe.com/xap/1.0/", "exif": "http://ns.adobe.com/exif/1.0/",
       "exifEX": "http://cipa.jp/exif/1.0/"}
_XMP_FIELDS = (("dc", "description"), ("dc", "title"), ("photoshop", "Headline"),
               ("photoshop", "DateCreated"), ("dc", "date"), ("dc", "coverage"),
               ("photoshop", "City"), ("photoshop", "State"), ("photoshop", "Country"),
               ("Iptc4xmpCore", "Location"), ("Iptc4xmpCore", "CountryCode"))
# Structured locations of the IPTC Extension: their parts, most specific first.
_XMP_LOCATIONS = ("LocationShown", "LocationCreated")
_LOCATION_PARTS = ("Sublocation", "City", "ProvinceState", "CountryName", "CountryCode",
                   "WorldRegion")
# When the file was made (scanned, exported): a Date Created on one of these days is a copy.
_EXIF_DATES = ((0x8769, 0x9003), (0x8769, 0x9004), (None, 0x0132))  # (IFD, tag)
_XMP_FILE_DATES = (("xmp", "CreateDate"), ("xmp", "ModifyDate"), ("xmp", "MetadataDate"),
                   ("exif", "DateTimeOriginal"), ("exif", "DateTimeDigitized"),
                   ("exifEX", "DateTimeOriginal"))
_DATE_FIELDS = ("DateCreated", "dc:date")  # the captions whose source ends so are dates
_DAY = re.compile(r"(\d{4})[-:](\d\d)[-:](\d\d)")
# No digital file was made before this year (EXIF is from 1995): a file date earlier than it
# was set by hand, as people who scan old prints often set DateTimeOriginal to the photo's
# date, and a Date Created on that day is that photo's date, kept.
_FIRST_FILE_YEAR = 1990
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PNG_TEXT = ("Title", "Description")
# What cameras and scanners write when nobody wrote a caption: says nothing about the photo.
_PLACEHOLDERS = {"olympus digital camera", "sony dsc", "digital camera", "default", "image",
                 "picture", "dcim", "untitled", "no description"}
# Control characters (C0, DEL, C1) and the bidi embeddings, overrides and isolates: a file's
# caption reaches the terminal, the HTML report and the web page, where "\x1b[2J" cleared the
# screen and U+202E showed "gnp.exe" as "exe.png"; no caption needs them (text in Arabic or
# Hebrew is ordered by the characters themselves).
_HIDDEN = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                         *range(0x2066, 0x206A)], " ")
# What Pillow raises on damaged metadata blocks.
BLOCK_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
                AttributeError, struct.error, UnicodeError)


def metadata_captions(image: Image.Image) -> tuple[tuple[Caption, ...], tuple[str, ...]]:
    """The captions in an opened image's EXIF, IPTC, XMP and PNG text, and notes on any
    block that could not be read (a damaged block never fails the load)."""
    captions: list[Caption] = []
    notes: list[str] = []
    for kind, reader in (("EXIF", _exif), ("IPTC", _iptc), ("PNG text", _png_text)):
        try:
            captions += reader(image)
        except BLOCK_ERRORS as exc:
            notes.append(f"{kind} metadata unreadable ({exc}); its captions not used")
    days = _exif_days(image)
    packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if packet:
        found, xmp_days, note = _read_xmp(packet, "xmp")
        captions += found
        days.update(xmp_days)
        notes += [note] if note else []
    captions, dropped = _without_file_dates(captions, days)
    return tuple(captions), tuple(notes + dropped)


def make_caption(text: str | None, source: str) -> Caption | None:
    """A `Caption` of cleaned text (control characters and bidi overrides as spaces, runs of
    space as one, cut at CAPTION_MAX_CHARS); None for empty text and camera placeholders."""
    if not text:
        return None
    # A colorization's own description, colorized again: the archive's words, not our mark.
    text = " ".join(original_description(text).translate(_HIDDEN).split())
    if not text or text.casefold() in _PLACEHOLDERS:
        return None
    return Caption(text[:CAPTION_MAX_CHARS], source)


def _exif(image: Image.Image) -> list[Caption]:
    exif = image.getexif()
    found = [make_caption(_exif_text(exif.get(tag), tag >= 0x9C00), f"exif:{name}")
             for tag, name in _EXIF_TEXT.items()]
    comment = exif.get_ifd(_EXIF_IFD).get(_USER_COMMENT)
    if isinstance(comment, bytes):
        found.append(make_caption(_user_comment(comment, exif.endian or ">"), "exif:UserComment"))
    return [c for c in found if c]


def _exif_text(value: object, windows: bool) -> str | None:
    """Pillow decodes EXIF ASCII as Latin-1; most writers put UTF-8 there. XP* tags are
    UTF-16LE bytes."""
    if isinstance(value, tuple):  # XP* tags read as a tuple of byte values
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("utf-16-le" if windows else "utf-8", "replace")
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return value
    return None


def _user_comment(data: bytes, endian: str) -> str:
    """UserComment: an 8-byte character code ("ASCII", "UNICODE", "JIS", or undefined)."""
    code, text = data[:8].rstrip(b"\x00 ").upper(), data[8:]
    if code == b"UNICODE":
        if text[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return text.decode("utf-16", "replace")
        return text.decode("utf-16-be" if endian == ">" else "utf-16-le", "replace")
    if code == b"JIS":
        return text.decode("iso2022_jp", "replace")
    return text.decode("utf-8", "replace")  # ASCII, undefined: UTF-8 is what is found


def _iptc(image: Image.Image) -> list[Caption]:
    if not isinstance(image, (JpegImagePlugin.JpegImageFile, TiffImagePlugin.TiffImageFile)):
        return []  # Pillow finds IPTC only in JPEG and TIFF files
    info = IptcImagePlugin.getiptcinfo(image) or {}
    utf8 = info.get(_IPTC_UTF8) == b"\x1b%G"
    found = []
    for key, name in _IPTC.items():
        values = info.get(key)
        for value in values if isinstance(values, list) else [values] if values else []:
            text = value.decode("utf-8", "replace") if utf8 else _utf8_or_latin1(value)
            text = (_iptc_date(text) if name == "DateCreated" else
                    country_name(text) if name.endswith("Code") else text)
            found.append(make_caption(text, f"iptc:{name}"))
    return [c for c in found if c]


def _utf8_or_latin1(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeError:
        return value.decode("latin-1")


def _iptc_date(text: str) -> str:
    """IPTC dates are CCYYMMDD, 00 for an unknown month or day: '19680821' -> '1968-08-21'."""
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        return text
    year, month, day = text[:4], text[4:6], text[6:]
    return year if month == "00" else f"{year}-{month}" if day == "00" else (
        f"{year}-{month}-{day}")


def _png_text(image: Image.Image) -> list[Caption]:
    if image.format != "PNG":
        return []
    found = [make_caption(image.info.get(key) if isinstance(image.info.get(key), str) else None,
                     f"png:{key}") for key in _PNG_TEXT]
    return [c for c in found if c]


def xmp_captions(packet: object, prefix: str) -> tuple[list[Caption], str | None]:
    """The caption fields of one XMP packet (sources `{prefix}:dc:description`, ...), less a
    Date Created copied from the packet's own file dates, and a note when the packet (or such
    a date) was not read."""
    found, days, note = _read_xmp(packet, prefix)
    found, dropped = _without_file_dates(found, days)
    return found, "; ".join(([note] if note else []) + dropped) or None


def _read_xmp(packet: object, prefix: str
              ) -> tuple[list[Caption], dict[str, str], str | None]:
    """The caption fields of one XMP packet, the days of its file dates (day -> field), and a
    note when it was not read."""
    data = packet_bytes(packet)
    if data is None:
        return [], {}, f"{prefix}: XMP of {value_kind(packet)} values, not text; not read"
    if len(data) > XMP_MAX_BYTES:
        return [], {}, (f"{prefix}: XMP packet of {len(data):,} bytes not read (limit "
                        f"{XMP_MAX_BYTES:,})")
    try:
        root = parse_xmp(data)
    except XmpUnreadable as exc:
        return [], {}, f"{prefix}: XMP packet {exc}; not read"
    found: list[Caption | None] = []
    days: dict[str, str] = {}
    for description in root.iter(f"{_RDF}Description"):
        for ns, name in _XMP_FIELDS:
            value = _xmp_property(description, ns, name)
            if name == "CountryCode" and value:
                value = country_name(value)
            found.append(make_caption(value, f"{prefix}:{ns}:{name}"))
        for name in _XMP_LOCATIONS:
            element = description.find(f"{{{_NS['Iptc4xmpExt']}}}{name}")
            found += [make_caption(text, f"{prefix}:Iptc4xmpExt:{name}")
                      for text in _locations(element)] if element is not None else []
        for ns, name in _XMP_FILE_DATES:
            day = _file_day(_xmp_property(description, ns, name))
            if day:
                days.setdefault(day, f"{ns}:{name}")
    return [c for c in found if c], days, None


def _xmp_property(description: ET.Element, ns: str, name: str) -> str | None:
    """A property written as an attribute of rdf:Description or as its child element."""
    tag = f"{{{_NS[ns]}}}{name}"
    value = description.get(tag)
    element = description.find(tag)
    if value is None and element is not None:
        value = _xmp_value(element)
    return value


def _locations(element: ET.Element) -> list[str]:
    """Each IPTC Extension location of a LocationShown/LocationCreated (a Bag of structures,
    or one) as "Sub-location, City, Province, Country, World region"; a country given only
    by its code named."""
    ext = f"{{{_NS['Iptc4xmpExt']}}}"
    out = []
    for item in list(element.iter(f"{_RDF}li")) or [element]:
        parts: dict[str, str] = {}
        for node in item.iter():  # rdf:parseType="Resource", a nested rdf:Description, or
            for key, value in node.attrib.items():  # attributes: all three are written
                if key.startswith(ext) and value.strip():
                    parts.setdefault(key[len(ext):], value.strip())
            if node.tag.startswith(ext) and (node.text or "").strip():
                parts.setdefault(node.tag[len(ext):], node.text.strip())
        if "CountryCode" in parts:
            code = parts.pop("CountryCode")
            if "CountryName" not in parts and (name := country_name(code)):
                parts["CountryName"] = name
        text = ", ".join(parts[p] for p in _LOCATION_PARTS if parts.get(p))
        out += [text] if text else []
    return out


def _exif_days(image: Image.Image) -> dict[str, str]:
    """The days of the file's EXIF dates (day -> tag name); none from a damaged block (its
    captions' reader has noted it)."""
    days: dict[str, str] = {}
    names = {0x0132: "DateTime", 0x9003: "DateTimeOriginal", 0x9004: "DateTimeDigitized"}
    try:
        exif = image.getexif()
        for ifd, tag in _EXIF_DATES:
            value = exif.get(tag) if ifd is None else exif.get_ifd(ifd).get(tag)
            day = _file_day(value if isinstance(value, str) else None)
            if day:
                days.setdefault(day, f"EXIF {names[tag]}")
    except BLOCK_ERRORS:
        return {}
    return days


def _day(text: str | None) -> str | None:
    """'2019-03-04' of '2019:03:04 10:11:12' or '2019-03-04T10:11:12'; None without a day."""
    match = _DAY.match(text.strip()) if text else None
    return "-".join(match.groups()) if match else None


def _file_day(text: str | None) -> str | None:
    """The day of a file date a machine's clock could have written (`_FIRST_FILE_YEAR`)."""
    day = _day(text)
    return day if day and int(day[:4]) >= _FIRST_FILE_YEAR else None


def _without_file_dates(captions: list[Caption], days: dict[str, str]
                        ) -> tuple[list[Caption], list[str]]:
    """The captions less the date fields that fall on the day of one of the file's own
    dates (module docstring), and a note for each left out."""
    kept, notes = [], []
    for caption in captions:
        day = _day(caption.text) if caption.source.endswith(_DATE_FIELDS) else None
        if day and day in days:
            notes.append(f"{caption.source} {caption.text!r} is the day the file was made "
                         f"({days[day]}), not when the photo was taken: not read as its date")
        else:
            kept.append(caption)
    return kept, notes


def _xmp_value(element: ET.Element) -> str | None:
    """An XMP property's text: plain, or the x-default (else first) item of an rdf:Alt,
    rdf:Seq or rdf:Bag."""
    items = list(element.iter(f"{_RDF}li"))
    if not items:
        return element.text
    default = [li for li in items if li.get(_XML_LANG) == "x-default"]
    return (default or items)[0].text
