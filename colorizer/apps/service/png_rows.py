"""A PNG's pixel rows checked whole without holding them: its IDAT stream inflated a piece at
a time, each row's filter byte looked at, the count of bytes compared with what the header
declares.

This is what Pillow's decode refuses a PNG for (a stream cut short, a broken deflate stream,
an unknown row filter), found in a few megabytes: the service checks an upload with it at
intake (`upload_inspection`) instead of decoding it there, which held a 108 MP 16-bit scan's
216 MB of rows for nothing (the worker decodes the photo anyway). The chunks' checksums are
`png_check`'s, done when the file is opened. `png_exif` finds the EXIF block (its Orientation
turns the photo) that Pillow reads only by decoding the rows.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG color type -> samples a pixel
_LAST_FILTER = 4  # row filters 0-4 (None, Sub, Up, Average, Paeth); anything else is damage
_PIECE = 4 * 2**20  # inflated bytes looked at at once: what the check holds at most
_SLICE = 256 * 2**10  # compressed bytes fed at once (see `inflated`)


class Unchecked(Exception):
    """A PNG this check does not read (interlaced, an odd header): decode it instead."""


def png_rows_problem(data: bytes) -> str | None:
    """What is wrong with the rows of the PNG `data` ("image file is truncated"), in the
    words Pillow's decode uses, or None when every row is there with a known filter.

    Raises:
        Unchecked: an interlaced PNG or a header this check does not know; the caller
            decodes the file to check it.
    """
    width, height, row_bytes = _layout(data)
    stride = row_bytes + 1  # each row: its filter byte, then its bytes
    wanted, seen = height * stride, 0
    inflater = zlib.decompressobj()
    try:
        for piece in inflated(inflater, _idat_payloads(data)):
            piece = piece[:wanted - seen]  # Pillow stops at the last row; so does the check
            first_filter = (-seen) % stride  # where the next row starts in this piece
            filters = np.frombuffer(piece, np.uint8)[first_filter::stride]
            if filters.size and int(filters.max()) > _LAST_FILTER:
                return f"unknown PNG row filter {int(filters.max())}"
            seen += len(piece)
            if seen >= wanted:
                return None
    except zlib.error as exc:
        return f"broken PNG data stream ({exc})"
    if inflater.eof:  # a whole stream of fewer rows: Pillow decodes it (the rest left black)
        return None
    return (f"image file is truncated ({width}x{height}: {seen // stride:,} of {height:,} rows "
            "in the file)")


def _layout(data: bytes) -> tuple[int, int, int]:
    """(width, height, bytes a row without its filter byte) from the IHDR chunk."""
    if not data.startswith(_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        raise Unchecked("no PNG header")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    depth, color, interlace = data[24], data[25], data[28]
    if interlace != 0 or color not in _CHANNELS or depth not in (1, 2, 4, 8, 16):
        raise Unchecked(f"interlace {interlace}, color type {color}, depth {depth}")
    return width, height, (width * depth * _CHANNELS[color] + 7) // 8


def png_exif(data: bytes) -> bytes | None:
    """The EXIF block of the PNG `data`'s eXIf chunk, as Pillow keeps it (`info["exif"]`),
    wherever the chunk lies: Pillow reads one after the pixel data only by decoding them."""
    for kind, payload in _chunks(data):
        if kind == b"eXIf":
            return b"Exif\x00\x00" + bytes(payload)
    return None


def _idat_payloads(data: bytes) -> Iterator[memoryview]:
    """The IDAT chunks' data, in order (the first image: an APNG's later frames are fdAT)."""
    inside = False
    for kind, payload in _chunks(data):
        if kind == b"IDAT":
            inside = True
            yield payload
        elif inside:  # the IDAT chunks are consecutive
            return


def _chunks(data: bytes) -> Iterator[tuple[bytes, memoryview]]:
    """(kind, data) of the PNG file's chunks up to IEND; a chunk the file ends inside gives
    what the file holds of it."""
    view, pos = memoryview(data), len(_SIGNATURE)
    while pos + 8 <= len(data):
        length = int.from_bytes(view[pos:pos + 4], "big")
        kind = bytes(view[pos + 4:pos + 8])
        if kind == b"IEND":
            return
        yield kind, view[pos + 8:min(pos + 8 + length, len(data))]
        pos += 12 + length


def inflated(inflater: zlib._Decompress, payloads: Iterator[memoryview]) -> Iterator[bytes]:
    """The inflated stream, in pieces of at most `_PIECE` bytes. The input goes in a slice at
    a time: what `max_length` leaves over is copied (`unconsumed_tail`), and a whole 157 MB
    IDAT chunk's tail, copied again at every piece, took 22 s and 200 MB."""
    for payload in payloads:
        for start in range(0, len(payload), _SLICE):
            piece = inflater.decompress(payload[start:start + _SLICE], _PIECE)
            while piece:
                yield piece
                piece = inflater.decompress(inflater.unconsumed_tail, _PIECE)
