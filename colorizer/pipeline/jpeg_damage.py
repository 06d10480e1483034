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
  up 0-7 in turn: a skipped or repeated one is damaged data, which libjpeg resyncs past.

Measured (2026-12-06, a probe over /work/shared/datasets): none of its 9,474 intact JPEGs
(historical-bw, real-color-dev, photos-train(-extra), prokudin-gorsky, flags) is noted, nor
90 made with flat black, gray or white lower halves (a scan's margin, 8 to 600 px wide). Of
damaged copies of 39 historical-bw photos that Pillow still decodes, noted: cut short and
closed again 156/195, 200 random bytes written 56/101, 200 bytes zeroed 32/195, 16 bytes
zeroed 23/195, one bit flipped 17/194. Not noted: damage that the Huffman code resyncs
from before the end (the blocks after it are shifted in brightness, or garbled for a while),
which libjpeg itself mostly takes for whole data too. The check costs two decodes at 1/8
scale (0.5 s for a 27 MP, 9.5 MB JPEG; Pillow's full decode of it: 0.35 s).
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image

_SOF_SEQUENTIAL = frozenset({0xC0, 0xC1})  # baseline, extended sequential (Huffman)
_SOF_PROGRESSIVE = 0xC2
_SOS, _EOI, _DRI = 0xDA, 0xD9, 0xDD
_RST = range(0xD0, 0xD8)
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
        if layout.restart_break is not None:
            return _note(f"its restart markers break off at byte {layout.restart_break:,}",
                         "blocks from there on may be garbled or misplaced")
        if layout.progressive:
            return _progressive_note(layout)
        return _sequential_note(data, layout)
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
            if marker in _STANDALONE:
                pos += 2
                continue
            (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
            segment = data[pos + 4:pos + 2 + length]
            if marker in _SOF_SEQUENTIAL or marker == _SOF_PROGRESSIVE:
                layout.progressive = marker == _SOF_PROGRESSIVE
                layout.components = segment[5]
            elif marker in range(0xC3, 0xD0) and marker not in (0xC4, 0xC8, 0xCC):
                return None  # lossless or arithmetic coded: not followed here
            pos += 2 + length
            if marker == _SOS:
                count = segment[0]
                ids = bytes(segment[1 + 2 * k] for k in range(count))
                spectral = segment[1 + 2 * count:4 + 2 * count]
                layout.scans.append((ids, spectral[0], spectral[1], spectral[2] & 0x0F))
                pos = layout._skip_entropy(data, pos)
        return None  # no end marker: Pillow would have failed (or the walk lost its way)

    def _skip_entropy(self, data: bytes, pos: int) -> int:
        """The offset of the first marker after a scan's entropy-coded data; checks that its
        restart markers count up in turn."""
        expected = 0
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
            pos += 2
        return len(data)


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
