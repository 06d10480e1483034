"""Pictures for the album-page tests: a small page (the per-item switch's service and
workbench tests) and color photos with detail for the synthetic pages (the eval's tests)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data as skdata

PAPER = 22  # near-black album paper (8-bit gray)


def album_page_png() -> bytes:
    """Two turned prints with white borders on dark paper (album_page.find_prints finds
    both, at about (19, 20, 157, 128) and (179, 20, 315, 126))."""
    page = Image.new("L", (320, 150), PAPER)
    for index, (photo, angle) in enumerate(((skdata.astronaut(), -3.0),
                                            (skdata.coffee(), 2.0))):
        framed = Image.new("L", (130, 100), 245)
        framed.paste(Image.fromarray(photo).convert("L").resize((118, 88)), (6, 6))
        page.paste(framed.rotate(angle, Image.BICUBIC, expand=True, fillcolor=PAPER),
                   (20 + index * 160, 20))
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()


def gradient_photo(path: Path, seed: int) -> None:
    """A color photo with detail: a hue gradient, blocks of color, grain (160 x 120)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:120, 0:160] / 160.0
    rgb = np.stack([0.3 + 0.5 * x, 0.2 + 0.6 * y, 0.7 - 0.4 * x], -1)
    for _ in range(6):
        top, left = rng.integers(0, 90), rng.integers(0, 130)
        rgb[top:top + 30, left:left + 30] = rng.uniform(0, 1, 3)
    rgb = np.clip(rgb + rng.normal(0, 0.03, rgb.shape), 0, 1)
    Image.fromarray((rgb * 255).astype(np.uint8)).save(path)
