"""A photo's black frame (a slide's mount, a letterbox, a scan's dark margin), kept out of what
the generator reads.

The generator learned from photos without frames, and a black frame dulls its colors over the
whole photo (rule 56 of eval/operating_point_rules.md: black bars of 15% of the width on each
side cost the photo 0.12 ΔE00 inside). With `DecodingConfig.frame_fill`:

    frame = find_frame(L*)            rows / columns at the edges that are black all along
    L*' = fill_frame(L*, frame)       what the generator reads: the frame's pixels replaced
                                      by the photo inside, mirrored across its edges
    ab  = clear_frame(ab, L*)         no chroma within the frame: a frame is not the photo

The output keeps the photo's own L* everywhere, frame included.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from colorizer.pipeline.luminance import lightness_at

FRAME_DARK = 12.0  # L*: a frame line's 95th percentile lies below this (black, not a shadow)
FRAME_QUANTILE = 0.95
FRAME_MAX_SHARE = 0.35  # a side's frame covers at most this share of the photo's height/width
FRAME_MIN_SHARE = 0.02  # thinner dark runs (a dark line, a vignette's edge) are not a frame


@dataclass(frozen=True)
class Frame:
    """Pixels of frame on each side of an image of `height` x `width`."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def empty(self) -> bool:
        return not (self.top or self.bottom or self.left or self.right)


def _dark_run(lines: torch.Tensor, size: int) -> int:
    """How many of `lines` (N, length), outermost first, are frame before the first that is
    not; 0 when the run is thinner than FRAME_MIN_SHARE of `size`."""
    limit = int(size * FRAME_MAX_SHARE)
    if not limit or not _dark(lines[:1]):  # most photos: the outermost line is not black
        return 0
    run = int(_dark(lines[:limit]).int().cumprod(0).sum())
    return run if run >= max(1, round(size * FRAME_MIN_SHARE)) else 0


def _dark(lines: torch.Tensor) -> torch.Tensor:
    """(N,) whether each of `lines` (N, length) is black all along (a frame line)."""
    return torch.quantile(lines.float(), FRAME_QUANTILE, dim=1) < FRAME_DARK


def find_frame(lightness: torch.Tensor) -> Frame:
    """The black frame of a (1, 1, H, W) L* image (no frame: all zeros)."""
    plane = lightness[0, 0]
    height, width = plane.shape
    return Frame(top=_dark_run(plane, height), bottom=_dark_run(plane.flip(0), height),
                 left=_dark_run(plane.T, width), right=_dark_run(plane.T.flip(0), width))


def _mirror_pad(x: torch.Tensor, pads: tuple[int, int, int, int]) -> torch.Tensor:
    """Reflect-pad (left, right, top, bottom) by any amount: reflection needs a pad smaller
    than the image, so a wide frame around a narrow photo is mirrored in steps."""
    left, right, top, bottom = pads
    while left or right or top or bottom:
        h, w = x.shape[-2:]
        step = (min(left, w - 1), min(right, w - 1), min(top, h - 1), min(bottom, h - 1))
        if not any(step):  # a 1-pixel photo has nothing to mirror: repeat it
            return F.pad(x, (left, right, top, bottom), mode="replicate")
        x = F.pad(x, step, mode="reflect")
        left, right, top, bottom = (a - b for a, b in zip((left, right, top, bottom), step,
                                                          strict=True))
    return x


def fill_frame(lightness: torch.Tensor, frame: Frame | None = None) -> torch.Tensor:
    """(B, 1, H, W) L* with the frame (found on the first image unless given) replaced by
    the photo inside it, mirrored across its edges."""
    frame = find_frame(lightness[:1]) if frame is None else frame
    if frame.empty:
        return lightness
    height, width = lightness.shape[-2:]
    inner = lightness[..., frame.top:height - frame.bottom, frame.left:width - frame.right]
    return _mirror_pad(inner, (frame.left, frame.right, frame.top, frame.bottom))


def generator_view(lightness: torch.Tensor, render_size: int, fill: bool) -> torch.Tensor:
    """The (1, 1, h, w) L* the generator reads: the photo at the render size, its frame
    filled when `fill` (`DecodingConfig.frame_fill`)."""
    small = lightness_at(lightness, render_size)
    return fill_frame(small) if fill else small


def clear_frame(ab: torch.Tensor, lightness: torch.Tensor, clear: bool = True) -> torch.Tensor:
    """(B, 2, H, W) chroma with zeros within the frame of `lightness` (1, 1, H, W) when
    `clear` (`DecodingConfig.frame_fill`)."""
    inside = frame_inside(lightness, tuple(ab.shape[-2:])) if clear else None
    return ab if inside is None else ab * inside.to(ab.device, ab.dtype)


def frame_inside(lightness: torch.Tensor, size: tuple[int, int]) -> torch.Tensor | None:
    """(h, w) bool at `size` (h, w): True on the photo inside the black frame of `lightness`
    (1, 1, H, W); None when it has no frame."""
    frame = find_frame(lightness)
    if frame.empty:
        return None
    height, width = size
    inside = torch.zeros(height, width, dtype=torch.bool)
    inside[frame.top:height - frame.bottom, frame.left:width - frame.right] = True
    return inside
