"""What a JPEG 2000 file's header says that Pillow does not pass on: its components'
precision (colorizer's source_depth.py: a color file of more than 8 bits is read again at its
depth) and its ICC profile.

Pillow reads a .jp2's size and mode, but skips a 'colr' box holding an ICC profile (method 2,
"restricted ICC", as Kakadu and archives' pipelines embed Adobe RGB or a gray gamma), so such
a master's pixels were taken as sRGB, where the same scan as a JPEG or TIFF is converted from
its profile. `jpeg2000_icc_profile` finds it; both loaders hand it on as Pillow hands on the
profiles of other formats (`info["icc_profile"]`): colorize's from the bytes it holds,
`python -m context`'s from the header alone (`jpeg2000_header`, not the codestream).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from typing import BinaryIO

_J2K_START = b"\xff\x4f\xff\x51"  # SOC then SIZ: a bare codestream (.j2k), or a jp2c box's
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_MOST_BOXES = 64  # a jp2 file's boxes walked: header, XML, UUIDs, codestream
_ICC_METHODS = (2, 3)  # colr METH: 2 restricted ICC (JP2), 3 any ICC (JPX)
_MOST_HEADER_BYTES = 16 << 20  # a header box longer than this is damaged (profiles: < 1 MB)


def jpeg2000_precision(stream: BinaryIO) -> int | None:
    """The largest component precision in bits of a JPEG 2000 file (.jp2 or a bare .j2k
    codestream), from its SIZ segment; None when it cannot be found. Reads from the start of
    `stream` and puts its position back."""
    try:
        start = stream.tell()
    except (OSError, ValueError):  # closed: a caller's image, already decoded
        return None
    try:
        stream.seek(0)
        head = stream.read(12)
        if head.startswith(_J2K_START):
            stream.seek(len(_J2K_START))
            return _siz_precision(stream)
        if head == _JP2_SIGNATURE and _seek_codestream(stream):
            return _siz_precision(stream)
        return None
    except (OSError, struct.error, ValueError):
        return None
    finally:
        stream.seek(start)


def _seek_codestream(stream: BinaryIO) -> bool:
    """Walk the top-level boxes after the signature to the codestream ('jp2c') box and
    leave `stream` after its SOC and SIZ markers; False when there is none."""
    for _ in range(_MOST_BOXES):
        header = stream.read(8)
        if len(header) < 8:
            return False
        length, kind = struct.unpack(">I4s", header)
        header_bytes = 8
        if length == 1:  # a 64-bit length follows
            (length,) = struct.unpack(">Q", stream.read(8))
            header_bytes = 16
        if kind == b"jp2c":
            return stream.read(4) == _J2K_START
        if length == 0 or length < header_bytes:  # 0: the box runs to the end of the file
            return False
        stream.seek(length - header_bytes, io.SEEK_CUR)
    return False


def _siz_precision(stream: BinaryIO) -> int | None:
    """The SIZ segment after its marker: Lsiz, Rsiz, 8 sizes, Csiz, then (Ssiz, XRsiz,
    YRsiz) per component; Ssiz's low 7 bits are the precision less one."""
    segment = stream.read(2)
    (length,) = struct.unpack(">H", segment)
    segment += stream.read(length - 2)
    if length < 41 or len(segment) < length:
        return None
    (components,) = struct.unpack_from(">H", segment, 36)
    sizes = [segment[38 + 3 * k] for k in range(components) if 38 + 3 * k < len(segment)]
    return max((ssiz & 0x7F) + 1 for ssiz in sizes) if sizes else None


def jpeg2000_icc_profile(data: bytes) -> bytes | None:
    """The ICC profile in a .jp2's header box (its first 'colr' box of an ICC method); None
    for a bare codestream, an enumerated color space (sRGB, gray) or a damaged header."""
    if not data.startswith(_JP2_SIGNATURE):
        return None
    try:
        for kind, body in _boxes(data, len(_JP2_SIGNATURE), len(data)):
            if kind == b"jp2h":
                return next((box[3:] for sub, box in _boxes(body, 0, len(body))
                             if sub == b"colr" and len(box) > 3 and box[0] in _ICC_METHODS),
                            None)
    except struct.error:
        return None
    return None


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, bytes]]:
    """(type, contents) of the boxes in data[start:end], up to `_MOST_BOXES`."""
    position = start
    for _ in range(_MOST_BOXES):
        if position + 8 > end:
            return
        length, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if length == 1:  # a 64-bit length follows
            (length,) = struct.unpack_from(">Q", data, position + 8)
            header = 16
        elif length == 0:  # the box runs to the end
            length = end - position
        if length < header:
            return
        yield kind, data[position + header:min(end, position + length)]
        position += length


def jpeg2000_header(stream: BinaryIO) -> bytes:
    """A .jp2's signature and its 'jp2h' header box, read from the start of `stream` by
    walking the top-level boxes (an archive master's codestream, hundreds of MB, is skipped,
    not read): what `jpeg2000_icc_profile` needs. b"" for any other file or a damaged one."""
    try:
        stream.seek(0)
        signature = stream.read(len(_JP2_SIGNATURE))
        if signature != _JP2_SIGNATURE:
            return b""
        for _ in range(_MOST_BOXES):
            header = stream.read(8)
            if len(header) < 8:
                return b""
            length, kind = struct.unpack(">I4s", header)
            extended = stream.read(8) if length == 1 else b""  # a 64-bit length follows
            if extended:
                (length,) = struct.unpack(">Q", extended)
            header_bytes = len(header) + len(extended)
            if kind == b"jp2h":
                most = length - header_bytes if length else _MOST_HEADER_BYTES
                return signature + header + extended + stream.read(min(most,
                                                                       _MOST_HEADER_BYTES))
            if kind == b"jp2c" or length < header_bytes:  # no header before the pixels
                return b""
            stream.seek(length - header_bytes, io.SEEK_CUR)
    except (OSError, struct.error, ValueError):
        return b""
    return b""
