"""A PNG's pixel data checked against the checksums the file carries.

Every PNG chunk ends with a CRC of its bytes. Pillow checks it for the chunks it parses
(header, text, ICC) but skips it for the pixel data (IDAT, an APNG's fdAT): a PNG whose
pixel data was damaged on a drive (a flipped bit, a zeroed block) decoded without a word, and
its garbled rows were colorized as if they were the photo. libpng, which most viewers use,
refuses such a file; so does the loader (`imageio.load_image`).
"""

from __future__ import annotations

import zlib

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PIXEL_CHUNKS = frozenset({b"IDAT", b"fdAT"})


def png_damage(data: bytes) -> str | None:
    """What is wrong with the pixel data of the PNG file `data` ("chunk IDAT at byte N fails
    its checksum"), or None when every pixel chunk matches its CRC. A file cut short is left
    to the decoder, which says so."""
    if not data.startswith(_SIGNATURE):
        return None
    view, pos = memoryview(data), len(_SIGNATURE)
    while pos + 12 <= len(data):
        length = int.from_bytes(view[pos:pos + 4], "big")
        kind = bytes(view[pos + 4:pos + 8])
        end = pos + 12 + length
        if kind == b"IEND" or end > len(data):
            return None
        if kind in _PIXEL_CHUNKS:
            stored = int.from_bytes(view[end - 4:end], "big")
            if zlib.crc32(view[pos + 4:end - 4]) != stored:
                name = kind.decode("ascii")
                return (f"its pixel data is damaged (PNG chunk {name} at byte {pos:,} fails "
                        "its checksum)")
        pos = end
    return None
