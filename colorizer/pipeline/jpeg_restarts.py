"""Damage that libjpeg resyncs past: a JPEG with restart markers, checked interval by interval.

A camera or scanner that writes restart markers (a DRI segment: every N blocks, the Huffman
code starts afresh at an RSTn marker) makes a file that libjpeg recovers from mid-file: a
damaged stretch throws the decoder off only up to the next marker, where it resyncs, warns
(which Pillow drops) and carries on. The blocks of that one interval come back garbled or
flat gray, and nothing else tells (the whole file decodes, its markers count up in turn).

Each interval must hold exactly its N blocks' (MCUs') codes. libjpeg checks one here, decoded
alone as a small JPEG of its own (the file's tables, its frame header made N MCUs high and
one wide; at 1/8 scale, so its blocks are read but few drawn), the two ways
`jpeg_damage._sequential_note` checks a whole file:

- without its last 2 bytes, an intact interval cannot finish (libjpeg reads 25 bits ahead
  and waits for more): one that does ends before its data does (damaged bytes threw the
  decoder off, and it skipped the rest to the marker);
- with all its bytes but no marker after them, an intact interval leaves at most its last
  few MCUs undrawn (those whose bits libjpeg had read ahead, and one of context for its
  upsampling): one that leaves more ran out of data early (the decoder took the marker for
  the end, and libjpeg fills the rest flat).

Only a single interleaved scan (baseline or extended sequential: what cameras write) is
followed; other layouts get no verdict here. The intervals cost about as much as one decode
of the photo at 1/8 scale.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image

# Bytes held back from an interval's end: its last byte always holds code bits (an encoder
# pads less than a byte), so an intact interval cannot finish without it; one more for margin.
# (Held back 1, 2, 4 or 16 bytes: no alarm on 1,500 intact copies of dataset photos with
# restart markers, and 2 notes a few more damaged copies than 16: 72 against 70 of 174.)
_READ_AHEAD = 2
# Blocks an intact interval may leave undrawn without its marker: libjpeg suspends at a
# refill that finds fewer than 25 bits ahead, with up to ~57 bits buffered, and a flat block
# takes 2 bits (a DC difference of 0 and an end-of-block, 1 bit each in an optimized table):
# up to ~28 blocks of a blank frame (27 of 50 seen in a black one). As `jpeg_damage`'s.
_LAST_BLOCKS = 40


@dataclass(frozen=True)
class RestartScan:
    """What the interval check needs of a sequential JPEG with restart markers."""

    tables: tuple[bytes, ...]  # the DQT and DHT segments before the scan, whole
    frame: bytes  # the SOF segment, whole
    scan_header: bytes  # the SOS segment, whole
    interval: int  # MCUs between restart markers (the DRI value)
    bounds: tuple[tuple[int, int], ...]  # (start, end) of each interval's entropy-coded bytes


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    mcu_width: int
    mcu_height: int
    blocks_in_mcu: int
    interleaved: bool

    @classmethod
    def read(cls, frame: bytes, scan_header: bytes) -> _Frame:
        height, width, count = struct.unpack(">HHB", frame[5:10])
        factors = [frame[11 + 3 * k] for k in range(count)]
        horizontal, vertical = [f >> 4 for f in factors], [f & 0x0F for f in factors]
        return cls(width, height, 8 * max(horizontal), 8 * max(vertical),
                   sum(h * v for h, v in zip(horizontal, vertical)),
                   interleaved=scan_header[4] == count)

    @property
    def mcus(self) -> int:
        return -(-self.width // self.mcu_width) * -(-self.height // self.mcu_height)


def damaged_interval_row(data: bytes, scan: RestartScan) -> int | None:
    """The photo row at which the first restart interval whose data does not hold exactly
    its MCUs starts; None when every interval does (or the layout is not one followed)."""
    frame = _Frame.read(scan.frame, scan.scan_header)
    if not frame.interleaved and frame.blocks_in_mcu > 1:
        return None  # a colour photo in one scan per component: MCUs are single blocks
    if len(scan.bounds) != -(-frame.mcus // scan.interval):
        return None  # the marker walk already says when markers are missing
    mcus_wide = -(-frame.width // frame.mcu_width)
    for index, (start, end) in enumerate(scan.bounds):
        mcus = min(scan.interval, frame.mcus - index * scan.interval)
        if not _interval_whole(data[start:end], scan, frame, mcus):
            return (index * scan.interval // mcus_wide) * frame.mcu_height
    return None


def _interval_whole(entropy: bytes, scan: RestartScan, frame: _Frame, mcus: int) -> bool:
    """Whether one interval's bytes hold exactly `mcus` MCUs' codes (module docstring)."""
    header = _interval_header(scan, frame, mcus)
    if _unwritten_rows(header + entropy[:max(0, len(entropy) - _READ_AHEAD)], 0) is None:
        return False  # its blocks end before its data does
    rows_a_mcu = max(1, frame.mcu_height // 8)
    # 2: the MCU being read, and one held back as context for upsampling chroma
    allowed = rows_a_mcu * (2 + -(-_LAST_BLOCKS // frame.blocks_in_mcu))
    if (on_black := _unwritten_rows(header + entropy, 0)) is None or on_black <= allowed:
        return True
    on_white = _unwritten_rows(header + entropy, 255)
    return on_white is None or min(on_black, on_white) <= allowed


def _interval_header(scan: RestartScan, frame: _Frame, mcus: int) -> bytes:
    """A JPEG's start for one interval: its MCUs stacked one wide, `mcus` high."""
    sized = bytearray(scan.frame)
    sized[5:9] = struct.pack(">HH", mcus * frame.mcu_height, frame.mcu_width)
    return b"\xff\xd8" + b"".join(scan.tables) + bytes(sized) + scan.scan_header


def _unwritten_rows(jpeg: bytes, fill: int) -> int | None:
    """How many rows at the bottom libjpeg left as the canvas was (`fill`), decoding `jpeg`
    (no end marker) at 1/8 scale; None when it decoded every block. A row of the photo that
    is black (or white) counts too: the caller takes the fewer of a black and a white fill."""
    with Image.open(io.BytesIO(jpeg), formats=("JPEG",)) as image:
        image.draft(image.mode, (1, 1))  # scale 1/8: every block is read, few are drawn
        codec, extents, offset, args = tuple(image.tile[0])[:4]
        canvas = Image.new(image.mode, image.size, (fill,) * len(image.getbands()))
        decoder = Image._getdecoder(image.mode, codec, args, image.decoderconfig)
        decoder.setimage(canvas.im, extents)
        try:
            consumed, _ = decoder.decode(jpeg[offset:])
        finally:
            decoder.cleanup()
    if consumed < 0:
        return None
    pixels = np.asarray(canvas)
    left = np.all(pixels == fill, axis=tuple(range(1, pixels.ndim)))
    return int(np.argmin(left[::-1])) if not left.all() else len(left)
