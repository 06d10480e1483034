"""A TIFF page's pixel data checked without decoding it: the page's directory, every tag's
values and every strip (or tile) lie inside the file, and a deflate-compressed strip inflates,
a piece at a time, to as many bytes as the page's layout needs.

The service's intake (`upload_inspection`) runs this on the page the loader colorizes instead
of decoding it: Pillow's decode of a 108 MP 16-bit deflate TIFF took the serving process's
peak RSS during the POST to 874 MB (now 489, 290 before it; measured 2026-12-07), only to
refuse a file cut short. A problem found here is not a verdict: intake then decodes the page
as before, so a file is refused only by the decoder, in its words, and a file this check
reads wrong (a strip byte count overstated by its writer) is still accepted. Damage inside
an LZW or PackBits strip is not seen here; the job's worker finds it when it decodes the
photo and fails the item with it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from PIL import Image

from colorizer.apps.service.png_rows import inflated

_COMPRESSION, _BITS, _SAMPLES, _PLANAR = 259, 258, 277, 284
_STRIP_OFFSETS, _STRIP_BYTES, _ROWS_PER_STRIP = 273, 279, 278
_TILE_WIDTH, _TILE_LENGTH, _TILE_OFFSETS, _TILE_BYTES = 322, 323, 324, 325
_DEFLATE = (8, 32946)  # Adobe deflate, and the older code for it
# Bytes a value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, ... LONG8, IFD8)
_TYPE_BYTES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8,
               13: 4, 16: 8, 17: 8, 18: 8}


def tiff_data_problem(image: Image.Image, data: bytes) -> str | None:
    """What looks wrong with the pixel data of the TIFF page `image` is at (read from the
    file `data`), or None when every strip is there and every deflate strip inflates whole."""
    tags = image.tag_v2
    if (problem := _tag_values_problem(data, tags.offset)) is not None:
        return problem
    tiled = _TILE_OFFSETS in tags
    offsets = _ints(tags.get(_TILE_OFFSETS if tiled else _STRIP_OFFSETS))
    counts = _ints(tags.get(_TILE_BYTES if tiled else _STRIP_BYTES))
    if not offsets or len(counts) != len(offsets):
        return "the page's table of strips is missing or incomplete"
    kind = "tile" if tiled else "strip"
    for n, (offset, count) in enumerate(zip(offsets, counts, strict=True)):
        if offset + count > len(data):
            return (f"image file is truncated ({kind} {n + 1} of {len(offsets):,} ends at byte "
                    f"{offset + count:,}; the file has {len(data):,})")
    if tags.get(_COMPRESSION, 1) not in _DEFLATE:
        return None
    view = memoryview(data)
    for n, (offset, count, needed) in enumerate(zip(
            offsets, counts, _bytes_needed(image, tiled, len(offsets)), strict=True)):
        problem = _inflate_problem(view[offset:offset + count], needed)
        if problem is not None:
            return f"{kind} {n + 1} of {len(offsets):,}: {problem}"
    return None


def _tag_values_problem(data: bytes, ifd: int | None) -> str | None:
    """The page's directory (at byte `ifd`), or a tag's values, past the end of the file: Pillow skips it with a warning, and the decoder then fails without it (a JPEG
    TIFF cut inside its tables)."""
    if ifd is None:
        return None
    order = "little" if data[:2] == b"II" else "big"
    big = int.from_bytes(data[2:4], order) == 43  # BigTIFF: 8-byte counts and offsets
    count_bytes, entry_bytes, inline = (8, 20, 8) if big else (2, 12, 4)
    entries = int.from_bytes(data[ifd:ifd + count_bytes], order)
    ends = ifd + count_bytes + entries * entry_bytes + inline  # the next page's offset last
    if ends > len(data):  # Pillow reads what there is; libtiff refuses the directory
        return (f"image file is truncated (the page's directory ends at byte {ends:,}; the "
                f"file has {len(data):,})")
    for n in range(entries):
        at = ifd + count_bytes + n * entry_bytes
        kind = int.from_bytes(data[at + 2:at + 4], order)
        count = int.from_bytes(data[at + 4:at + 4 + inline], order)
        size = count * _TYPE_BYTES.get(kind, 0)
        offset = int.from_bytes(data[at + 4 + inline:at + 4 + 2 * inline], order)
        if size > inline and offset + size > len(data):
            tag = int.from_bytes(data[at:at + 2], order)
            return (f"image file is truncated (tag {tag}'s values end at byte "
                    f"{offset + size:,}; the file has {len(data):,})")
    return None


def _inflate_problem(compressed: memoryview, needed: int | None) -> str | None:
    """Why the deflate stream `compressed` does not give `needed` bytes, or None."""
    inflater, produced = zlib.decompressobj(), 0
    try:
        for piece in inflated(inflater, iter([compressed])):
            produced += len(piece)
    except zlib.error as exc:
        return f"broken deflate data ({exc})"
    if needed is not None and produced < needed:
        return f"{produced:,} of its {needed:,} bytes in the file"
    return None


def _bytes_needed(image: Image.Image, tiled: bool, pieces: int) -> Iterator[int | None]:
    """The inflated bytes libtiff asks of each strip or tile (None where the layout is one
    this check does not know: it then looks only for a broken stream)."""
    tags = image.tag_v2
    width, height = image.size
    bits = _ints(tags.get(_BITS, 1))
    samples = int(tags.get(_SAMPLES, 1))
    if len(set(bits)) > 1 or not bits:  # samples of different depths: not checked
        yield from (None for _ in range(pieces))
        return
    planar = int(tags.get(_PLANAR, 1)) == 2  # one plane a sample, each its own strips
    per_pixel = bits[0] * (1 if planar else samples)
    if tiled:
        tile_width, tile_length = int(tags[_TILE_WIDTH]), int(tags[_TILE_LENGTH])
        yield from (((tile_width * per_pixel + 7) // 8) * tile_length for _ in range(pieces))
        return
    rows = min(int(tags.get(_ROWS_PER_STRIP, height)), height) or height
    per_plane = -(-height // rows)
    for n in range(pieces):
        top = (n % per_plane) * rows
        yield ((width * per_pixel + 7) // 8) * max(0, min(rows, height - top))


def _ints(value: object) -> list[int]:
    """A tag's value as a list of ints (Pillow gives one number or a tuple)."""
    if value is None:
        return []
    if isinstance(value, (tuple, list)):
        return [int(v) for v in value]
    return [int(value)]
