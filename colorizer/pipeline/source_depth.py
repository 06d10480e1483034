"""The white level of a deep color file's channels, read from its header: what the 16-bit
decoder's values (deep_color.py) are divided by.

A 48-bit PNG or TIFF holds 0..65535 a channel. The formats of scanners and archives need
their headers read: a PPM's values run to its maxval (scanimage writes 65535, a 12-bit
scanner 4095), and OpenCV returns them unscaled; a JPEG 2000's run to 2^precision - 1, its
precision (8 to 16 bits, 12 is common in archives) in the codestream's SIZ segment
(context/photo_formats/jp2_header.py). Pillow decodes both to 8 bits a channel in color:
16-bit color JPEG 2000 masters were read at 8 bits without a word.
"""

from __future__ import annotations

import io
import re

from context.photo_formats.jp2_header import jpeg2000_precision

FULL_16_BITS = 65535
_PNM_COLOR_MAGICS = (b"P3", b"P6")
_PNM_GRAY_MAGICS = (b"P2", b"P5")
_PNM_COMMENT = re.compile(rb"#[^\n]*")  # to the end of its line
_PNM_HEADER_BYTES = 4096  # the most a header with its comments is read for


def white_level(data: bytes, source_format: str) -> int:
    """The value of white in the file's channels as OpenCV decodes them to 16 bits: 65535
    for PNG and TIFF, a PPM's maxval, 2^precision - 1 for JPEG 2000 (65535 where the header
    cannot be read: then the pixels will not match the 8-bit read, which is kept)."""
    if source_format == "PPM":
        return pnm_maxval(data) or FULL_16_BITS
    if source_format == "JPEG2000":
        bits = jpeg2000_precision(io.BytesIO(data))
        return (1 << bits) - 1 if bits else FULL_16_BITS
    return FULL_16_BITS


def pnm_maxval(data: bytes) -> int | None:
    """A color or gray PNM's maxval (P2, P3, P5, P6), read past '#' comments; None for any
    other file or a header that cannot be read."""
    if data[:2] not in _PNM_COLOR_MAGICS + _PNM_GRAY_MAGICS:
        return None
    header = _PNM_COMMENT.sub(b" ", data[2:_PNM_HEADER_BYTES])
    tokens = header.split(maxsplit=3)[:3]  # width, height, maxval
    if len(tokens) < 3 or not tokens[2].isdigit():
        return None
    return int(tokens[2])
