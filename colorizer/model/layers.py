"""Building blocks of the generator's decoder: conv units and attention blocks.

The attention block follows diffusers' transformer block: self-attention over the image
tokens (one object, one color), cross-attention from image tokens to a set of conditioning
tokens (context and exemplars), then an MLP. Cross-attention always sees one learned "null"
token besides the conditioning tokens, so an empty or fully masked token set is well defined
and masked tokens have exactly no effect.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ConvUnit(nn.Module):
    """3x3 conv -> GroupNorm -> SiLU, twice."""

    def __init__(self, in_ch: int, out_ch: int, groups: int = 8):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_ch, out_ch, 3, padding=1, bias=False),
            nn.GroupNorm(min(groups, out_ch), out_ch),
            nn.SiLU(inplace=True),
            nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=False),
            nn.GroupNorm(min(groups, out_ch), out_ch),
            nn.SiLU(inplace=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class UpBlock(nn.Module):
    """Upsample x2, concatenate the encoder skip, fuse with a ConvUnit."""

    def __init__(self, in_ch: int, skip_ch: int, out_ch: int):
        super().__init__()
        self.fuse = ConvUnit(in_ch + skip_ch, out_ch)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.fuse(torch.cat([x, skip], dim=1))


class CrossAttention(nn.Module):
    """Image tokens (B, T, D) attend to conditioning tokens (B, N, Dc) plus a null token."""

    def __init__(self, dim: int, cond_dim: int, heads: int):
        super().__init__()
        if dim % heads:
            raise ValueError(f"attention dim {dim} must be divisible by heads {heads}")
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(cond_dim, dim, bias=False)
        self.to_v = nn.Linear(cond_dim, dim, bias=False)
        self.out = nn.Linear(dim, dim)
        self.null_token = nn.Parameter(torch.zeros(1, 1, cond_dim))

    def forward(
        self,
        x: torch.Tensor,
        tokens: torch.Tensor,
        mask: torch.Tensor,
        return_weights: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x: (B, T, D); tokens: (B, N, Dc); mask: (B, N) True = present. N may be 0."""
        b, t, d = x.shape
        null = self.null_token.expand(b, -1, -1)
        kv_in = torch.cat([null, tokens], dim=1)  # (B, 1+N, Dc)
        keep = torch.cat([mask.new_ones(b, 1), mask], dim=1)  # (B, 1+N)
        h = self.heads
        q = self.to_q(x).view(b, t, h, d // h).transpose(1, 2)  # (B, h, T, hs)
        k = self.to_k(kv_in).view(b, -1, h, d // h).transpose(1, 2)  # (B, h, 1+N, hs)
        v = self.to_v(kv_in).view(b, -1, h, d // h).transpose(1, 2)
        bias = torch.zeros(keep.shape, dtype=x.dtype, device=x.device)
        bias = bias.masked_fill(~keep, float("-inf"))[:, None, None, :]  # (B, 1, 1, 1+N)
        weights = None
        if return_weights:
            scores = (q @ k.transpose(-1, -2)) * (d // h) ** -0.5 + bias
            attn = scores.softmax(-1)  # (B, h, T, 1+N)
            y = attn @ v
            weights = attn.mean(1)  # (B, T, 1+N) averaged over heads
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        y = y.transpose(1, 2).reshape(b, t, d)
        return self.out(y), weights


class AttentionBlock(nn.Module):
    """Pre-norm transformer block on a feature map: [self-attn], cross-attn, MLP."""

    def __init__(self, dim: int, cond_dim: int, heads: int, self_attention: bool = True):
        super().__init__()
        self.self_attention = self_attention
        if self_attention:
            self.norm1 = nn.LayerNorm(dim)
            self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.cross = CrossAttention(dim, cond_dim, heads)
        self.norm3 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))

    def forward(
        self,
        fmap: torch.Tensor,
        tokens: torch.Tensor,
        mask: torch.Tensor,
        return_weights: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """fmap: (B, D, H, W) -> same shape; weights (B, H*W, 1+N) when asked."""
        b, d, h, w = fmap.shape
        x = fmap.flatten(2).transpose(1, 2)  # (B, HW, D)
        if self.self_attention:
            y = self.norm1(x)
            x = x + self.attn(y, y, y, need_weights=False)[0]
        y, weights = self.cross(self.norm2(x), tokens, mask, return_weights)
        x = x + y
        x = x + self.mlp(self.norm3(x))
        return x.transpose(1, 2).reshape(b, d, h, w), weights
