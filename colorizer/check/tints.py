"""How many hues an image holds: one tint (a sepia or toned scan, a uniform color cast) or
several (a color photo or a colorization).

The check uses it to tell, from the pixels, what it was given: a gray "colorization" beside
an original of several hues is most likely the two images swapped (a sepia original, one
tint, is not); an "original" of several hues is a color photo, whose lightness only is read;
a colorization that is one strong tint throughout is a cast, not a colorization, and its
findings say more about the cast than about any one object.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from colorizer.check import thumbnails
from colorizer.check.knowledge import class_name
from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.imageio import LoadedImage

SIDE = 256  # read at most this many pixels a side: hues, not detail
CHROMATIC = 8.0  # a*b* chroma above which a pixel has a hue at all
OTHER_HUE = 45.0  # degrees from the dominant hue that make another hue
SEVERAL_HUES = 0.05  # share of the image in other hues that makes a color image
STRONG_CAST = 15.0  # median chroma of a one-tint image that is a strong cast
TONED = CHROMATIC  # median chroma of a one-tint image that is toned (sepia, most pixels hued)


@dataclass(frozen=True)
class Tint:
    hue_name: str  # the dominant hue, as findings name colors ("blue", "orange", ...)
    median_chroma: float  # over the whole image
    other_share: float  # share of the image's pixels in hues away from the dominant one

    @property
    def several_hues(self) -> bool:
        return self.other_share > SEVERAL_HUES

    @property
    def strong_cast(self) -> bool:
        return not self.several_hues and self.median_chroma > STRONG_CAST

    @property
    def toned(self) -> bool:
        """One tint over most of the image: a sepia or toned print (or a strong cast)."""
        return not self.several_hues and self.median_chroma > TONED


def tint_of(image: LoadedImage) -> Tint | None:
    """The image's hues; None for a gray image (no pixel has a hue)."""
    if not image.is_color or image.pixels.ndim != 3:
        return None
    # As PIL's thumbnail of the whole image, without its full-size copy (thumbnails.py).
    small = thumbnails.thumbnail(image.pixels, SIDE)
    rgb = torch.from_numpy(np.asarray(small, dtype=np.float64) / 255.0).permute(2, 0, 1)[None]
    lab = rgb_to_lab(rgb)[0].reshape(3, -1).numpy()
    chroma = np.hypot(lab[1], lab[2])
    hued = chroma > CHROMATIC
    if not hued.any():
        return None
    hue = np.degrees(np.arctan2(lab[2], lab[1])) % 360
    # The dominant hue: the mean direction of the hued pixels, weighted by chroma.
    angle = np.radians(hue[hued])
    dominant = np.degrees(np.arctan2((np.sin(angle) * chroma[hued]).sum(),
                                     (np.cos(angle) * chroma[hued]).sum())) % 360
    away = np.abs((hue - dominant + 180) % 360 - 180) > OTHER_HUE
    mean_lab = (50.0, float(np.cos(np.radians(dominant))), float(np.sin(np.radians(dominant))))
    return Tint(class_name(0, mean_lab), float(np.median(chroma)),
                float((hued & away).mean()))
