"""A photo's L* at full size, held only while a step needs all of it.

Steps 1 and 4-7 read the whole L* (1, 1, H, W) float32 to resize it or read a pixel (steps
2-3, context and retrieval, read the 8-bit gray, and the L* is let go meanwhile:
`colorization.prepare`, context_gray.py); the merge at full size reads it a band of rows at
a time. Held by the prepared photo through the merge, it
was 432 MB of a 108 MP photo's peak (the merge's RGB and uncertainty map are made then). The
prepared photo holds it until `release`; the merge then reads each band from the photo's
compact pixels (`rows`), which is the same L* to the bit (luminance.lightness_rows), and
`tensor` after a release computes it again (an edit's or a caller's later look).
"""

from __future__ import annotations

import weakref

import torch

from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.luminance import lightness_of, lightness_rows


class FullLightness:
    """The L* of `loaded`: `tensor` (all of it), `rows` (a band), `release` (let it go)."""

    def __init__(self, loaded: LoadedImage, tensor: torch.Tensor | None = None):
        self.loaded = loaded
        self._held = tensor
        # After a release, a tensor someone else still holds is used rather than remade.
        self._seen = weakref.ref(tensor) if tensor is not None else None

    @property
    def shape(self) -> torch.Size:
        height, width = self.loaded.pixels.shape[:2]
        return torch.Size((1, 1, height, width))

    @property
    def tensor(self) -> torch.Tensor:
        """(1, 1, H, W) float32: held, still alive elsewhere, or computed again."""
        live = self._held if self._held is not None else self._alive()
        if live is None:
            live = lightness_of(self.loaded)
            self._seen = weakref.ref(live)
        return live

    def release(self) -> None:
        """Stop holding the whole L*: the memory goes once no step holds it either."""
        self._held = None

    def rows(self, band: slice) -> torch.Tensor:
        """(1, 1, rows, W) float32: L* of rows `band`, a band of luminance.row_bands."""
        live = self._held if self._held is not None else self._alive()
        if live is not None:
            return live[..., band, :]
        return lightness_rows(self.loaded.pixels, band)

    def _alive(self) -> torch.Tensor | None:
        return self._seen() if self._seen is not None else None
