"""pillow-heif's Pillow plugin, made to decode a 10- or 12-bit HEIF once, at its depth.

The plugin decodes color to 8 bits a channel (Pillow has no 16-bit RGB mode), and the loader
then read the same image again at 16 bits for its depth (heif_depth.py): two HEVC decodes of a
6 MP photo (about a second each on two cores) and both copies in memory at once. For a file
that heif_depth can read at its depth (one image of 9-16 bits, no profile or a matrix/TRC
one: heif_depth.reads_at_depth), this plugin decodes the primary image once at 16 bits,
keeps those values (`deep_decode`, for heif_depth) and gives Pillow their top 8 bits (gray:
the 16 bits the plugin gives), from which the loader takes its notes, whether the photo has
color (`has_color`) and its check that the deep read is the same image.

Those 8 bits are not libheif's own 8-bit decode (libheif brings the YCbCr planes to 8 bits
before turning them to RGB: within 3 levels of these, nearer the deep pixels), but the
pixels colorized are the deep ones either way; only a photo at the edge of "has color" (its
channels 3 levels apart at most) can be read otherwise. Any other file, and one whose deep
decode fails (a damaged file: the plugin's own decode then says what is wrong), is decoded
by the plugin as before. heif_opener registers it under a name of its own, which only the
loader asks for: another `Image.open` of a HEIC meets pillow-heif's plugin.
"""

from __future__ import annotations

import numpy as np
from PIL import ImageFile
from pillow_heif import HeifFile
from pillow_heif.as_plugin import HeifImageFile

from colorizer.pipeline.heif_depth import reads_at_depth

_DECODE_ERRORS = (OSError, ValueError, RuntimeError, EOFError, SyntaxError, IndexError)
# Pillow's mode -> the 16-bit decode's mode, and the raw mode Pillow reads it in: color's top
# 8 bits (the high byte of each little-endian value), gray's 16 bits as the plugin gives them.
_DEEP_MODES = {"RGB": ("RGB;16", "RGB;16L"), "RGBA": ("RGBA;16", "RGBA;16L"),
               "I;16": ("I;16", "I;16")}


class DeepHeifImageFile(HeifImageFile):
    """pillow-heif's HEIF image, decoded once at 16 bits where heif_depth reads it so."""

    # Once loaded: (values (H, W, 3 or 4) uint16, bit depth, ICC profile), as heif_depth's
    # own decode gives them; None for a file the plugin decoded at 8 bits.
    deep_decode: tuple[np.ndarray, int, bytes | None] | None = None
    _deep_frame = None  # the primary image of a 16-bit HeifFile, until it is decoded

    def _open(self) -> None:
        super()._open()
        self._deep_frame = self._frame_to_decode_deep()

    def _frame_to_decode_deep(self):  # -> pillow_heif.HeifImage | None
        """The primary image opened (not decoded) for a 16-bit decode; None where the plugin's
        own decode serves (an 8-bit file, a burst, a profile heif_depth does not follow)."""
        depth = int(self.info.get("bit_depth") or 8)
        if self.n_frames != 1 or self.mode not in _DEEP_MODES or not 8 < depth <= 16:
            return None
        if not reads_at_depth(self.mode == "I;16", self.info.get("icc_profile")):
            return None
        try:
            deep_file = HeifFile(self.fp, convert_hdr_to_8bit=False, hdr_to_16bit=True)
            frame = deep_file[deep_file.primary_index]
        except _DECODE_ERRORS:
            return None
        same = frame.mode == _DEEP_MODES[self.mode][0] and frame.size == self.size
        return frame if same else None

    def draft(self, mode, size):  # a thumbnail asked for is the plugin's 8-bit one
        self._deep_frame = None
        return super().draft(mode, size)

    def load(self):
        frame, self._deep_frame = self._deep_frame, None
        if frame is None or self.deep_decode is not None:
            return super().load()
        try:
            data = frame.data  # the one decode: 16 bits a channel, libheif's shift
        except _DECODE_ERRORS:
            return super().load()  # the plugin's decode says what is wrong with the file
        self.load_prepare()
        self.frombytes(data, "raw", (_DEEP_MODES[self.mode][1], frame.stride))
        self.deep_decode = (np.asarray(frame),  # a view of `data`, not a copy
                            int(frame.info["bit_depth"]), frame.info.get("icc_profile"))
        self._heif_file = None  # decoded: nothing left for the plugin's own load to do
        if self.fp and getattr(self, "_exclusive_fp", False):
            self.fp.close()
        self.fp = None
        return ImageFile.ImageFile.load(self)

