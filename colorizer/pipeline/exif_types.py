"""EXIF values of type UNDEFINED written back as UNDEFINED, and a TIFF's IPTC as LONGs.

Pillow writes a bytes value as BYTE when its tag table gives the tag no type: the carried
ComponentsConfiguration, UserComment, FileSource (a scanner's "reflection print scanner"),
SceneType and MakerNote came out as BYTE where EXIF 2.32 asks for UNDEFINED, and `exiftool
-validate` warned "Non-standard format (int8u)" on every output. Both types store one byte a
count, so the entry's type field is all that differs: `with_standard_types` rewrites it in
the encoded block, leaving every offset and value as it was. A TIFF's IPTC-NAA (33723) is
LONGs as Photoshop and exiftool write it; Pillow's table allows it one LONG, so it is written
UNDEFINED (a length of whole LONGs) and its type and count set here.
"""

from __future__ import annotations

import struct

_BYTE, _LONG, _UNDEFINED = 1, 4, 7
_IPTC_NAA = 33723
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
# Tags EXIF 2.32 types UNDEFINED that Pillow's table leaves untyped, by the IFD holding them.
UNDEFINED_TAGS = {
    _EXIF_IFD: frozenset({0x9101, 0x927C, 0x9286, 0xA300, 0xA301, 0xA40B, 0xA20C, 0x8828}),
    _GPS_IFD: frozenset({0x001B, 0x001C}),
}
_EXIF_HEADER = b"Exif\x00\x00"


def with_standard_types(block: bytes) -> bytes:
    """An EXIF block (as Pillow's `Exif.tobytes` makes it: "Exif\\0\\0" and a TIFF structure)
    or a TIFF with the BYTE entries of `UNDEFINED_TAGS` typed UNDEFINED and its IPTC-NAA
    LONG; unchanged if it does not parse."""
    start = len(_EXIF_HEADER) if block.startswith(_EXIF_HEADER) else 0
    data = bytearray(block)
    endian = {b"II": "<", b"MM": ">"}.get(bytes(data[start:start + 2]))
    if endian is None:
        return block
    try:
        (first,) = struct.unpack_from(endian + "L", data, start + 4)
        for tag, offset in _entries(data, start, first, endian):
            if tag in UNDEFINED_TAGS:
                (sub,) = struct.unpack_from(endian + "L", data, offset + 8)
                _retype(data, start, sub, endian, UNDEFINED_TAGS[tag])
            elif tag == _IPTC_NAA:
                _as_longs(data, offset, endian)
    except struct.error:  # a block Pillow made always parses; never fail the output
        return block
    return bytes(data)


def _entries(data: bytearray, start: int, ifd: int, endian: str) -> list[tuple[int, int]]:
    """(tag, entry's offset in `data`) of each entry of the IFD at `ifd` (from `start`)."""
    (count,) = struct.unpack_from(endian + "H", data, start + ifd)
    entries = []
    for index in range(count):
        offset = start + ifd + 2 + 12 * index
        (tag,) = struct.unpack_from(endian + "H", data, offset)
        entries.append((tag, offset))
    return entries


def _as_longs(data: bytearray, offset: int, endian: str) -> None:
    """The UNDEFINED entry at `offset` as LONGs, where its length is whole LONGs."""
    kind, count = struct.unpack_from(endian + "HL", data, offset + 2)
    if kind == _UNDEFINED and count % 4 == 0 and count > 4:  # > 4: its value at an offset
        struct.pack_into(endian + "HL", data, offset + 2, _LONG, count // 4)


def _retype(data: bytearray, start: int, ifd: int, endian: str, tags: frozenset[int]) -> None:
    for tag, offset in _entries(data, start, ifd, endian):
        (kind,) = struct.unpack_from(endian + "H", data, offset + 2)
        if tag in tags and kind == _BYTE:
            struct.pack_into(endian + "H", data, offset + 2, _UNDEFINED)
