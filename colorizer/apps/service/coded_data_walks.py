"""Whether a GIF's, an RLE BMP's or a plain-text PNM's pixel data is all there, found by
walking it without decoding it.

Intake decoded these whole only to refuse a damaged file; the worker decodes them again
anyway. Pillow holds the pixels (an 8000x6000 GIF rose the serving process 60 MB) and, for an
RLE BMP or a plain PNM, decodes them in a Python loop that also builds them a byte at a time
(an 8000x6000 RLE8 BMP: 168 MB, 7 s; a 4000x3000 P2 PGM: 93 MB, 31 s; measured 2026-12-07).
Here, memory stays flat:

- a GIF: the frame's LZW data is a chain of sub-blocks, each led by its length, ended by an
  empty one; the chain must end inside the file (a file cut short does not);
- an RLE BMP: its run codes walked as Pillow's decoder walks them, counting the pixels they
  give instead of writing them; they must give them all;
- a plain PNM (P1, P2, P3): its samples counted 64 KB of text at a time (numpy); each must be a
  number of at most 10 digits and at most the maxval, and there must be enough of them.

Each answers True only where Pillow's decode would not refuse the file for its data; where
it would, or where the walk is unsure (a comment among the samples, a byte it does not
expect), False, and intake decodes the file as before, so the decoder refuses it in its own
words. Damage inside a GIF's LZW codes, which only a decode finds, fails the item in the
worker instead, with the same reason.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from PIL import Image

_PIECE = 1 << 16  # plain PNM text read at a time (its numpy arrays: 30x this, at most)
_SEPARATOR = re.compile(rb"[ \t\r\n]")
_PLAIN_TEXT = b"0123456789 \t\r\n"  # anything else (a comment, a sign): decoded, to be sure
_TOKEN_MAX_DIGITS = 10  # Pillow refuses a longer one ("Token too long found in data")


def gif_blocks_fit(image: Image.Image, data: bytes) -> bool:
    """Whether the LZW sub-blocks of the GIF frame `image` is at end inside `data`."""
    tile = _only_tile(image)
    if tile is None or tile.codec_name != "gif" or not 1 <= tile.args[0] <= 12:
        return False
    at, end = tile.offset, len(data)
    while at < end:
        size = data[at]
        at += 1 + size
        if size == 0:  # the chain's end
            return True
    return False


def rle_pixels_fit(image: Image.Image, data: bytes) -> bool:
    """Whether the RLE8 or RLE4 codes of the BMP `image` give all its pixels, walked as
    Pillow's `BmpRleDecoder` walks them (its clamps and alignment included)."""
    tile = _only_tile(image)
    if tile is None or tile.codec_name != "bmp_rle":
        return False
    width, height = image.size
    rle4 = bool(tile.args[1])
    try:
        return _rle_walk(data, tile.offset, width, width * height, rle4) >= width * height
    except IndexError:  # the codes stop before the pixels do (as Pillow's short read)
        return False


def _rle_walk(data: bytes, at: int, width: int, need: int, rle4: bool) -> int:
    """How many pixels the RLE codes from `at` give Pillow's decoder (up to `need`). The
    loop is Python's, kept lean: a big scan has millions of runs (3 million: 1 s)."""
    have, x, end = 0, 0, len(data)
    while have < need:
        count, code = data[at], data[at + 1]
        at += 2
        if count:  # a run of one value (RLE4: two alternating), clamped to the row
            room = width - x
            if count > room:
                count = max(0, room)
            have += count
            x += count
        elif code == 0:  # end of line: the row filled up
            have, x = -(-have // width) * width, 0
        elif code == 1:  # end of bitmap
            break
        elif code == 2:  # delta: skip right and up
            have += min(need - have, data[at] + data[at + 1] * width)
            at, x = at + 2, have % width
        else:  # absolute mode: `code` pixels as they are, padded to a 16-bit word
            pixels = min(need - have, code)
            wanted = (pixels + 1) // 2 if rle4 else pixels
            got = min(wanted, end - at)
            have += got + min(got, pixels // 2) if rle4 else got
            at += got
            if got < wanted or have == need:
                break
            x += code
            at += at % 2
    return have


def plain_samples_fit(image: Image.Image, data: bytes) -> bool:
    """Whether the plain (text) PNM `image` has all its samples in `data`, each one Pillow's
    `PpmPlainDecoder` takes: digits only, at most the maxval (P1: one 0 or 1 each)."""
    tile = _only_tile(image)
    if tile is None or tile.codec_name != "ppm_plain":
        return False
    width, height = image.size
    if image.mode == "1":
        return _bits_fit(data, tile.offset, width * height)
    args = tile.args if isinstance(tile.args, tuple) else (tile.args,)
    maxval = args[-1]
    if not isinstance(maxval, int) or image.mode not in ("L", "I", "RGB"):
        return False
    return _numbers_fit(data, tile.offset, width * height * len(image.getbands()), maxval)


def _bits_fit(data: bytes, offset: int, need: int) -> bool:
    """A plain PBM's pixels: characters 0 and 1, spaces between them optional."""
    count = 0
    for start in range(offset, len(data), _PIECE):
        piece = data[start:start + _PIECE]
        if piece.translate(None, b"01 \t\r\n"):
            return False  # a comment or another byte: the decoder says what it makes of it
        count += piece.count(b"0") + piece.count(b"1")
    return count >= need


def _numbers_fit(data: bytes, offset: int, need: int, maxval: int) -> bool:
    """A plain PGM's or PPM's samples: numbers separated by white space."""
    count, start = 0, offset
    while start < len(data):
        stop = start + _PIECE
        if stop < len(data):  # cut at white space, never inside a number
            boundary = _SEPARATOR.search(data, stop, stop + _TOKEN_MAX_DIGITS + 1)
            if boundary is None:
                return False  # a number too long to be a sample: the decoder says so
            stop = boundary.start()
        piece, start = data[start:stop], stop
        if piece.translate(None, _PLAIN_TEXT):
            return False
        digits = (np.frombuffer(piece, np.uint8) - ord("0")) < 10
        ends = np.flatnonzero(np.diff(digits.astype(np.int8), prepend=0, append=0))
        lengths = ends[1::2] - ends[0::2]  # (starts and ends of runs of digits alternate)
        if lengths.size == 0:
            continue
        if lengths.max() > _TOKEN_MAX_DIGITS:
            return False
        values = np.fromstring(piece, np.int64, sep=" ")  # (text mode: not deprecated)
        if values.size != lengths.size or values.max() > maxval:
            return False
        count += values.size
    return count >= need


def _only_tile(image: Image.Image) -> Any:
    """The one tile (Pillow's `ImageFile._Tile`) covering the whole image, else None (a
    layout not walked here)."""
    tiles = getattr(image, "tile", None) or []
    if len(tiles) != 1 or tiles[0].extents != (0, 0, *image.size):
        return None
    return tiles[0]
