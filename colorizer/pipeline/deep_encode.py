"""PNG and TIFF at 16 bits a channel, from (H, W, 3) uint16 sRGB (deep_pixels.py).

Pillow has no 16-bit RGB mode, so it cannot write these; both formats are simple enough to
write here with zlib, struct and numpy (no new dependency), while the metadata is still
Pillow's own encoding, so a 16-bit output carries what the 8-bit one does, byte for byte:

- PNG: the ancillary chunks (XMP iTXt, eXIf, pHYs) are taken from Pillow's encoding of a 1x1
  image with the same options (`write_png16`); IHDR says 16-bit RGB, and the pixels are
  compressed a band of rows at a time, so no second full-size copy is made. Each row is
  filtered with PNG's "Sub" filter (a quarter of the size unfiltered data takes on a 24 MP
  scan), at zlib level 3: level 6 (Pillow's default) took 3.5x as long (20 s against 5.6 s for
  a 24 MP master's 144 MB of samples) for files 15% smaller.
- TIFF: baseline, little-endian, uncompressed as the 8-bit output is; the IFD is Pillow's
  `ImageFileDirectory_v2` with the tags the 8-bit output gets (XMP, EXIF with its Exif/GPS
  sub-IFDs, resolution) plus 16-bit RGB layout, in strips of about 64 KB.

Both are written to a sink (`write_png16`, `write_tiff16`: a file, a hash) as they are made, a
band of rows at a time: a 108 MP master's compressed PNG (475 MB for a grainy scan) was kept
whole in memory, then joined into one more copy; `chronochrome colorize` peaked at 3241 MB RSS,
2492 MB so written (staged_image.py). `encode_png16` and `encode_tiff16` give the same bytes
as one bytes object.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from typing import Protocol

import numpy as np
from PIL import TiffImagePlugin, TiffTags

from colorizer.pipeline.exif_types import with_standard_types

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_BAND_BYTES = 1 << 23  # pixel bytes filtered and compressed at a time (8 MB)
_SUB_FILTER = 1
_ZLIB_LEVEL = 3  # see the module docstring
_TIFF_HEADER = b"II*\x00" + struct.pack("<I", 8)  # little-endian, first IFD right after
_STRIP_BYTES = 1 << 16  # what libtiff aims for
_TIFF_BAND_STRIPS = 128  # strips written at a time (8 MB): the band a sink gets
(_WIDTH, _LENGTH, _BITS, _COMPRESSION, _PHOTOMETRIC, _STRIP_OFFSETS, _SAMPLES, _ROWS_PER_STRIP,
 _STRIP_BYTE_COUNTS, _PLANAR) = (256, 257, 258, 259, 262, 273, 277, 278, 279, 284)


class Sink(Protocol):
    """Where encoded bytes go, in order: an open binary file, a BytesIO, a hashing writer."""

    def write(self, data: bytes | memoryview, /) -> object: ...


class Written(Protocol):
    """An encoded file already written as it was made (`staged_image.StagedImage`): what a
    provenance record says of it without reading it back."""

    sha256: str  # of the whole file
    size: int  # bytes


def png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, data) of each chunk of an encoded PNG."""
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos: pos + 8])
        yield kind, data[pos + 8: pos + 8 + length]
        pos += 12 + length


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(body, zlib.crc32(kind)) & 0xFFFFFFFF)


def encode_png16(rgb16: np.ndarray, metadata_png: bytes) -> bytes:
    """`write_png16`'s bytes as one object (small images, HTTP answers)."""
    buffer = io.BytesIO()
    write_png16(rgb16, metadata_png, buffer)
    return buffer.getvalue()


