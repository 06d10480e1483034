"""Small copies of a large 8-bit photo, made a band of rows at a time.

The check reads a colorization's colors at the model's render size (a few hundred pixels a
side) and its hues from a 256-pixel thumbnail. Both were made from `Image.fromarray` of the
whole photo: PIL keeps an RGB pixel in 4 bytes, so a 108 MP colorization took a 432 MB copy
on top of its 324 MB of pixels (and a 16-bit gray one a 3-channel 8-bit copy before that).
Here the photo is first reduced by whole factors (PIL's `Image.reduce`, a box average) band
by band, each band a multiple of the factor tall, so the bands give exactly the rows the
whole image would; the small remainder is resized as PIL's `reducing_gap` does. The result
equals PIL's own on the whole image, with no full-size copy.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from colorizer.pipeline.image_pixels import unit_pixels

BAND_PIXELS = 1 << 21  # source pixels a band holds (about 8 MB as a PIL RGB image)


def as_uint8(pixels: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 of loaded pixels (uint8 gray or RGB, 16-bit gray's uint16, or float
    in [0, 1]), as the check reads them; made for a band at a time by the callers here."""
    if pixels.dtype != np.uint8:  # rounded before the channels are repeated: a third of the work
        pixels = (np.clip(unit_pixels(pixels), 0, 1) * 255 + 0.5).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=2)
    return pixels


def reduced(pixels: np.ndarray, factor: tuple[int, int]) -> Image.Image:
    """`Image.fromarray(as_uint8(pixels)).reduce(factor)`, without the full-size image."""
    h, w = pixels.shape[:2]
    fx, fy = factor
    if fx == fy == 1:
        return Image.fromarray(as_uint8(pixels))
    out = Image.new("RGB", (math.ceil(w / fx), math.ceil(h / fy)))
    rows = max(1, BAND_PIXELS // max(1, w * fy)) * fy  # whole blocks of `fy` rows
    for top in range(0, h, rows):
        band = Image.fromarray(as_uint8(pixels[top: top + rows]))
        out.paste(band.reduce(factor), (0, top // fy))
    return out


def resized(pixels: np.ndarray, size: tuple[int, int], resample: Image.Resampling,
            reducing_gap: float) -> Image.Image:
    """`Image.fromarray(as_uint8(pixels)).resize(size, resample, reducing_gap=reducing_gap)`
    (PIL: reduce by whole factors leaving at least `reducing_gap` times to the filter),
    without the full-size image."""
    h, w = pixels.shape[:2]
    fx = int(w / size[0] / reducing_gap) or 1
    fy = int(h / size[1] / reducing_gap) or 1
    small = reduced(pixels, (fx, fy))
    if small.size == size and fx == fy == 1:
        return small
    return small.resize(size, resample, box=(0, 0, w / fx, h / fy))


def thumbnail(pixels: np.ndarray, side: int) -> Image.Image:
    """The image `Image.thumbnail((side, side))` makes of `Image.fromarray(as_uint8(pixels))`
    (bicubic, reducing gap 2), without the full-size image."""
    h, w = pixels.shape[:2]
    size = thumbnail_size(w, h, side)
    if size is None:
        return Image.fromarray(as_uint8(pixels))
    return resized(pixels, size, Image.BICUBIC, 2.0)


def thumbnail_size(width: int, height: int, side: int) -> tuple[int, int] | None:
    """The size `Image.thumbnail((side, side))` gives (its own rule); None: unchanged."""
    if side >= width and side >= height:
        return None
    x, y = side, side
    aspect = width / height

    def round_aspect(number: float, key) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    if x / y >= aspect:
        x = round_aspect(y * aspect, key=lambda n: abs(aspect - n / y))
    else:
        y = round_aspect(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n))
    return (x, y) if (x, y) != (width, height) else None
