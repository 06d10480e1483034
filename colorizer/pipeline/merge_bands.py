"""The outputs of the merge at full size, written a band of rows at a time into arrays made once.

The merge (full_size.py) turns each band's float RGB into the 8-bit image and, for an input of
more than 8 bits, the 16-bit one, and each band's upsampled maps into the uncertainty and
context-region maps. Written as `(rgb * 255 + 0.5).astype(np.uint8)` and then again for 16
bits, every band made four float32 copies of its RGB (12 MB each for a band of 1 M pixels) and
a clipped copy of each map; here the rounding goes through one float buffer, reused by every
band, and the maps are clipped straight into place. The values are those of the expressions
above: the same float32 operations in the same order, and the same casts.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from colorizer.pipeline.deep_pixels import LEVELS_16


class BandWriter:
    """The merge's outputs for a (height, width) photo, filled band by band (`colors`, `maps`)
    and handed over by `done` as (image, uncertainty, region, image16)."""

    def __init__(self, height: int, width: int, deep: bool, region: bool):
        # The 8-bit RGB goes into the PIL image band by band: a whole (H, W, 3) array first,
        # then PIL's copy of it (4 bytes a pixel), was 324 + 432 MB at once on a 108 MP photo.
        self.image = Image.new("RGB", (width, height))
        self.rgb16 = np.empty((height, width, 3), dtype=np.uint16) if deep else None
        self.uncertainty = np.empty((height, width), dtype=np.float32)
        # A region that is zero everywhere is left to np.zeros: pages the system fills with
        # zeros only when touched, so the map costs no memory (432 MB on a 108 MP photo).
        self.region_used = region
        self.region = (np.empty if region else np.zeros)((height, width), dtype=np.float32)
        self._buffer = np.empty(0, dtype=np.float32)

    def colors(self, band: slice, rgb: np.ndarray) -> None:
        """Rows `band` of the image (and image16) from float sRGB (rows, W, 3) in [0, 1]."""
        scaled = self._scratch(rgb.shape)
        np.multiply(rgb, np.float32(255.0), out=scaled)
        np.add(scaled, np.float32(0.5), out=scaled)
        self.image.paste(Image.fromarray(scaled.astype(np.uint8), "RGB"), (0, band.start))
        if self.rgb16 is not None:  # 65535 levels, rounded as the 8-bit image is
            np.multiply(rgb, np.float32(LEVELS_16), out=scaled)
            np.add(scaled, np.float32(0.5), out=scaled)
            self.rgb16[band] = scaled  # cast as astype(np.uint16) casts: truncated

    def maps(self, band: slice, uncertainty: np.ndarray, region: np.ndarray | None) -> None:
        """Rows `band` of the maps, from the band's upsampled values, clipped to [0, 1]."""
        np.clip(uncertainty, 0, 1, out=self.uncertainty[band])
        if region is not None:
            np.clip(region, 0, 1, out=self.region[band])

    def done(self) -> tuple[Image.Image, np.ndarray, np.ndarray, np.ndarray | None]:
        """(image, uncertainty, region, image16), as `full_size.Merged` holds them."""
        self._buffer = np.empty(0, dtype=np.float32)
        return self.image, self.uncertainty, self.region, self.rgb16

    def _scratch(self, shape: tuple[int, ...]) -> np.ndarray:
        """A float32 array of `shape` on the shared buffer (grown only for a bigger band)."""
        size = int(np.prod(shape))
        if self._buffer.size < size:
            self._buffer = np.empty(size, dtype=np.float32)
        return self._buffer[:size].reshape(shape)