def write_png16(rgb16: np.ndarray, metadata_png: bytes, sink: Sink) -> None:
    """(H, W, 3) uint16 -> a 16-bit RGB PNG with the ancillary chunks of `metadata_png` (a
    Pillow-encoded PNG carrying the output's metadata), each on its side of the pixels,
    written to `sink` chunk by chunk as the rows are compressed."""
    height, width = rgb16.shape[:2]
    before, after, seen_data = [], [], False
    for kind, body in png_chunks(metadata_png):
        if kind == b"IDAT":
            seen_data = True
        elif kind not in (b"IHDR", b"IEND"):
            (after if seen_data else before).append(_chunk(kind, body))
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)  # 16-bit truecolor
    sink.write(b"".join([_PNG_SIGNATURE, _chunk(b"IHDR", header), *before]))
    for piece in _compressed_rows(rgb16):  # one IDAT each, as zlib hands them out; the
        # piece (MBs) written as it is, not copied into one chunk's bytes
        sink.write(struct.pack(">I", len(piece)) + b"IDAT")
        sink.write(piece)
        sink.write(struct.pack(">I", zlib.crc32(piece, zlib.crc32(b"IDAT")) & 0xFFFFFFFF))
    sink.write(b"".join([*after, _chunk(b"IEND", b"")]))


def _compressed_rows(rgb16: np.ndarray) -> Iterator[bytes]:
    """The zlib stream of the filtered rows, a band at a time (PNG's 16-bit is big-endian)."""
    height, width = rgb16.shape[:2]
    rows = max(1, _BAND_BYTES // (width * 6))
    compressor = zlib.compressobj(_ZLIB_LEVEL)
    for top in range(0, height, rows):
        raw = rgb16[top: top + rows].astype(">u2").view(np.uint8).reshape(-1, width * 6)
        filtered = np.empty((raw.shape[0], width * 6 + 1), dtype=np.uint8)  # (r, 1 + 6W)
        filtered[:, 0] = _SUB_FILTER
        filtered[:, 1:7] = raw[:, :6]  # Sub: each byte less the byte one pixel to its left
        np.subtract(raw[:, 6:], raw[:, :-6], out=filtered[:, 7:])  # wraps modulo 256
        del raw  # a band at a time: the band's samples, filtered rows, compressed piece
        piece = compressor.compress(filtered)  # the array's buffer: no bytes copy
        del filtered
        if piece:
            yield piece
    yield compressor.flush()


def encode_tiff16(rgb16: np.ndarray, tags: TiffImagePlugin.ImageFileDirectory_v2) -> bytes:
    """`write_tiff16`'s bytes as one object."""
    buffer = io.BytesIO()
    write_tiff16(rgb16, tags, buffer)
    return buffer.getvalue()


def write_tiff16(rgb16: np.ndarray, tags: TiffImagePlugin.ImageFileDirectory_v2,
                 sink: Sink) -> None:
    """(H, W, 3) uint16 -> a baseline 16-bit RGB TIFF with `tags` (the output's metadata, as
    the 8-bit output gets them) and the layout tags, written to `sink` a band at a time."""
    height, width = rgb16.shape[:2]
    stride = width * 6
    rows = max(1, min(height, _STRIP_BYTES // stride))
    strips = (height + rows - 1) // rows
    tags[_PLANAR] = 1
    tags[_WIDTH], tags[_LENGTH] = width, height
    tags[_BITS] = (16, 16, 16)
    tags[_SAMPLES] = 3
    tags[_PHOTOMETRIC] = 2  # RGB
    tags[_COMPRESSION] = 1  # none
    tags[_ROWS_PER_STRIP] = rows
    counts = (stride * rows,) * (strips - 1) + (stride * (height - rows * (strips - 1)),)
    for tag, values in ((_STRIP_BYTE_COUNTS, counts),
                        (_STRIP_OFFSETS, tuple(range(0, stride * rows * strips, stride * rows)))):
        tags[tag] = values
        tags.tagtype[tag] = TiffTags.LONG
    # The strip offsets are written relative to the pixels, which follow the IFD and its
    # values: `tobytes` adds where that is (as Pillow's own TIFF writer relies on).
    # The EXIF types Pillow's IFD writer loses restored (exif_types.py): metadata only.
    sink.write(with_standard_types(_TIFF_HEADER + tags.tobytes(len(_TIFF_HEADER))))
    band = rows * _TIFF_BAND_STRIPS
    for top in range(0, height, band):  # little-endian: a view on this machine, no copy
        pixels = np.ascontiguousarray(rgb16[top: top + band], dtype="<u2")
        sink.write(memoryview(pixels).cast("B"))
