"""A JPEG 2000 file's codestream walked by its markers, without decoding it: the number of
wavelet levels it was coded with (its resolutions, each half the size of the next), and
whether its tile-parts all lie inside the file and end at the end-of-codestream marker.

The service's intake (`upload_inspection`) uses both: it decodes the photo at a reduced
resolution, whose data OpenJPEG reads all the same, instead of at full size (a 108 MP 16-bit
.jp2 took the serving process to 1335 MB during its POST, now 624; measured 2026-12-07), and a file cut
short is seen from its markers, whatever the order its resolutions were written in.
"""

from __future__ import annotations

from dataclasses import dataclass

_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_SOC, _SOT, _COD, _EOC = 0xFF4F, 0xFF90, 0xFF52, 0xFFD9
_MOST_SEGMENTS = 4096  # main-header segments and boxes walked before giving up (a loop)
_MOST_TILE_PARTS = 1 << 16  # tile-parts walked: 256-px tiles of a 108 MP scan are 1,700


@dataclass(frozen=True)
class Codestream:
    """What the markers of a JPEG 2000 codestream say."""

    levels: int | None  # wavelet decomposition levels (COD); None where no COD was read
    problem: str | None  # why the codestream looks damaged, or None


def read_codestream(data: bytes) -> Codestream:
    """The `Codestream` of a .jp2 file or a bare .j2k codestream `data`."""
    bounds = _codestream_bounds(data)
    if isinstance(bounds, str):
        return Codestream(None, bounds)
    start, end = bounds
    pos, levels = start + 2, None  # after SOC
    for _ in range(_MOST_SEGMENTS):  # the main header, up to the first tile-part
        if pos + 4 > end:
            return Codestream(levels, "the codestream ends inside its main header")
        marker, length = _u16(data, pos), _u16(data, pos + 2)
        if marker == _SOT:
            return Codestream(levels, _tile_parts_problem(data, pos, end))
        if marker == _COD and pos + 10 <= end:
            levels = data[pos + 9]  # Lcod(2) Scod(1) SGcod(4), then SPcod's levels
        pos += 2 + length
    return Codestream(levels, "the codestream's main header does not end")


def _codestream_bounds(data: bytes) -> tuple[int, int] | str:
    """(start, end) of the codestream in `data`, or why it is not found."""
    if _u16(data, 0) == _SOC:
        return 0, len(data)
    if not data.startswith(_JP2_SIGNATURE):
        return "no JPEG 2000 signature"
    pos = 0
    for _ in range(_MOST_SEGMENTS):
        if pos + 8 > len(data):
            break
        length, kind, header = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8], 8
        if length == 1:  # a 64-bit length follows
            length, header = int.from_bytes(data[pos + 8:pos + 16], "big"), 16
        elif length == 0:  # the last box: to the end of the file
            length = len(data) - pos
        if kind == b"jp2c":
            if pos + length > len(data):
                return (f"image file is truncated (its codestream box holds {length:,} bytes "
                        f"from byte {pos:,}; the file has {len(data):,})")
            return pos + header, pos + length
        if length < header:
            break
        pos += length
    return "no codestream box"


def _tile_parts_problem(data: bytes, pos: int, end: int) -> str | None:
    """Why the tile-parts from `pos` do not run, inside `end`, to the end marker; or None."""
    for part in range(1, _MOST_TILE_PARTS + 1):
        if pos + 2 <= end and _u16(data, pos) == _EOC:
            return None
        if pos + 12 > end or _u16(data, pos) != _SOT:
            return (f"image file is truncated (after {part - 1:,} tile-parts at byte {pos:,} "
                    f"there is neither a tile-part nor the end marker; the codestream ends "
                    f"at {end:,})")
        length = int.from_bytes(data[pos + 6:pos + 10], "big")  # Psot: the whole tile-part's
        if length == 0:  # the last tile-part, running to the end marker
            return None if _u16(data, end - 2) == _EOC else "no end-of-codestream marker"
        if pos + length > end:
            return (f"image file is truncated (tile-part {part:,} ends at byte "
                    f"{pos + length:,}; the codestream ends at {end:,})")
        pos += length
    return "too many tile-parts to walk"


def _u16(data: bytes, pos: int) -> int:
    return int.from_bytes(data[pos:pos + 2], "big") if pos + 2 <= len(data) else -1
