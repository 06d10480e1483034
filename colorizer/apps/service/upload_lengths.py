"""Whether an upload's pixel data is all there, from its header and its length alone.

Intake decoded a BMP, a binary PNM, a WebP or a HEIF whole only to refuse a file cut short;
the worker decodes it again anyway (a 40 MP 8-bit RGB BMP or PPM held 120 MB of pixels in
the serving process; measured in the commit). Here:

- an uncompressed raster (BMP, binary PGM/PPM/PBM, 16-bit and 12-bit ones included): its
  rows take a known number of bytes from a known offset, so the file's length says whether
  they are all there;
- a WebP: its RIFF chunks, each of a declared length, must all lie inside the file;
- a HEIF: its top-level boxes (ISO base media file format), likewise; the coded image lies
  in one of them (`mdat`).

A GIF, an RLE BMP and a plain-text PNM have no such length: their data is walked instead,
without decoding it (`coded_data_walks`).

`data_is_whole` answers True only when it is sure; where it is not (a short file, a layout
it does not know), intake decodes the file as before, so the decoder refuses a bad one in
its own words. Damage inside a WebP's, HEIF's or GIF's coded data, which only a decode
finds, fails the item in the worker, as a URL item's does.
"""

from __future__ import annotations

import struct

from PIL import Image

from colorizer.apps.service.coded_data_walks import (
    gif_blocks_fit,
    plain_samples_fit,
    rle_pixels_fit,
)
from colorizer.pipeline import heif_opener

# Bits a pixel of Pillow's raw modes met in BMP and PNM files (its raw decoder's unpackers).
_RAW_BITS = {"1": 1, "1;I": 1, "P;1": 1, "P;2": 2, "P;4": 4, "L": 8, "P": 8, "I;16B": 16,
             "I;16": 16, "BGR;15": 16, "BGR;16": 16, "BGR": 24, "RGB": 24, "BGRX": 32,
             "BGRA": 32, "RGBA": 32, "RGBX": 32, "RGB;16B": 48}
_ISO_BOX = struct.Struct(">I4s")  # size, type
_RIFF_CHUNK = struct.Struct("<4sI")  # fourcc, size


def data_is_whole(image: Image.Image, data: bytes) -> bool:
    """True when the opened `image`'s pixel data is all inside `data` (the file it was
    opened from), known without decoding it; False when unsure or short."""
    codec = image.tile[0].codec_name if len(getattr(image, "tile", None) or []) == 1 else None
    if codec == "bmp_rle":
        return rle_pixels_fit(image, data)
    if codec == "ppm_plain":
        return plain_samples_fit(image, data)
    if image.format in ("BMP", "DIB", "PPM"):
        return _raw_rows_fit(image, len(data))
    if image.format == "GIF":
        return gif_blocks_fit(image, data)
    if image.format == "WEBP":
        return _riff_chunks_fit(data)
    if image.format == heif_opener.HEIF_FORMAT:
        return _iso_boxes_fit(data)
    return False


def _raw_rows_fit(image: Image.Image, length: int) -> bool:
    """Whether the one tile covering the image ends inside the file: Pillow's raw decoder
    reads `stride` bytes a row from `offset` (0: the rows are packed), its binary PNM decoder
    (a maxval other than 255) a sample of 1 byte, or 2 above a maxval of 255."""
    tiles = getattr(image, "tile", None) or []
    width, height = image.size
    if len(tiles) != 1 or tiles[0].extents != (0, 0, width, height):
        return False
    tile = tiles[0]
    args = tile.args if isinstance(tile.args, tuple) else (tile.args,)
    if tile.codec_name == "ppm" and len(args) == 2 and args[0] in ("L", "I", "RGB"):
        channels, maxval = (3 if args[0] == "RGB" else 1), args[1]
        row = width * channels * (1 if isinstance(maxval, int) and maxval < 256 else 2)
    elif tile.codec_name == "raw":  # (not RLE, nor a plain text PNM: decoded)
        rawmode, stride = args[0], args[1] if len(args) > 1 else 0
        if rawmode not in _RAW_BITS or not isinstance(stride, int) or stride < 0:
            return False
        row = stride or (width * _RAW_BITS[rawmode] + 7) // 8
    else:
        return False
    return tile.offset + row * height <= length


def _riff_chunks_fit(data: bytes) -> bool:
    """Whether a WebP's RIFF container and each chunk in it lie inside `data`."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return False
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        return False
    at, coded = 12, False
    while at + _RIFF_CHUNK.size <= end:
        fourcc, size = _RIFF_CHUNK.unpack_from(data, at)
        at += _RIFF_CHUNK.size + size + (size & 1)  # a chunk is padded to an even length
        coded |= fourcc in (b"VP8 ", b"VP8L", b"ANMF")
    return coded and at <= end + 1  # (the last chunk's pad byte may be left off)


def _iso_boxes_fit(data: bytes) -> bool:
    """Whether a HEIF's top-level boxes each lie inside `data`, one of them its `mdat`."""
    at, media = 0, False
    while at < len(data):
        if at + _ISO_BOX.size > len(data):
            return False
        size, kind = _ISO_BOX.unpack_from(data, at)
        if size == 1:  # a 64-bit size follows the type
            if at + 16 > len(data):
                return False
            size = int.from_bytes(data[at + 8:at + 16], "big")
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - at
        if size < _ISO_BOX.size or at + size > len(data):
            return False
        media |= kind == b"mdat"
        at += size
    return media
