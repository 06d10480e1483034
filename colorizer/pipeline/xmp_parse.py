"""One XMP packet parsed safely, in whatever encoding it came: the parser behind the caption
reader (metadata.py) and the XMP carried to the output (xmp_merge.py).

- A DTD is refused by the parser itself, at `<!DOCTYPE`, before any entity is declared: a
  search of the bytes for "<!DOCTYPE" (what was done before) misses it in a UTF-16 packet, and
  expat then expanded entities until its amplification limit stopped it. External entities are
  never fetched either way (ElementTree resolves none), so no file's content is read.
- XMP may be UTF-8, UTF-16 or UTF-32 (the XMP specification allows all three): padding is
  stripped from the decoded text, not from the bytes, where stripping a trailing NUL cut the
  last character of a UTF-16LE packet in half and so refused every such packet.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

# Byte order marks and the first character '<' of a packet without one, by encoding.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_BARE = ((b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
         (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"))
_PADDING = "\x00 \r\n\t\ufeff"


class XmpUnreadable(Exception):
    """A packet that was not parsed; the message says why, for a note."""


class _NoDtd(ET.TreeBuilder):
    def __init__(self) -> None:
        super().__init__()
        self.prefixes: dict[str, str] = {}  # namespace URI -> the prefix the packet gave it

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise XmpUnreadable("declares a DTD")

    def start_ns(self, prefix: str, uri: str) -> None:
        self.prefixes.setdefault(uri, prefix)


def packet_bytes(value: object) -> bytes | None:
    """An XMP packet as Pillow gives it, as bytes: bytes and text as they are; a TIFF's XMP
    tag written with another type than BYTE (ASCII, SHORT, FLOAT: found in damaged files)
    comes as text, a number or a tuple of them, and only small integers are bytes. None for
    anything else."""
    if isinstance(value, tuple) and len(value) == 1:  # one ASCII string comes as a 1-tuple
        value = value[0]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if isinstance(value, tuple) and all(isinstance(v, int) and 0 <= v < 256 for v in value):
        return bytes(value)
    return None


def value_kind(value: object) -> str:
    """What a packet that is no text holds, for a note: "float" for (1.5, 2.5)."""
    first = value[0] if isinstance(value, tuple) and value else value
    return type(first).__name__


def parse_xmp(packet: bytes | str) -> ET.Element:
    """The root element of an XMP packet; raises `XmpUnreadable` for a packet with a DTD, in
    an encoding that does not decode, or that is not well-formed XML."""
    return _parsed(packet)[0]


def namespace_prefixes(packet: bytes | str | None) -> dict[str, str]:
    """{namespace URI: prefix} as the packet declares them ({} for none or one that does
    not parse): an archive's own namespace keeps its name when the packet is written again
    (ElementTree names a namespace it does not know ns0, ns1, ...)."""
    try:
        return _parsed(packet)[1] if packet else {}
    except XmpUnreadable:
        return {}


def _parsed(packet: bytes | str) -> tuple[ET.Element, dict[str, str]]:
    text = packet.strip(_PADDING) if isinstance(packet, str) else _decoded(bytes(packet))
    target = _NoDtd()
    parser = ET.XMLParser(target=target)
    try:
        parser.feed(text.strip(_PADDING) if isinstance(text, str) else text)
        return parser.close(), target.prefixes
    except ET.ParseError as exc:
        raise XmpUnreadable(f"is not well-formed XML ({exc})") from None


def _decoded(data: bytes) -> bytes | str:
    """UTF-16 and UTF-32 packets as text; any other as its bytes, which expat decodes as
    their XML declaration says (UTF-8 where none does)."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return _decode(data[len(mark):], encoding)
    for first, encoding in _BARE:
        if data.startswith(first):
            return _decode(data, encoding)
    return data.strip(_PADDING[:-1].encode("ascii"))


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeError as exc:
        raise XmpUnreadable(f"is not valid {encoding.upper()} text ({exc.reason})") from None
