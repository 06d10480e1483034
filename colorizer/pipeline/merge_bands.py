"""The outputs of the merge at full size, written a band of rows at a time into arrays made once.

The merge (full_size.py) turns each band's float RGB into the 8-bit image and, for an input of
more than 8 bits, the 16-bit one (the maps are made when read: upsampled_map.py). Written as `(rgb * 255 + 0.5).astype(np.uint8)` and then again for 16
bits, every band made four float32 copies of its RGB (12 MB each for a band of 1 M pixels) and
a clipped copy of each map; here the rounding goes through one float buffer, reused by every
band. The values are those of the expressions
above: the same float32 operations in the same order, and the same casts.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from colorizer.pipeline.deep_pixels import LEVELS_16


class BandWriter:
    """The merge's images for a (height, width) photo, filled band by band (`colors`) and
    handed over by `done` as (image, image16)."""

    def __init__(self, height: int, width: int, deep: bool):
        # The 8-bit RGB goes into the PIL image band by band: a whole (H, W, 3) array first,
        # then PIL's copy of it (4 bytes a pixel), was 324 + 432 MB at once on a 108 MP photo.
        self.image = Image.new("RGB", (width, height))
        self.rgb16 = np.empty((height, width, 3), dtype=np.uint16) if deep else None
        self._buffer = np.empty(0, dtype=np.float32)
        self._buffer16 = np.empty(0, dtype=np.uint16)

    def colors(self, band: slice, rgb: np.ndarray) -> None:
        """Rows `band` of the image (and image16) from float sRGB (3, rows, W) in [0, 1]."""
        # Planes, as the merge makes them: rounding the (rows, W, 3) view of them read the
        # floats across the planes (7 ms a 1 MP band); planes rounded one after another and
        # interleaved by PIL's merge take 3 ms, the same bytes.
        scaled = self._scratch(rgb.shape)
        np.multiply(rgb, np.float32(255.0), out=scaled)
        np.add(scaled, np.float32(0.5), out=scaled)
        planes = scaled.astype(np.uint8)
        rows = Image.merge("RGB", [Image.fromarray(plane) for plane in planes])
        self.image.paste(rows, (0, band.start))
        if self.rgb16 is not None:  # 65535 levels, rounded as the 8-bit image is
            np.multiply(rgb, np.float32(LEVELS_16), out=scaled)
            np.add(scaled, np.float32(0.5), out=scaled)
            # Each plane cast as astype(np.uint16) casts (truncated) into one contiguous
            # plane, then copied into its channel: casting straight into the interleaved rows
            # (a strided cast) took 3.9-5 ms a 1 MP band, the casts and copies 2 ms, the same
            # bytes. One plane of uint16 at a time: a sixth of the band's float RGB more.
            # (A cast in the add, out=plane, is buffered: 0.6 ms slower.)
            plane16 = self._scratch16(rgb.shape[1:])
            rows16 = self.rgb16[band]  # (rows, W, 3) view
            for channel in range(3):
                np.copyto(plane16, scaled[channel], casting="unsafe")
                rows16[..., channel] = plane16

    def done(self) -> tuple[Image.Image, np.ndarray | None]:
        """(image, image16), as `full_size.Merged` holds them."""
        self._buffer = np.empty(0, dtype=np.float32)
        self._buffer16 = np.empty(0, dtype=np.uint16)
        return self.image, self.rgb16

    def _scratch(self, shape: tuple[int, ...]) -> np.ndarray:
        """A float32 array of `shape` on the shared buffer (grown only for a bigger band)."""
        size = int(np.prod(shape))
        if self._buffer.size < size:
            self._buffer = np.empty(size, dtype=np.float32)
        return self._buffer[:size].reshape(shape)

    def _scratch16(self, shape: tuple[int, ...]) -> np.ndarray:
        """A uint16 array of `shape` on its shared buffer, as `_scratch`."""
        size = int(np.prod(shape))
        if self._buffer16.size < size:
            self._buffer16 = np.empty(size, dtype=np.uint16)
        return self._buffer16[:size].reshape(shape)
