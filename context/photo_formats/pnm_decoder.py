"""Pillow's PNM decoding of a maxval other than 255, done with numpy: the same pixels, at
numpy's speed.

Pillow decodes a PPM or PGM whose maxval is not 255 (scanimage's 48-bit color scans at
65535, a 12-bit scanner's 4095) with a Python loop over every sample: a 12 MP 48-bit PPM took
55-62 s to load, a 29 MP one (an 8x10 print at 600 dpi) over two minutes, before a pixel was
colorized. `use_fast_decoder` points such a frame's tile at `FastPnmDecoder`, registered under
a name of our own (Pillow's own "ppm" decoder is left as it is), which scales the samples as
Pillow does (`min(out_max, round(value / maxval * out_max))`, ties to even), a block of
samples at a time, into the bytes Pillow's decoder would give: the pixels are identical.
Both loaders use it (colorize's and `python -m context`'s, which took as long).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFile

_NAME = "chronochrome_pnm"  # the decoder's name in Pillow's registry: only our tiles use it
_MODES = {"L": 255, "RGB": 255, "I": 65535}  # the modes Pillow's "ppm" decoder fills, and
# the value of white in each
_BLOCK_SAMPLES = 1 << 21  # samples scaled at a time: bounds the float64 copy (16 MB)


class FastPnmDecoder(ImageFile.PyDecoder):
    """Pillow's `PpmDecoder` (binary P5/P6 of any maxval), vectorised."""

    _pulls_fd = True

    def decode(self, buffer: Image.DecoderInput) -> tuple[int, int]:
        assert self.fd is not None
        maxval = int(self.args[-1])
        out_max = _MODES[self.mode]
        sample_bytes = 1 if maxval < 256 else 2
        samples = self.state.xsize * self.state.ysize * Image.getmodebands(self.mode)
        out = bytearray()
        for start in range(0, samples, _BLOCK_SAMPLES):
            count = min(_BLOCK_SAMPLES, samples - start)
            raw = self.fd.read(count * sample_bytes)
            whole = len(raw) - len(raw) % sample_bytes  # a file cut short: as Pillow, the
            values = np.frombuffer(raw[:whole], ">u2" if sample_bytes == 2 else np.uint8)
            scaled = np.minimum(out_max, np.rint(values / maxval * out_max))
            out += scaled.astype("<i4" if self.mode == "I" else np.uint8).tobytes()
            if whole < count * sample_bytes:  # samples it has, then "not enough image data"
                break
        self.set_as_raw(bytes(out), "I;32" if self.mode == "I" else self.mode)
        return -1, 0


def use_fast_decoder(image: Image.Image) -> None:
    """Have an opened, not yet decoded PNM frame decoded by `FastPnmDecoder` where Pillow
    would use its per-sample Python loop (a binary file whose maxval is not 255); any other
    image is left as it is."""
    tiles = getattr(image, "tile", None) or []
    if (image.format != "PPM" or len(tiles) != 1 or tiles[0].codec_name != "ppm"
            or image.mode not in _MODES):
        return
    if _NAME not in Image.DECODERS:
        Image.register_decoder(_NAME, FastPnmDecoder)
    image.tile = [tiles[0]._replace(codec_name=_NAME)]
