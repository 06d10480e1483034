"""The input's IPTC IIM block written again into JPEG (APP13) and TIFF (tag 33723) outputs.

Collection systems that read IIM and not XMP found none in an output: Pillow writes no IIM.
The fields travel as XMP too (iptc_xmp.py), for every format; here the block itself goes back
where the format has a place for it, as the input held it, less what is no longer true: its
caption (2:120) is marked as describing a colorization (derived_text.py), as the XMP's is. A
JPEG's block is a Photoshop resource (8BIM 0x0404) with its MD5 digest (0x0425): readers
that follow the Metadata Working Group compare it with the block to know the IIM is current.

A PNG has no IIM field, but exiftool and ImageMagick write one as hex in a "Raw profile type
iptc" text chunk (a Photoshop resource block or the IIM alone), which Pillow does not read:
`png_iim_info` reads it as `getiptcinfo` reads a JPEG's, so its fields reach the XMP.
"""

from __future__ import annotations

import hashlib
import struct

from colorizer.pipeline.derived_text import COLORIZED

_CAPTION = (2, 120)
_MAX_DATASET_BYTES = 0x7FFF  # longer needs IIM's extended length, which no archive writes
_PHOTOSHOP = b"Photoshop 3.0\x00"
_IIM_RESOURCE, _DIGEST_RESOURCE = 0x0404, 0x0425
_APP13 = b"\xff\xed"
_MAX_SEGMENT_BYTES = 65_533


def iim_block(info: dict[tuple[int, int], object]) -> bytes | None:
    """Pillow's `getiptcinfo` datasets as one IIM block (None when there are none)."""
    parts = []
    for (record, dataset), values in sorted(info.items()):
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, bytes) and len(value) <= _MAX_DATASET_BYTES:
                parts.append(_dataset(record, dataset, value))
    return b"".join(parts) or None


def marked_iim(block: bytes) -> bytes:
    """`block` with its caption marked as describing a colorization (once)."""
    out, offset = [], 0
    while offset + 5 <= len(block) and block[offset] == 0x1C:
        record, dataset = block[offset + 1], block[offset + 2]
        (size,) = struct.unpack_from(">H", block, offset + 3)
        value = block[offset + 5: offset + 5 + size]
        mark = COLORIZED.encode("ascii")
        if (record, dataset) == _CAPTION and value.strip() and not value.startswith(mark):
            value = mark + value
        out.append(_dataset(record, dataset, value[:_MAX_DATASET_BYTES]))
        offset += 5 + size
    return b"".join(out)


def app13_segment(block: bytes) -> bytes | None:
    """A JPEG APP13 segment holding `block` and its digest; None when it cannot fit one."""
    body = _PHOTOSHOP + _resource(_IIM_RESOURCE, block) + _resource(
        _DIGEST_RESOURCE, hashlib.md5(block, usedforsecurity=False).digest())
    if len(body) + 2 > _MAX_SEGMENT_BYTES:
        return None
    return _APP13 + struct.pack(">H", len(body) + 2) + body


def with_app13(jpeg: bytes, segment: bytes) -> bytes:
    """`jpeg` with `segment` after its first application segments (JFIF, EXIF, XMP)."""
    offset = 2  # after SOI
    while offset + 4 <= len(jpeg) and jpeg[offset] == 0xFF and 0xE0 <= jpeg[offset + 1] <= 0xEC:
        (size,) = struct.unpack_from(">H", jpeg, offset + 2)
        offset += 2 + size
    return jpeg[:offset] + segment + jpeg[offset:]


def png_iim_info(text: object) -> dict[tuple[int, int], bytes | list[bytes]]:
    """The IIM datasets of a PNG's "Raw profile type iptc" text ("\\nIPTC profile\\n  242\\n"
    and hex lines), as `getiptcinfo` gives a JPEG's; {} when it holds none or is damaged."""
    if not isinstance(text, str):
        return {}
    lines = text.strip().split("\n")
    try:
        data = bytes.fromhex("".join(lines[2:]))
    except ValueError:
        return {}
    if data.startswith(b"8BIM"):
        data = _resource_data(data, _IIM_RESOURCE) or b""
    info: dict[tuple[int, int], bytes | list[bytes]] = {}
    offset = 0
    while offset + 5 <= len(data) and data[offset] == 0x1C:
        key = (data[offset + 1], data[offset + 2])
        (size,) = struct.unpack_from(">H", data, offset + 3)
        value = data[offset + 5: offset + 5 + size]
        held = info.get(key)
        info[key] = value if held is None else [*(held if isinstance(held, list) else [held]),
                                                value]
        offset += 5 + size
    return info


def _resource_data(block: bytes, wanted: int) -> bytes | None:
    """The data of one Photoshop image resource in a block of them."""
    offset = 0
    while offset + 12 <= len(block) and block[offset: offset + 4] == b"8BIM":
        (resource_id,) = struct.unpack_from(">H", block, offset + 4)
        name = block[offset + 6]
        offset += 6 + name + 1 + (name + 1) % 2  # a Pascal name padded to even
        (size,) = struct.unpack_from(">I", block, offset)
        if resource_id == wanted:
            return block[offset + 4: offset + 4 + size]
        offset += 4 + size + size % 2
    return None


def _dataset(record: int, dataset: int, value: bytes) -> bytes:
    return bytes([0x1C, record, dataset]) + struct.pack(">H", len(value)) + value


def _resource(resource_id: int, data: bytes) -> bytes:
    """A Photoshop image resource: an empty name, the data padded to an even length."""
    return (b"8BIM" + struct.pack(">H", resource_id) + b"\x00\x00"
            + struct.pack(">I", len(data)) + data + b"\x00" * (len(data) % 2))
