"""Conditioning tokens: what the context and the exemplars tell the generator.

Cross-attention reads a set of tokens. Three kinds go in, in this order:

    era       one token: Fourier features of the inferred start/end years
    text      one token: the context's sentence embedding (MiniLM, 384-d)
    exemplar  one token per stride-16 cell of each exemplar image (8 x 8 at 128 px)

An exemplar token is two halves side by side: the *key half* projects the encoder's features
of the exemplar's luminance (what the cell looks like in gray, the same features the photo
itself is encoded with), the *value half* embeds the cell's a*b* (what color it is). The
attention's key projection can read the first half and its value projection the second, so a
photo region that looks like an exemplar region copies that region's color. Absent parts are
masked, and masked tokens have exactly no effect (see layers.CrossAttention).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from colorizer.model.colorspace import gray_rgb_from_lightness, rgb_to_lab

EXEMPLAR_STRIDE = 16  # exemplar tokens come from the encoder's stride-16 feature map
ERA_ORIGIN, ERA_SCALE = 1900.0, 100.0  # years -> (year - 1900) / 100 before Fourier features
ERA_FREQUENCIES = (1.0, 2.0, 4.0, 8.0)
AB_FREQUENCIES = (1.0, 2.0, 4.0)
AB_SCALE = 100.0


@dataclass(frozen=True)
class Conditioning:
    """A batch of conditioning inputs; every part optional, absent rows masked.

    exemplars: (B, K, 3, S, S) sRGB in [0, 1]; exemplar_mask (B, K) True = present
    era: (B, 2) start/end years; era_mask (B,)
    text: (B, D) context sentence embedding; text_mask (B,)
    """

    exemplars: torch.Tensor | None = None
    exemplar_mask: torch.Tensor | None = None
    era: torch.Tensor | None = None
    era_mask: torch.Tensor | None = None
    text: torch.Tensor | None = None
    text_mask: torch.Tensor | None = None

    @property
    def num_exemplars(self) -> int:
        return 0 if self.exemplars is None else int(self.exemplars.shape[1])


def fourier(x: torch.Tensor, frequencies: tuple[float, ...]) -> torch.Tensor:
    """(..., C) -> (..., C * (1 + 2F)): the value and its sines and cosines."""
    parts = [x]
    for f in frequencies:
        parts += [torch.sin(math.pi * f * x), torch.cos(math.pi * f * x)]
    return torch.cat(parts, dim=-1)


def exemplar_tensor(image: Image.Image, size: int) -> torch.Tensor:
    """A PIL image -> (3, size, size) sRGB in [0, 1], squeezed to a square the same way in
    training and at inference (tokens are a bag of cells; aspect is not needed)."""
    rgb = image.convert("RGB").resize((size, size), Image.BICUBIC)
    return torch.from_numpy(np.asarray(rgb, dtype=np.float32) / 255.0).permute(2, 0, 1)


class ConditionEncoder(nn.Module):
    """Turns a `Conditioning` into tokens (B, N, cond_dim) and a mask (B, N)."""

    def __init__(self, cond_dim: int, feature_channels: int, text_dim: int):
        super().__init__()
        if cond_dim % 2:
            raise ValueError(f"cond_dim {cond_dim} must be even (key and value halves)")
        half = cond_dim // 2
        ab_in = 2 * (1 + 2 * len(AB_FREQUENCIES))
        era_in = 2 * (1 + 2 * len(ERA_FREQUENCIES))
        self.text_dim = text_dim
        self.key = nn.Sequential(nn.LayerNorm(feature_channels), nn.Linear(feature_channels, half))
        self.value = nn.Sequential(nn.Linear(ab_in, half), nn.SiLU(), nn.Linear(half, half))
        self.era = nn.Sequential(nn.Linear(era_in, cond_dim), nn.SiLU(),
                                 nn.Linear(cond_dim, cond_dim))
        self.text = nn.Linear(text_dim, cond_dim)
        self.kind = nn.Embedding(3, cond_dim)  # 0 era, 1 text, 2 exemplar

    def exemplar_tokens(self, features: torch.Tensor, ab: torch.Tensor) -> torch.Tensor:
        """features (M, C, h, w) of exemplar luminance, ab (M, 2, h, w) -> (M, h*w, cond_dim)."""
        keys = self.key(features.flatten(2).transpose(1, 2))
        values = self.value(fourier(ab.flatten(2).transpose(1, 2) / AB_SCALE, AB_FREQUENCIES))
        return torch.cat([keys, values], dim=-1) + self.kind.weight[2]

    def era_token(self, era: torch.Tensor) -> torch.Tensor:
        """(B, 2) years -> (B, 1, cond_dim)."""
        t = (era.float() - ERA_ORIGIN) / ERA_SCALE
        return (self.era(fourier(t, ERA_FREQUENCIES)) + self.kind.weight[0])[:, None]

    def text_token(self, text: torch.Tensor) -> torch.Tensor:
        """(B, D) sentence embedding -> (B, 1, cond_dim)."""
        return (self.text(text.float()) + self.kind.weight[1])[:, None]


def exemplar_inputs(exemplars: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(M, 3, S, S) sRGB -> (gray RGB of the luminance for the encoder, ab at stride 16)."""
    lab = rgb_to_lab(exemplars)
    gray = gray_rgb_from_lightness(lab[:, :1])
    ab = F.avg_pool2d(lab[:, 1:], EXEMPLAR_STRIDE)
    return gray, ab
