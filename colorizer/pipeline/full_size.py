"""The last step at the input's full size: chroma upsampled onto the exact L*, in bands of rows.

Everything before it works at a few hundred to 1024 px; only this step touches every pixel.
Done at once for a 49 MP photo (7000 x 7000, under the default cap) it held float32 a*b*, three
RGB copies and the gamut search at full size, several GB. Here bilinear upsampling is split in
two: along the width, then along the height, one band of `BAND_PIXELS` rows at a time, each
band converted to 8-bit RGB before the next. Only the few small rows a band reads are widened
for it (`band_of`): the whole small a*b* widened at once was (2, h, W) float32, 74 MB on a
108 MP photo (h 768, W 12000), held through the merge. The result is the same bilinear
upsampling as `F.interpolate(..., align_corners=False)`, to float rounding, and the same
floats as widening all rows first (tests/test_merge_bands.py).
An input with more than 8 bits (`deep`, deep_pixels.py) also gets its pixels at 16 bits a
channel, rounded from the same float RGB. A photo's L* is read a band at a time too
(`merge_photo`: full_lightness.py), so the whole of it is not held while the merge makes its
output (432 MB of float32 on a 108 MP photo).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import lab_to_rgb_keep_luminance
from colorizer.pipeline.deep_pixels import more_than_8_bits
from colorizer.pipeline.full_lightness import FullLightness
from colorizer.pipeline.luminance import row_bands
from colorizer.pipeline.merge_bands import BandWriter


def widen(small: torch.Tensor, width: int) -> torch.Tensor:
    """(1, C, h, w) -> (1, C, h, width): the first, cheap half of the bilinear upsampling."""
    return F.interpolate(small.float(), size=(small.shape[-2], width), mode="bilinear",
                         align_corners=False)


def source_rows(h: int, height: int, band: slice) -> tuple[torch.Tensor, torch.Tensor,
                                                             torch.Tensor]:
    """For rows `band` of `height` upsampled from `h` rows: the source rows above and below
    each, and the weight of the one below. As F.interpolate takes them:
    (row + 0.5) * h / height - 0.5, clamped at 0."""
    scale = torch.tensor(h / height, dtype=torch.float32)
    rows = torch.arange(band.start, band.stop, dtype=torch.float32)
    src = ((rows + 0.5) * scale - 0.5).clamp(min=0)
    top = src.long()
    bottom = (top + 1).clamp(max=h - 1)
    return top, bottom, (src - top).view(1, 1, -1, 1)


def rows_of(wide: torch.Tensor, height: int, band: slice) -> torch.Tensor:
    """Rows `band` of `wide` (1, C, h, W) upsampled to `height` rows: (1, C, len(band), W)."""
    top, bottom, weight = source_rows(wide.shape[-2], height, band)
    return wide[:, :, top] * (1 - weight) + wide[:, :, bottom] * weight


def band_of(small: torch.Tensor, height: int, width: int, band: slice) -> torch.Tensor:
    """Rows `band` of `small` (1, C, h, w) upsampled to (height, width): (1, C, len(band), W),
    the floats of `rows_of(widen(small, width), height, band)`, widening only the source rows
    the band reads. Each output value of `widen` comes from its own source row alone (the
    height is kept, so the row below has weight 0), hence a slice of rows widens alike."""
    top, bottom, weight = source_rows(small.shape[-2], height, band)
    first, last = int(top[0]), int(bottom[-1]) + 1  # rows grow with the band: an interval
    wide = widen(small[:, :, first:last], width)
    return wide[:, :, top - first] * (1 - weight) + wide[:, :, bottom - first] * weight


class Merged(NamedTuple):
    """The photo at full size: 8-bit RGB, its maps, and 16-bit RGB for a deep input."""

    image: Image.Image  # RGB, L* of the input kept
    uncertainty: np.ndarray  # (H, W) float32 in [0, 1]
    region: np.ndarray  # (H, W) float32 in [0, 1]: where context changed the colors
    image16: np.ndarray | None = None  # (H, W, 3) uint16 sRGB, for an input of more than 8 bits


def merge_photo(lightness: FullLightness, ab: torch.Tensor, uncertainty: torch.Tensor,
                region: torch.Tensor) -> Merged:
    """`merge_full_size` of a prepared photo's L*, let go first: each band is read from the
    photo's pixels unless a step still holds the whole L*."""
    lightness.release()
    return merge_full_size(lightness, ab, uncertainty, region,
                           deep=more_than_8_bits(lightness.loaded))


def merge_full_size(lightness: torch.Tensor | FullLightness, ab: torch.Tensor,
                    uncertainty: torch.Tensor, region: torch.Tensor, deep: bool = False
                    ) -> Merged:
    """L* (1, 1, H, W) with small a*b* (1, 2, h, w), uncertainty and context region (1, 1, ., .)
    -> the photo at full size (`Merged`); L* kept exactly. `deep`: the input had more than 8
    bits, so its pixels are rounded to 16 bits a channel too."""
    height, width = lightness.shape[-2:]
    rows_of_lightness = (lightness.rows if isinstance(lightness, FullLightness)
                         else lambda band: lightness[..., band, :])
    ab, uncertainty, region = (t.cpu() for t in (ab, uncertainty, region))
    # Where context changed no color (no exemplar found in the photo: most photos) the region
    # is zero everywhere, and its map is left untouched (merge_bands.BandWriter).
    writer = BandWriter(height, width, deep=deep, region=bool(region.ne(0).any()))
    for band in row_bands(height, width):
        out = lab_to_rgb_keep_luminance(rows_of_lightness(band),
                                        band_of(ab, height, width, band))
        writer.colors(band, out[0].permute(1, 2, 0).numpy())
        del out  # the band's float RGB: gone before its maps are made
        writer.maps(band, band_of(uncertainty, height, width, band)[0, 0].numpy(),
                    band_of(region, height, width, band)[0, 0].numpy() if writer.region_used
                    else None)
    return Merged(*writer.done())
