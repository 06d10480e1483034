"""The last step at the input's full size: chroma upsampled onto the exact L*, in bands of rows.

Everything before it works at a few hundred to 1024 px; only this step touches every pixel.
Done at once for a 49 MP photo (7000 x 7000, under the default cap) it held float32 a*b*, three
RGB copies and the gamut search at full size, several GB. Here bilinear upsampling is split in
two: along the width for the whole (small) height first, then along the height one band of
`BAND_PIXELS` rows at a time, each band converted to 8-bit RGB before the next. The result is
the same bilinear upsampling as `F.interpolate(..., align_corners=False)`, to float rounding.
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
from colorizer.pipeline.deep_pixels import more_than_8_bits, rgb16_of
from colorizer.pipeline.full_lightness import FullLightness
from colorizer.pipeline.luminance import row_bands


def widen(small: torch.Tensor, width: int) -> torch.Tensor:
    """(1, C, h, w) -> (1, C, h, width): the first, cheap half of the bilinear upsampling."""
    return F.interpolate(small.float(), size=(small.shape[-2], width), mode="bilinear",
                         align_corners=False)


def rows_of(wide: torch.Tensor, height: int, band: slice) -> torch.Tensor:
    """Rows `band` of `wide` (1, C, h, W) upsampled to `height` rows: (1, C, len(band), W).
    Source rows as F.interpolate takes them: (row + 0.5) * h / height - 0.5, clamped at 0."""
    h = wide.shape[-2]
    scale = torch.tensor(h / height, dtype=torch.float32)
    rows = torch.arange(band.start, band.stop, dtype=torch.float32)
    src = ((rows + 0.5) * scale - 0.5).clamp(min=0)
    top = src.long()
    bottom = (top + 1).clamp(max=h - 1)
    weight = (src - top).view(1, 1, -1, 1)
    return wide[:, :, top] * (1 - weight) + wide[:, :, bottom] * weight


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
    ab_wide, unc_wide, region_wide = (widen(t.cpu(), width) for t in (ab, uncertainty, region))
    # The 8-bit RGB goes into the PIL image band by band: a whole (H, W, 3) array first, then
    # PIL's copy of it (4 bytes a pixel), was 324 + 432 MB at once on a 108 MP photo.
    image = Image.new("RGB", (width, height))
    rgb16 = np.empty((height, width, 3), dtype=np.uint16) if deep else None
    unc = np.empty((height, width), dtype=np.float32)
    # Where context changed no color (no exemplar found in the photo: most photos) the region
    # is zero everywhere: np.zeros takes pages the system fills with zeros only when touched,
    # so the map costs no memory (it was 432 MB written with zeros on a 108 MP photo).
    anywhere = bool(region.ne(0).any())
    reg = np.empty((height, width), dtype=np.float32) if anywhere else np.zeros(
        (height, width), dtype=np.float32)
    for band in row_bands(height, width):
        out = lab_to_rgb_keep_luminance(rows_of_lightness(band), rows_of(ab_wide, height, band))
        rgb = (out[0].permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
        image.paste(Image.fromarray(rgb, "RGB"), (0, band.start))
        if rgb16 is not None:
            rgb16[band] = rgb16_of(out[0].permute(1, 2, 0).numpy())
        unc[band] = rows_of(unc_wide, height, band)[0, 0].numpy().clip(0, 1)
        if anywhere:
            reg[band] = rows_of(region_wide, height, band)[0, 0].numpy().clip(0, 1)
    return Merged(image, unc, reg, rgb16)
