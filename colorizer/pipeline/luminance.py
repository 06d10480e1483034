"""The photo's luminance at the sizes the pipeline works at; the one place L* is resized, and
the merge of predicted chroma onto the full-resolution L*, which keeps it exactly."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import (
    gray_rgb_from_lightness,
    lab_to_rgb_keep_luminance,
    luminance_of_rgb,
)
from colorizer.pipeline.chroma import ChromaConfig, chroma_at
from colorizer.pipeline.imageio import LoadedImage


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
    rgb = torch.from_numpy(np.ascontiguousarray(loaded.rgb)).permute(2, 0, 1)[None]
    return luminance_of_rgb(rgb.to(torch.float64)).to(torch.float32)


def gray_image(lightness: torch.Tensor) -> Image.Image:
    """The luminance as an 8-bit gray sRGB PIL image (what context inference looks at)."""
    g = gray_rgb_from_lightness(lightness)[0, 0].numpy()
    return Image.fromarray((g * 255 + 0.5).astype(np.uint8), "L")


def merge_chroma(lightness: torch.Tensor, ab: torch.Tensor, uncertainty: torch.Tensor,
                 context_weight: torch.Tensor, chroma: ChromaConfig
                 ) -> tuple[Image.Image, np.ndarray, np.ndarray]:
    """(RGB image, uncertainty (H, W), context region (H, W)) at the input's full size from
    a*b* (1, 2, h, w) and maps (1, 1, h, w) at the working resolution: chroma follows the
    photo's edges, L* is kept exactly."""
    height, width = lightness.shape[-2:]
    ab_full = chroma_at(ab.float().cpu(), lightness, chroma)
    unc_full = F.interpolate(uncertainty.float().cpu(), size=(height, width),
                             mode="bilinear", align_corners=False)
    region_full = F.interpolate(context_weight.float().cpu(), size=(height, width),
                                mode="bilinear", align_corners=False)
    out_rgb = lab_to_rgb_keep_luminance(lightness, ab_full)
    pixels = (out_rgb[0].permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
    return (Image.fromarray(pixels, "RGB"),
            unc_full[0, 0].numpy().clip(0, 1).astype(np.float32),
            region_full[0, 0].numpy().clip(0, 1).astype(np.float32))
