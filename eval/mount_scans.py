"""Scans of photos on mounts, made from a photo as such objects look when scanned.

    scan = MOUNTS["cabinet-card"](photo, rng)   # -> MountScan(image, photo, mount)

Each builder places a gray photo on a surround and says which pixels are the photo and which
the surround, with a band between them (the print's edge, a mat's bevel) in neither:

    cabinet-card   a toned (sepia) card with paper grain and a darker stain, the print pasted
                   slightly askew with a gap of card all round, the studio's imprint below
    oval-mat       a daguerreotype's brass mat (a lit gradient, grain): an oval window
    arched-mat     a gray mat with an arched window, as cased images and albums have
    scanner-bed    a print lying tilted on a white scanner bed, its shadow along two edges
    white-border   a print's own white border, as a gray scan
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy.ndimage import binary_dilation, gaussian_filter
from skimage.color import lab2rgb

_EDGE_BAND = 6  # px: the band either side of the photo's outline counted as neither


@dataclass(frozen=True)
class MountScan:
    """A scan (RGB or L) and its bool (H, W) masks: the photo, and the surround."""

    image: Image.Image
    photo: np.ndarray
    mount: np.ndarray


def _surface(size: tuple[int, int], level: float, rng: np.random.Generator,
             grain: float, sheen: float) -> np.ndarray:
    """(H, W) L* of a card or metal surface: a level, a lit gradient, grain."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width] / max(width, height)
    light = sheen * (x + 0.6 * y - 0.8)  # light from one side, as a scanner's lamp or a window
    blotch = gaussian_filter(rng.normal(0, 1, (height, width)), 25) * 40 * grain
    return level + light + blotch + rng.normal(0, grain, (height, width))


def _toned(lightness: np.ndarray, a: float, b: float) -> Image.Image:
    lab = np.stack([np.clip(lightness, 0, 100), np.full_like(lightness, a),
                    np.full_like(lightness, b)], -1)
    return Image.fromarray((lab2rgb(lab) * 255).round().astype(np.uint8))


def _gray(lightness: np.ndarray) -> Image.Image:
    return _toned(lightness, 0.0, 0.0).convert("L")


def _masks(window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(photo, mount) from the window's bool mask, a band along its outline left out."""
    grown = binary_dilation(window, iterations=_EDGE_BAND)
    shrunk = ~binary_dilation(~window, iterations=_EDGE_BAND)
    return shrunk, ~grown


def _paste_askew(card: Image.Image, photo: Image.Image, box: tuple[int, int, int, int],
                 angle: float) -> np.ndarray:
    """Paste `photo` resized into `box` (left, top, right, bottom) turned by `angle` degrees;
    the window it covers (bool, H, W)."""
    left, top, right, bottom = box
    print_ = photo.convert("RGB").resize((right - left, bottom - top))
    turned = print_.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    cover = Image.new("L", print_.size, 255).rotate(angle, expand=True)
    at = (left - (turned.width - print_.width) // 2, top - (turned.height - print_.height) // 2)
    card.paste(turned, at, cover)
    window = Image.new("L", card.size, 0)
    window.paste(cover, at)
    return np.asarray(window) > 127


def cabinet_card(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    width, height = 600, 860
    card = _surface((width, height), 74.0, rng, grain=1.2, sheen=6.0)
    card -= 8 * np.exp(-(((np.arange(width) - 480) / 60.0) ** 2))[None] * np.exp(
        -(((np.arange(height) - 90) / 50.0) ** 2))[:, None]  # a stain in a corner
    image = _toned(card, 4.0, 16.0)
    window = _paste_askew(image, photo, (55, 50, 545, 700), angle=0.7)
    ImageDraw.Draw(image).text((200, 760), "J. WEBSTER  PHOTO.  PORTLAND", fill=(96, 78, 60))
    return MountScan(image, *_masks(window))


def _mat(photo: Image.Image, window_shape: Image.Image, level: float, tone: tuple[float, float],
         rng: np.random.Generator) -> MountScan:
    width, height = window_shape.size
    surface = _surface((width, height), level, rng, grain=0.8, sheen=14.0)
    window = np.asarray(window_shape) > 127
    # The bevel: a bright lip along the window, as the mat's cut edge catches the light.
    lip = binary_dilation(window, iterations=5) & ~window
    surface[lip] += 18
    image = _toned(surface, *tone) if any(tone) else _gray(surface).convert("RGB")
    image.paste(photo.convert("RGB").resize((width, height)), (0, 0), window_shape)
    return MountScan(image if any(tone) else image.convert("L"), *_masks(window))


def oval_mat(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    shape = Image.new("L", (560, 720), 0)
    ImageDraw.Draw(shape).ellipse((60, 60, 500, 660), fill=255)
    return _mat(photo, shape, 58.0, (3.0, 22.0), rng)


def arched_mat(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    shape = Image.new("L", (600, 760), 0)
    draw = ImageDraw.Draw(shape)
    draw.rectangle((70, 250, 530, 690), fill=255)
    draw.ellipse((70, 70, 530, 430), fill=255)
    return _mat(photo, shape, 62.0, (0.0, 0.0), rng)


def scanner_bed(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    width, height = 900, 700
    bed = Image.fromarray(np.full((height, width), 0, np.uint8))
    shadow = Image.new("L", (width, height), 0)
    ImageDraw.Draw(shadow).rectangle((142, 108, 772, 598), fill=255)
    shadow = np.asarray(shadow.filter(ImageFilter.GaussianBlur(6)), np.float64) / 255
    level = _surface((width, height), 96.0, rng, grain=0.5, sheen=1.5) - 14 * shadow
    bed = _gray(level).convert("RGB")
    window = _paste_askew(bed, photo, (130, 95, 760, 585), angle=-1.6)
    return MountScan(bed.convert("L"), *_masks(window))


def white_border(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    width, height = 700, 560
    paper = _gray(_surface((width, height), 93.0, rng, grain=0.6, sheen=2.0)).convert("RGB")
    window = _paste_askew(paper, photo, (38, 34, 662, 526), angle=0.0)
    return MountScan(paper.convert("L"), *_masks(window))


MOUNTS: dict[str, Callable[[Image.Image, np.random.Generator], MountScan]] = {
    "cabinet-card": cabinet_card,
    "oval-mat": oval_mat,
    "arched-mat": arched_mat,
    "scanner-bed": scanner_bed,
    "white-border": white_border,
}
