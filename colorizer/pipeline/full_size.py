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
output (432 MB of float32 on a 108 MP photo). The maps are not made here at all: the result
keeps them small and makes their values when read (upsampled_map.py), 432 MB of float32 each.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from PIL import Image

from colorizer.model.colorspace import lab_to_rgb_keep_luminance
from colorizer.model.scratch import ScratchTensors
from colorizer.pipeline.band_upsample import band_of
from colorizer.pipeline.deep_pixels import more_than_8_bits
from colorizer.pipeline.full_lightness import FullLightness
from colorizer.pipeline.luminance import row_bands
from colorizer.pipeline.merge_bands import BandWriter
from colorizer.pipeline.upsampled_map import UpsampledMap


class Merged(NamedTuple):
    """The photo at full size: 8-bit RGB, its maps (made when read), and 16-bit RGB for a
    deep input."""

    image: Image.Image  # RGB, L* of the input kept
    uncertainty: UpsampledMap  # (H, W) float32 in [0, 1], `np.asarray` makes it whole
    region: UpsampledMap  # (H, W) float32 in [0, 1]: where context changed the colors
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
    bits, so its pixels are rounded to 16 bits a channel too. The maps stay small
    (`UpsampledMap`): their full-size values are the same floats, made when read."""
    height, width = lightness.shape[-2:]
    rows_of_lightness = (lightness.rows if isinstance(lightness, FullLightness)
                         else lambda band: lightness[..., band, :])
    ab, uncertainty, region = (t.cpu() for t in (ab, uncertainty, region))
    writer = BandWriter(height, width, deep=deep)
    temps = ScratchTensors()  # each band's temporaries (and float RGB) over the last one's
    for band in row_bands(height, width):
        out = lab_to_rgb_keep_luminance(rows_of_lightness(band),
                                        band_of(ab, height, width, band), temps=temps)
        writer.colors(band, out[0].numpy())  # (3, rows, W): the planes as made
        del out  # the band's float RGB, in `temps`: written over by the next band
    image, image16 = writer.done()
    return Merged(image, UpsampledMap(uncertainty, height, width),
                  UpsampledMap(region, height, width), image16)
