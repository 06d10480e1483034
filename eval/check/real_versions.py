"""The versions of a real color photo that `python -m eval.check.real` checks.

    true     the photo itself: true colors, so any finding is a false alarm
    ours     our colorization of its L* with the right hint (made by eval.check.real)
    red-blue its saturated red regions (a Soviet flag, banner, star) recolored blue, L* kept:
             made only where such red covers at least RED_MIN_SHARE of the photo
    hue120   every a*b* turned by 120 degrees around the neutral axis, L* kept (chroma
             reduced where the turned color is out of gamut)
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from scipy import ndimage

from colorizer.model.colorspace import lab_to_rgb_keep_luminance, rgb_to_lab

# A Soviet red (flag, banner, star, pioneer neckerchief) in CIELAB: saturated, hue between
# magenta-red and orange-red. The flag's documented red (#CC0000) has hue ~40 deg, C* ~100;
# a faded slide's red keeps its hue with less chroma.
RED_HUE = (-15.0, 50.0)  # degrees
RED_MIN_CHROMA = 30.0
RED_MIN_SHARE = 0.003  # a red region smaller than this is a speck, not a flag
BLUE_AB = (12.0, -42.0)  # the blue of eval.check.cases' "blue" wrong flags


def lab_of(image: Image.Image) -> np.ndarray:
    """(H, W, 3) float64 CIELAB of an RGB image."""
    rgb = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0)
    return rgb_to_lab(rgb.permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()


def image_of(lab: np.ndarray) -> Image.Image:
    """The RGB image of (H, W, 3) CIELAB, its L* kept exactly (chroma gives way)."""
    t = torch.from_numpy(np.ascontiguousarray(lab)).permute(2, 0, 1)[None]
    rgb = lab_to_rgb_keep_luminance(t[:, :1], t[:, 1:])[0].permute(1, 2, 0).numpy()
    return Image.fromarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")


def red_mask(lab: np.ndarray) -> np.ndarray:
    """(H, W) bool: the saturated red pixels, small specks removed, holes (a hammer and
    sickle, lettering) filled."""
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1]))
    red = (chroma >= RED_MIN_CHROMA) & (hue >= RED_HUE[0]) & (hue <= RED_HUE[1])
    red = ndimage.binary_opening(red, iterations=1)
    return ndimage.binary_fill_holes(ndimage.binary_closing(red, iterations=2)) & (
        chroma >= RED_MIN_CHROMA / 2)


def red_to_blue(image: Image.Image) -> tuple[Image.Image, np.ndarray] | None:
    """The photo with its red regions blue (their L* kept) and the mask; None where red
    covers less than RED_MIN_SHARE."""
    lab = lab_of(image)
    mask = red_mask(lab)
    if mask.mean() < RED_MIN_SHARE:
        return None
    out = lab.copy()
    out[mask, 1], out[mask, 2] = BLUE_AB
    return image_of(out), mask


def hue_rotated(image: Image.Image, degrees: float = 120.0) -> Image.Image:
    """The photo with every a*b* turned by `degrees`, L* and (in gamut) C* kept."""
    lab = lab_of(image)
    t = np.radians(degrees)
    a, b = lab[..., 1].copy(), lab[..., 2].copy()
    lab[..., 1] = a * np.cos(t) - b * np.sin(t)
    lab[..., 2] = a * np.sin(t) + b * np.cos(t)
    return image_of(lab)
