"""Cards whose print's edge is hard to see, as scanned: the two ways a mount used to be missed.

    scan = EDGE_MOUNTS["pale-sky-card"](photo, rng)   # -> MountScan(image, photo, mount)

    pale-sky-card    a cream cabinet card whose tone matches the print's pale sky: along the
                     top edge the sky runs into the card with little contrast (only a faint
                     line where the print's edge lies), the studio's imprint below
    pale-sky-gray    the same on a gray card, as a gray scan
    stain-on-edge    a toned card whose water stains (a darker tide line) and foxing spots lie
                     across the print's edge (a faint line), on card and print alike, the
                     imprint below

Both use eval/mount_worn_scans.py's card (grain, sheen, blotches) and its imprint; the masks
are as there: all but the print and a band along its outline is the mount.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

from eval.mount_scans import MountScan, _masks, _paste_askew, _toned
from eval.mount_worn_scans import _PRINT, _card, _imprint

_SKY_ROWS = 0.12  # of the print's height: the top band whose mean L* the card's tone matches
_EDGE_LINE = 2.5  # L*: how much darker the print's own cut edge is than what is round it


def _lightness(image: Image.Image) -> np.ndarray:
    from skimage.color import rgb2lab

    return rgb2lab(np.asarray(image.convert("RGB"), np.float64) / 255)[..., 0]


def _sky_level(photo: Image.Image) -> float:
    """L* of the print's top band as it will be pasted (the pale sky the card must match)."""
    left, top, right, bottom = _PRINT
    print_ = photo.convert("RGB").resize((right - left, bottom - top))
    return float(_lightness(print_)[: round(_SKY_ROWS * (bottom - top))].mean())


def _faint_edge(image: Image.Image, window: np.ndarray) -> Image.Image:
    """Darken the print's outline by _EDGE_LINE L* (a cut edge barely seen on the scan)."""
    from scipy.ndimage import binary_dilation
    from skimage.color import lab2rgb, rgb2lab

    outline = binary_dilation(window) & ~binary_dilation(~window)
    lab = rgb2lab(np.asarray(image.convert("RGB"), np.float64) / 255)
    lab[..., 0][outline] -= _EDGE_LINE
    return Image.fromarray((lab2rgb(lab) * 255).round().astype(np.uint8))


def _pale_sky(photo: Image.Image, rng: np.random.Generator, tone: tuple[float, float]
              ) -> tuple[Image.Image, np.ndarray]:
    card = _card(rng, stains=0)
    card += _sky_level(photo) - float(card[: _PRINT[1]].mean())  # the card's top as the sky
    image = _toned(card, *tone)
    window = _paste_askew(image, photo, _PRINT, angle=0.0)
    image = _faint_edge(image, window)
    _imprint(image)
    return image, window


def pale_sky_card(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    image, window = _pale_sky(photo, rng, (3.0, 14.0))
    return MountScan(image, *_masks(window))


def pale_sky_gray(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    image, window = _pale_sky(photo, rng, (0.0, 0.0))
    return MountScan(image.convert("L"), *_masks(window))


def _stains_across_edges(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """(H, W) L* to add: two water stains centred on the print's edge (a darker tide line)
    and foxing spots along its outline, on card and print alike."""
    height, width = shape
    left, top, right, bottom = _PRINT
    y, x = np.mgrid[0:height, 0:width]
    darker = np.zeros(shape)
    for cx, cy, r in ((right, top + 140, 55), (left + 160, bottom, 45)):
        d = np.hypot(x - cx, y - cy)
        darker += 5 * (d < r) + 8 * np.exp(-((d - r) / 3.0) ** 2)
    for _ in range(24):  # foxing: spots a few px across, lying on the print's outline
        side = rng.integers(4)
        along = rng.uniform(0, 1)
        cx = (left, right, left + along * (right - left), left + along * (right - left))[side]
        cy = (top + along * (bottom - top), top + along * (bottom - top), top, bottom)[side]
        cx, cy, r = cx + rng.uniform(-4, 4), cy + rng.uniform(-4, 4), rng.uniform(2, 6)
        darker += 16 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    return gaussian_filter(darker, 0.7)


def stain_on_edge(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    from skimage.color import lab2rgb, rgb2lab

    image = _toned(_card(rng, stains=0), 5.0, 18.0)
    window = _paste_askew(image, photo, _PRINT, angle=0.5)
    image = _faint_edge(image, window)
    _imprint(image)
    lab = rgb2lab(np.asarray(image, np.float64) / 255)
    stain = _stains_across_edges(lab.shape[:2], rng)
    lab[..., 0] -= stain
    lab[..., 2] += 0.8 * stain  # a stain browns what it lies on, the print's edge included
    with warnings.catch_warnings():  # the darkest browned pixels lie just outside sRGB:
        warnings.simplefilter("ignore", UserWarning)  # clipped, as a scanner clips them
        image = Image.fromarray((lab2rgb(lab) * 255).round().astype(np.uint8))
    return MountScan(image, *_masks(window))


EDGE_MOUNTS: dict[str, Callable[[Image.Image, np.random.Generator], MountScan]] = {
    "pale-sky-card": pale_sky_card,
    "pale-sky-gray": pale_sky_gray,
    "stain-on-edge": stain_on_edge,
}
