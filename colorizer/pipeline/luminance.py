"""The photo's luminance at the sizes the pipeline works at; the one place L* is resized.

Full-size work is done a band of rows at a time (`BAND_PIXELS` pixels): L* of a 49 MP photo
computed at once in float64 peaked at 5.8 GB; in bands the float64 copies stay ~50 MB."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import gray_rgb_from_lightness, luminance_of_rgb
from colorizer.pipeline.image_pixels import float_rgb
from colorizer.pipeline.imageio import LoadedImage

BAND_PIXELS = 1 << 20  # pixels per band of full-size work


def row_bands(height: int, width: int) -> list[slice]:
    """Slices of rows of about BAND_PIXELS pixels each, covering 0..height."""
    rows = max(1, BAND_PIXELS // max(1, width))
    return [slice(top, min(height, top + rows)) for top in range(0, height, rows)]


def render_shape(width: int, height: int, long_side: int) -> tuple[int, int]:
    """(w, h) with the given long side, aspect kept (never squashed to a square)."""
    scale = long_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def lightness_at(lightness: torch.Tensor, long_side: int) -> torch.Tensor:
    """(B, 1, H, W) L* resized (antialiased) to the given long side, aspect kept."""
    width, height = render_shape(lightness.shape[-1], lightness.shape[-2], long_side)
    return F.interpolate(lightness, size=(height, width), mode="bilinear", antialias=True,
                         align_corners=False)


def lightness_of(loaded: LoadedImage) -> torch.Tensor:
    """L* (1, 1, H, W) float32 of a loaded image (color input reduced to its luminance)."""
    height, width = loaded.pixels.shape[:2]
    out = torch.empty((1, 1, height, width), dtype=torch.float32)
    for band in row_bands(height, width):
        rgb = torch.from_numpy(float_rgb(loaded.pixels[band])).permute(2, 0, 1)[None]
        out[..., band, :] = luminance_of_rgb(rgb.to(torch.float64)).to(torch.float32)
    return out


def gray_image(lightness: torch.Tensor) -> Image.Image:
    """The luminance as an 8-bit gray sRGB PIL image (what context inference looks at)."""
    height, width = lightness.shape[-2:]
    out = np.empty((height, width), dtype=np.uint8)
    for band in row_bands(height, width):
        g = gray_rgb_from_lightness(lightness[..., band, :])[0, 0].numpy()
        out[band] = (g * 255 + 0.5).astype(np.uint8)
    return Image.fromarray(out, "L")
