"""Pillow's plain-text PNM decoding (P1, P2, P3) with its per-sample loop done by numpy: the
same pixels and the same errors, at numpy's speed.

Pillow decodes a plain PGM/PPM with a Python loop over every number of the text, and a plain
PBM with one over every character (4000x3000, CPU seconds, measured 2026-12-07: a P2 PGM
4.4, here 0.46; a P3 PPM 13.7, here 1.6; an 8000x6000 P1 PBM 2.5, here 0.24).
`use_plain_decoder` points such a frame's tile at `FastPlainPnmDecoder`, a subclass of
Pillow's `PpmPlainDecoder` registered under a name of our own (Pillow's own decoder is left as
it is). It keeps everything of Pillow's that decides what is read: the 1 MB blocks
(`ImageFile.SAFEBLOCK`), the comment removal (`_ignore_comments`, its quirks included), the
number cut at a block's end and its length check, the stop at the last sample. Only the work
on the numbers of a block changes: a piece of digits and white space is parsed and scaled by
numpy (`round(value / maxval * out_max)`, ties to even, as Python's `round`); a piece holding
anything else (a sign, a letter, a number too long or over the maxval) goes through Pillow's
own per-number steps, so an odd file decodes, or fails with the reason, as it did.

Memory: the output twice (an array, then its bytes: as Pillow's), one block, and numpy arrays
for 64 KB of text at a time; the numbers are never a Python list (Pillow's: one bytes object
per number of a block).
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image
from PIL.PpmImagePlugin import PpmPlainDecoder

_NAME = "chronochrome_ppm_plain"  # the decoder's name in Pillow's registry: only our tiles
_MODES = ("1", "L", "I", "RGB")  # the modes Pillow's "ppm_plain" decoder fills
_WHITESPACE = b" \t\n\r\x0b\x0c"  # Pillow's `b_whitespace`, and what `bytes.split()` splits on
_PIECE = 1 << 16  # text parsed by numpy at a time: bounds its arrays (~30x this)
_TOKEN_MAX = 10  # Pillow's `max_len`: a longer number is refused
_SEPARATOR = re.compile(rb"[ \t\n\r\x0b\x0c]")
_IS_SPACE = np.zeros(256, bool)
_IS_SPACE[list(_WHITESPACE)] = True
_BIT_INVERT = bytes.maketrans(b"01", b"\xff\x00")  # Pillow's: "0" is white, "1" black


class FastPlainPnmDecoder(PpmPlainDecoder):
    """Pillow's `PpmPlainDecoder`, its loops over samples vectorised (module docstring)."""

    def _decode_bitonal(self) -> bytearray:
        """A P1's characters: every block's must all be 0 or 1 (Pillow checks the whole
        block, also past the last pixel), white space between them optional."""
        data = bytearray()
        total = self.state.xsize * self.state.ysize
        while len(data) != total:
            block = self._read_block()
            if not block:
                break
            block = self._ignore_comments(block)
            characters = block.translate(None, _WHITESPACE)  # = b"".join(block.split())
            invalid = characters.translate(None, b"01")  # in order: the first is Pillow's
            if invalid:
                raise ValueError(b"Invalid token for this mode: %s" % invalid[:1])
            data += characters[: total - len(data)]
        return data.translate(_BIT_INVERT)

    def _decode_blocks(self, maxval: int) -> bytes:  # type: ignore[override]
        """A P2's or P3's numbers, read block by block as Pillow's loop reads them."""
        bands = Image.getmodebands(self.mode)
        total = self.state.xsize * self.state.ysize * bands
        out = np.empty(total, "<u4" if self.mode == "I" else np.uint8)  # o32 / o8
        filled, half_token = 0, b""
        while filled != total:
            block = self._read_block()
            if not block:
                if not half_token:
                    break
                block = b" "  # flush the number the file ends with
            block = self._ignore_comments(block)
            if half_token:
                block, half_token = half_token + block, b""
            if block and not block[-1:].isspace():  # a number the next block may go on with
                head = block.rsplit(None, 1)
                block, half_token = (head[0] if len(head) == 2 else b""), head[-1]
                if len(half_token) > _TOKEN_MAX:
                    raise ValueError(b"Token too long found in data: %s"
                                     % half_token[: _TOKEN_MAX + 1])
            filled = self._take_numbers(block, out, filled, maxval)
        return out[:filled].tobytes()

    def _take_numbers(self, text: bytes, out: np.ndarray, filled: int, maxval: int) -> int:
        """Write the numbers of `text` (whole ones only) scaled into `out` from `filled` on,
        64 KB of text at a time; return the new fill."""
        start = 0
        while start < len(text) and filled < out.size:
            cut = _SEPARATOR.search(text, start + _PIECE) if start + _PIECE < len(text) else None
            stop = cut.start() if cut else len(text)
            filled = self._take_piece(text[start:stop], out, filled, maxval)
            start = stop
        return filled

    def _take_piece(self, piece: bytes, out: np.ndarray, filled: int, maxval: int) -> int:
        characters = np.frombuffer(piece, np.uint8)
        digit = (characters - 48) < 10  # (uint8 wraps below "0")
        if not np.all(digit | _IS_SPACE[characters]):
            return self._take_as_pillow(piece, out, filled, maxval)  # a sign, "_", a letter
        edges = np.flatnonzero(np.diff(digit.astype(np.int8), prepend=0, append=0))
        starts, ends = edges[0::2], edges[1::2]  # runs of digits: the numbers
        count = min(starts.size, out.size - filled)  # Pillow stops at the last sample
        starts, lengths = starts[:count], ends[:count] - starts[:count]
        if count == 0:
            return filled
        if lengths.max() > _TOKEN_MAX:
            return self._take_as_pillow(piece, out, filled, maxval)  # refused in its words
        values = np.zeros(count, np.int64)
        for place in range(int(lengths.max())):  # one digit of every number at a time
            more = place < lengths
            digits = characters[np.minimum(starts + place, characters.size - 1)] - 48
            values = np.where(more, values * 10 + digits, values)
        if values.max() > maxval:
            return self._take_as_pillow(piece, out, filled, maxval)  # refused in its words
        out_max = 65535 if self.mode == "I" else 255
        out[filled:filled + count] = np.rint(values / maxval * out_max)
        return filled + count

    def _take_as_pillow(self, piece: bytes, out: np.ndarray, filled: int, maxval: int) -> int:
        """Pillow's own steps for each number (`PpmPlainDecoder._decode_blocks`): what it
        accepts (`int()`: "+7", "0_1") and how it refuses the rest, in its order."""
        out_max = 65535 if self.mode == "I" else 255
        for token in piece.split():
            if len(token) > _TOKEN_MAX:
                raise ValueError(b"Token too long found in data: %s" % token[: _TOKEN_MAX + 1])
            value = int(token)
            if value < 0:
                raise ValueError(f"Channel value is negative: {value}")
            if value > maxval:
                raise ValueError(f"Channel value too large for this mode: {value}")
            out[filled] = round(value / maxval * out_max)
            filled += 1
            if filled == out.size:
                break
        return filled


def use_plain_decoder(image: Image.Image) -> bool:
    """Have an opened, not yet decoded plain PNM frame (P1, P2, P3) decoded by
    `FastPlainPnmDecoder`; any other image is left as it is. Returns whether it will be."""
    tiles = getattr(image, "tile", None) or []
    if (image.format != "PPM" or len(tiles) != 1 or tiles[0].codec_name != "ppm_plain"
            or image.mode not in _MODES):
        return False
    if _NAME not in Image.DECODERS:
        Image.register_decoder(_NAME, FastPlainPnmDecoder)
    image.tile = [tiles[0]._replace(codec_name=_NAME)]
    return True

