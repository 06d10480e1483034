"""Prints on cards, as scanned, for the mount tests (colorizer/pipeline/mount.py): a gray scene
pasted in a window (a rectangle or an oval) of a flat card, and the window's mask."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw

from colorizer.model.colorspace import rgb_to_lab

CARD_TONE = (4.0, 16.0)  # a*, b* of a sepia card
WINDOW = (60, 50, 420, 330)  # (left, top, right, bottom) of the print on a 480 x 400 card


def textured_scene(height: int, width: int, seed: int = 0) -> np.ndarray:
    """(H, W) uint8: a gray scene with detail at every scale (blurred noise and blocks)."""
    rng = np.random.default_rng(seed)
    small = rng.random((height // 8, width // 8))
    scene = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize((width, height),
                                                                             Image.BICUBIC))
    return np.clip(scene * 0.7 + rng.random((height, width)) * 60, 0, 255).astype(np.uint8)


def lab_rgb(lightness: np.ndarray, a: float, b: float) -> np.ndarray:
    from skimage.color import lab2rgb

    lab = np.stack([lightness, np.full_like(lightness, a), np.full_like(lightness, b)], -1)
    return (lab2rgb(lab) * 255).round().astype(np.uint8)


def printed_card(tone: tuple[float, float] = (0.0, 0.0), oval: bool = False
          ) -> tuple[Image.Image, np.ndarray]:
    """A print of `_scene` on a card of L* ~75 with a little grain, toned by `tone`; and the
    print's window (bool, H, W)."""
    rng = np.random.default_rng(1)
    card = Image.fromarray(lab_rgb(75 + rng.normal(0, 0.4, (400, 480)), *tone))
    left, top, right, bottom = WINDOW
    window = Image.new("L", card.size, 0)
    shape = ImageDraw.Draw(window).ellipse if oval else ImageDraw.Draw(window).rectangle
    shape(WINDOW, fill=255)
    print_ = Image.new("L", card.size, 0)
    print_.paste(Image.fromarray(textured_scene(bottom - top, right - left)), (left, top))
    card.paste(print_.convert("RGB"), (0, 0), window)
    return card, np.asarray(window) > 127


def masks(window: np.ndarray, band: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """(photo, mount): the window and the card, `band` px either side of its outline left
    out."""
    from scipy.ndimage import binary_dilation

    return ~binary_dilation(~window, iterations=band), ~binary_dilation(window, iterations=band)


def ab_of(image: Image.Image) -> np.ndarray:
    rgb = torch.from_numpy(np.asarray(image.convert("RGB")) / 255.0).permute(2, 0, 1)[None]
    return rgb_to_lab(rgb)[0, 1:].numpy()
