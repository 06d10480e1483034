"""Damaged JPEG data that decodes anyway: a note for the loader (`imageio.load_image`).

libjpeg decodes a JPEG whose image data was cut short and closed again (an interrupted copy
that a recovery tool or a downloader ended with the end marker), or whose bytes were
overwritten mid-file (bit rot, a bad sector), and fills in what it could not read: the lower
part of the photo comes back flat gray or smeared, blocks below the damage garbled. Pillow
drops libjpeg's warnings, so such a file was colorized without a word. A cut-short file
without its end marker still fails in the loader, with its error.

What is checked, from libjpeg's own decoding (at 1/8 scale: it reads every block, and
skips most of the work of drawing them):

- a sequential JPEG is decoded again from its image data alone, without the end marker.
  An intact file's blocks then all decode but the last row's (libjpeg reads ahead 25 bits
  before a block, and waits for more data at the end); a file whose data ran out early stops
  where its data did (so the rows below it are what libjpeg filled in). Without its last 16
  bytes too, an intact file cannot finish; one whose blocks end before its data does (a
  decoder thrown off by damaged bytes) does.
- a progressive JPEG's scans must, between them, give every coefficient of every component
  its last bit (the file may have been cut between scans and closed again);
- restart markers (which some cameras and scanners write every few block rows) must count
  up 0-7 in turn: a skipped or repeated one is damaged data, which libjpeg resyncs past;
  and each stretch between them must hold exactly its blocks (jpeg_restarts.py): damaged
  bytes libjpeg resynced past at the next marker, with only a band of blocks garbled;
- after a scan's data only a marker that may follow a scan may come (tables, a scan, a
  comment, the end): damaged bytes holding 0xFF and a reserved code are read as a marker, and
  libjpeg ends the scan there (in a file with restart markers it resyncs and goes on).

Measured (2026-12-06, a probe over /work/shared/datasets): none of its 9,474 intact JPEGs
(historical-bw, real-color-dev, photos-train(-extra), prokudin-gorsky, flags) is noted, nor
90 made with flat black, gray or white lower halves (a scan's margin, 8 to 600 px wide). Of
damaged copies of 39 historical-bw photos that Pillow still decodes, noted: cut short and
closed again 156/195, 200 random bytes written 56/101, 200 bytes zeroed 32/195, 16 bytes
zeroed 23/195, one bit flipped 17/194. Not noted: damage that the Huffman code resyncs
from before the end (the blocks after it are shifted in brightness, or garbled for a while),
which libjpeg itself mostly takes for whole data too. The check costs two decodes at 1/8
scale (0.5 s for a 27 MP, 9.5 MB JPEG; Pillow's full decode of it: 0.35 s).

Measured again (2026-12-07, /tmp probes): still none of the 9,474 intact JPEGs noted (none of
them has restart markers or is progressive), nor 2,400 intact copies of 300 of them saved with
restart markers (every 1-7 blocks or 1-2 rows, gray and color, 4:4:4 to 4:2:0, optimized
tables) or progressive. Copies of the 40 photos above saved with restart markers every block row, damaged:
noted 172/187 with 200 random bytes (13 before these checks), 30/200 with a bit flipped
(1 before), 199/200 cut short and closed again (195); the photos as they are, 200 random
bytes: 63/97 (54). On those copies the notes agree with libjpeg's own warnings (OpenCV's
decoder prints them): 45 of the 46 it warns about are noted, none it is silent about; the
bit flips not noted are ones libjpeg too takes for whole data.
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image

from colorizer.pipeline.jpeg_restarts import RestartScan, damaged_interval_row

_SOF_SEQUENTIAL = frozenset({0xC0, 0xC1})  # baseline, extended sequential (Huffman)
_SOF_PROGRESSIVE = 0xC2
_SOS, _EOI, _DRI, _DQT, _DHT = 0xDA, 0xD9, 0xDD, 0xDB, 0xC4
_RST = range(0xD0, 0xD8)
# Markers that may come after a scan's data besides EOI: DHT, DAC, DQT, DNL, DRI, SOS, APPn,
# COM (ITU T.81 B.2.4, B.6).
_AFTER_SCAN = frozenset({0xC4, 0xCC, 0xDB, 0xDC, 0xDD, 0xDA, *range(0xE0, 0xF0), 0xFE})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})  # markers without a length
_WHOLE = frozenset(range(64))  # a component's coefficients, zigzag order
# Bytes held back from the end of the data: more than libjpeg's bit buffer (64 bits) reads
# ahead, so an intact file's last blocks cannot decode without them.
_READ_AHEAD = 16
# Rows (at 1/8 scale) an intact file leaves undecoded without its end marker: its last block
# row (2 rows at 4:2:0), and those of the blocks libjpeg's read-ahead (25 bits) may cover
# where they are flat (a few bits a block: many rows of a narrow photo).
_LAST_ROWS, _LAST_BLOCKS = 2, 40


def jpeg_damage_note(data: bytes) -> str | None:
    """A note naming what is wrong with a JPEG's image data, or None when it reads as whole.

    `data` is the whole file, which Pillow has already decoded (so its headers are sound);
    a file this module cannot follow gets no note rather than a wrong one."""
    try:
        layout = _Layout.read(data)
        if layout is None:
            return None
        if layout.stray_marker is not None:
            return _note(f"a marker that belongs in no image data at byte "
                         f"{layout.stray_marker:,}", "blocks from there on may be garbled, "
                         "misplaced or flat gray")
        if layout.restart_break is not None:
            return _note(f"its restart markers break off at byte {layout.restart_break:,}",
                         "blocks from there on may be garbled or misplaced")
        if layout.progressive:
            return _progressive_note(layout)
        return _sequential_note(data, layout) or _restart_interval_note(data, layout)
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
            AttributeError, struct.error):  # Pillow's decoder on odd data: no verdict
        return None


def _note(problem: str, effect: str) -> str:
    return (f"JPEG data damaged: {problem}; {effect} (re-export or re-download the file if "
            "you can)")


class _Layout:
    """Where a JPEG's scans lie, from a walk over its markers (no pixel is decoded)."""

    def __init__(self) -> None:
        self.progressive = False
        self.eoi: int | None = None  # offset of the end marker closing the last scan
        self.components = 0
        self.scans: list[tuple[bytes, int, int, int]] = []  # (component ids, Ss, Se, Al)
        self.restart_break: int | None = None
        self._restarts: list[int] = []  # offsets of the restart markers of the scan walked
        self.stray_marker: int | None = None  # a marker no scan may be followed by
        self.restart_interval = 0  # MCUs between restart markers (DRI); 0: none
        self.segments: list[bytes] = []  # the DQT, DHT and SOF segments before the first scan
        self.frame = b""  # the SOF segment
        self.intervals: list[tuple[bytes, tuple[tuple[int, int], ...]]] = []  # each scan's
        # SOS segment and its intervals' (start, end) offsets

    @classmethod
    def read(cls, data: bytes) -> _Layout | None:
        layout, pos = cls(), 2
        if not data.startswith(b"\xff\xd8"):
            return None
        while pos + 2 <= len(data):
            if data[pos] != 0xFF:
                return None
            marker = data[pos + 1]
            if marker == 0xFF:  # fill byte before a marker
                pos += 1
                continue
            if marker == _EOI:
                layout.eoi = pos
                return layout
            if layout.scans and not _may_follow_scan(data, pos):
                layout.stray_marker = pos  # damaged bytes read as a marker: libjpeg ends the
                return layout  # scan there and fills the rest, or resyncs at the next RSTn
            if marker in _STANDALONE:
                pos += 2
                continue
            (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
            segment = data[pos + 4:pos + 2 + length]
            if marker in _SOF_SEQUENTIAL or marker == _SOF_PROGRESSIVE:
                layout.progressive = marker == _SOF_PROGRESSIVE
                layout.components = segment[5]
                layout.frame = data[pos:pos + 2 + length]
            elif marker in (_DQT, _DHT) and not layout.scans:
                layout.segments.append(data[pos:pos + 2 + length])
            elif marker == _DRI:
                (layout.restart_interval,) = struct.unpack(">H", segment[:2])
            elif marker in range(0xC3, 0xD0) and marker not in (0xC4, 0xC8, 0xCC):
                return None  # lossless or arithmetic coded: not followed here
            pos += 2 + length
            if marker == _SOS:
                count = segment[0]
                ids = bytes(segment[1 + 2 * k] for k in range(count))
                spectral = segment[1 + 2 * count:4 + 2 * count]
                layout.scans.append((ids, spectral[0], spectral[1], spectral[2] & 0x0F))
                start = pos
                pos = layout._skip_entropy(data, pos)
                layout.intervals.append((data[start - 2 - length:start],
                                         layout._interval_bounds(start, pos)))
        return None  # no end marker: Pillow would have failed (or the walk lost its way)

    def _skip_entropy(self, data: bytes, pos: int) -> int:
        """The offset of the first marker after a scan's entropy-coded data; checks that its
        restart markers count up in turn."""
        expected, self._restarts = 0, []
        while (pos := data.find(b"\xff", pos)) != -1 and pos + 1 < len(data):
            follower = data[pos + 1]
            if follower == 0x00 or follower == 0xFF:  # stuffed byte, fill byte
                pos += 1 if follower == 0xFF else 2
                continue
            if follower not in _RST:
                return pos
            if follower - 0xD0 != expected and self.restart_break is None:
                self.restart_break = pos
            expected = (follower - 0xD0 + 1) % 8
            self._restarts.append(pos)
            pos += 2
        return len(data)

    def _interval_bounds(self, start: int, end: int) -> tuple[tuple[int, int], ...]:
        """(start, end) of the entropy-coded bytes between a scan's restart markers."""
        starts = [start, *(marker + 2 for marker in self._restarts)]
        return tuple(zip(starts, [*self._restarts, end]))


def _may_follow_scan(data: bytes, pos: int) -> bool:
    """Whether the marker at `pos`, after a scan's data, is one that may follow a scan (tables,
    another scan, a comment: ITU T.81 B.2.4, B.6) with a length that ends at the next marker.
    Any other (a reserved code, a frame header, a length into the void) is damaged data that
    happened to hold 0xFF."""
    if data[pos + 1] not in _AFTER_SCAN:
        return False
    (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
    end = pos + 2 + length  # SOS is followed by its scan's data, the others by a marker
    return length >= 2 and end < len(data) and (data[pos + 1] == _SOS or data[end] == 0xFF)


def _progressive_note(layout: _Layout) -> str | None:
    """Every component must get every coefficient's last bit (a scan with Al 0)."""
    finished: dict[int, set[int]] = {}
    for ids, start, end, low_bit in layout.scans:
        if low_bit == 0:
            for component in ids:
                finished.setdefault(component, set()).update(range(start, end + 1))
    if len(finished) >= layout.components and all(
            got >= _WHOLE for got in finished.values()):
        return None
    return _note("its scans stop before the last one (the file was cut short and closed "
                 "again)", "the photo is blurred or blocky where its last scans were")


def _decoded_rows(image: Image.Image, data: bytes, end: int, fill: int) -> np.ndarray | None:
    """The pixels libjpeg writes from the image data up to `end` into a canvas of `fill`;
    None when it decoded every block."""
    codec, extents, offset, args = tuple(image.tile[0])[:4]
    canvas = Image.new(image.mode, image.size, (fill,) * len(image.getbands()))
    decoder = Image._getdecoder(image.mode, codec, args, image.decoderconfig)
    decoder.setimage(canvas.im, extents)
    try:
        consumed, _ = decoder.decode(data[offset:end])
    finally:
        decoder.cleanup()
    return None if consumed < 0 else np.asarray(canvas)


def _sequential_note(data: bytes, layout: _Layout) -> str | None:
    """Decode the image data again without its last bytes and see where libjpeg stops."""
    if layout.eoi is None:
        return None
    with Image.open(io.BytesIO(data), formats=("JPEG",)) as image:
        height = image.size[1]
        image.draft(image.mode, (1, 1))  # scale 1/8: every block is read, few are drawn
        if _decoded_rows(image, data, layout.eoi - _READ_AHEAD, 0) is None:
            return _note("its blocks end before its data does (damaged bytes threw the "
                         "decoder off)", "parts of the photo may be garbled: shifted, "
                         "striped or gray blocks")
        on_black = _decoded_rows(image, data, layout.eoi, 0)
        if on_black is None:
            return None
        rows, blocks_wide = on_black.shape[:2]
        allowed = _LAST_ROWS + -(-_LAST_BLOCKS // blocks_wide)
        if _unwritten(on_black) <= allowed:
            return None  # most files: the last decode (a black bottom needs one more)
        on_white = _decoded_rows(image, data, layout.eoi, 255)
    missing = _unwritten(on_black, on_white) if on_white is not None else 0
    if missing <= allowed:
        return None
    written = rows - missing
    return _note(f"its image data ends early, at about row {height * written // rows:,} of "
                 f"{height:,}", f"the lower {round(100 * missing / rows)}% is filled in gray "
                 "or smeared, not the photo, and blocks above it may be garbled")


def _unwritten(on_black: np.ndarray, on_white: np.ndarray | None = None) -> int:
    """How many rows at the bottom libjpeg left as they were (black on the first canvas,
    white on the second: a black row of the photo is black on both); with one canvas, the
    black rows at the bottom (at least as many)."""
    left = np.all(on_black == 0, axis=tuple(range(1, on_black.ndim)))
    if on_white is not None:
        left &= np.all(on_white == 255, axis=tuple(range(1, on_white.ndim)))
    return int(np.argmin(left[::-1])) if not left.all() else len(left)


def _restart_interval_note(data: bytes, layout: _Layout) -> str | None:
    """A sequential JPEG with restart markers in one scan: each interval must hold exactly its
    blocks (jpeg_restarts.py): damage libjpeg resynced past at the next marker."""
    if not layout.restart_interval or len(layout.intervals) != 1 or not layout.frame:
        return None
    scan_header, bounds = layout.intervals[0]
    row = damaged_interval_row(data, RestartScan(
        tuple(layout.segments), layout.frame, scan_header, layout.restart_interval, bounds))
    if row is None:
        return None
    return _note(f"a stretch of its image data between restart markers, at about row {row:,}, "
                 "does not hold its blocks", "a band of blocks there is garbled or flat gray "
                 "(the decoder picked up again after it)")
