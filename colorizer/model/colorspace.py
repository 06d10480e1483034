"""sRGB <-> CIELAB (D65), vectorised in torch: the only place color math lives.

Value ranges, declared once for the whole project:
- sRGB: float in [0, 1], gamma-encoded (IEC 61966-2-1), channel dim 1 for (B, 3, H, W) or
  last for (..., 3) arrays via the `*_hwc` helpers.
- L*: [0, 100]; a*, b*: roughly [-128, 127] (we clamp predictions to `AB_RANGE`).

The colorizer keeps the input's luminance: output pixels are built from the input's L* and a
predicted (a*, b*). When that combination falls outside the sRGB gamut, clipping the RGB
would change L*; `lab_to_rgb_keep_luminance` instead shrinks the chroma of such pixels until
they fit, so the output's L* equals the input's.
"""

from __future__ import annotations

import torch

# D65 reference white (CIE 1931 2-degree observer), as used by sRGB.
D65_WHITE = (0.95047, 1.0, 1.08883)
AB_RANGE = 110.0  # |a*|, |b*| bound of what the generator predicts (covers the sRGB gamut)
L_MAX = 100.0

_RGB_TO_XYZ = (
    (0.4124564, 0.3575761, 0.1804375),
    (0.2126729, 0.7151522, 0.0721750),
    (0.0193339, 0.1191920, 0.9503041),
)
_XYZ_TO_RGB = (
    (3.2404542, -1.5371385, -0.4985314),
    (-0.9692660, 1.8760108, 0.0415560),
    (0.0556434, -0.2040259, 1.0572252),
)
_EPS = 216.0 / 24389.0  # CIE epsilon
_KAPPA = 24389.0 / 27.0  # CIE kappa


def srgb_to_linear(rgb: torch.Tensor) -> torch.Tensor:
    return torch.where(rgb <= 0.04045, rgb / 12.92, ((rgb.clamp(min=0) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(lin: torch.Tensor) -> torch.Tensor:
    lin = lin.clamp(min=0)
    return torch.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def _mix(x: torch.Tensor, matrix: tuple[tuple[float, ...], ...]) -> torch.Tensor:
    """Apply a 3x3 matrix along dim 1 of (B, 3, H, W)."""
    m = x.new_tensor(matrix)
    return torch.einsum("ij,bjhw->bihw", m, x)


def _f(t: torch.Tensor) -> torch.Tensor:
    return torch.where(t > _EPS, t.clamp(min=1e-12) ** (1 / 3), (_KAPPA * t + 16) / 116)


def _f_inv(f: torch.Tensor) -> torch.Tensor:
    f3 = f**3
    return torch.where(f3 > _EPS, f3, (116 * f - 16) / _KAPPA)


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) sRGB in [0, 1] -> (B, 3, H, W) L*a*b* (D65)."""
    xyz = _mix(srgb_to_linear(rgb), _RGB_TO_XYZ)
    white = xyz.new_tensor(D65_WHITE).view(1, 3, 1, 1)
    fx, fy, fz = _f(xyz / white).unbind(1)
    lightness = 116 * fy - 16
    a = 500 * (fx - fy)
    b = 200 * (fy - fz)
    return torch.stack([lightness, a, b], dim=1)


def lab_to_rgb_unclipped(lab: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) L*a*b* -> linear-free sRGB, possibly outside [0, 1] (out of gamut)."""
    return _lab_parts_to_rgb(lab[:, 0:1], lab[:, 1:2], lab[:, 2:3])


# The merge of a big photo spends most of its time below (every pixel, ~10 passes). The float
# ops are the straightforward ones, `_f_inv` then `linear_to_srgb`, in the same order and on
# the same values, so results are bit-identical (tests/test_colorspace_fast.py); they only
# write into their own temporaries instead of making new ones, and no cat/stack copies.

_SAME_SIZE_INT = {torch.float64: torch.int64, torch.float32: torch.int32,
                  torch.float16: torch.int16, torch.bfloat16: torch.int16}


def _select_into_first(take_first: torch.Tensor, first: torch.Tensor,
                       second: torch.Tensor) -> torch.Tensor:
    """`torch.where(take_first, first, second)` written into `first`, by the floats' bits:
    where's CPU loop is not vectorised (2.5 ms a million floats, this 1.3 ms); same bits."""
    ints = _SAME_SIZE_INT[first.dtype]
    all_ones = take_first.to(ints).neg_()  # -1: every bit set where `first` is taken
    chosen, other = first.view(ints), second.view(ints)
    chosen.bitwise_xor_(other).bitwise_and_(all_ones).bitwise_xor_(other)
    return first


def _f_inv_into(f: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """`_f_inv(f)` written into `out` (same shape as f): the same ops, one temporary."""
    torch.pow(f, 3, out=out)
    low = f * 116
    low.sub_(16).div_(_KAPPA)
    return _select_into_first(out > _EPS, out, low)


def _signed_linear_to_srgb(lin: torch.Tensor) -> torch.Tensor:
    """sign(lin) * linear_to_srgb(|lin|), in a new tensor, in place on its own temporaries.
    The sign is kept so callers can see how far out of gamut a pixel is."""
    magnitude = lin.abs()
    # pow over the whole (B, 3, H, W), as before: its vector and scalar code (the tail of a
    # row of work) may round differently, so which elements take which must not change.
    encoded = magnitude.pow(1 / 2.4)
    encoded.mul_(1.055).sub_(0.055)
    dark = magnitude <= 0.0031308
    # copysign: sign(lin) times the value (>= 0) in one pass, the same bits but for NaN's
    # sign bit and a lin of -0.0 (0.0 before, -0.0 now: equal as numbers and in 8 bits).
    return _select_into_first(dark, magnitude.mul_(12.92), encoded).copysign_(lin)


def _lab_parts_to_rgb(lightness: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """L*, a*, b* each (B, 1, H, W) -> `lab_to_rgb_unclipped` of them, without stacking them."""
    dtype = torch.promote_types(lightness.dtype, a.dtype)  # as torch.cat would give
    lightness, a, b = lightness.to(dtype), a.to(dtype), b.to(dtype)
    batch, _, height, width = lightness.shape
    fy = (lightness + 16) / 116
    xyz = fy.new_empty(batch, 3, height, width)
    fx = a / 500
    _f_inv_into(fx.add_(fy), xyz[:, 0:1])
    _f_inv_into(fy, xyz[:, 1:2])
    fz = b / 200
    _f_inv_into(torch.sub(fy, fz, out=fz), xyz[:, 2:3])
    xyz.mul_(xyz.new_tensor(D65_WHITE).view(1, 3, 1, 1))
    return _signed_linear_to_srgb(_mix(xyz, _XYZ_TO_RGB))


def _outside_gamut(rgb: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) -> (B, H, W) bool: a channel beyond [0, 1] by more than 1e-4 (or NaN)."""
    red, green, blue = rgb.unbind(1)
    # Per-pixel min and max of the three planes: aminmax(dim=1) is 5x slower on CPU. Both
    # keep NaN, and a NaN pixel fails the tests below, so it counts as outside.
    low = torch.minimum(red, green)
    torch.minimum(low, blue, out=low)
    high = torch.maximum(red, green)
    torch.maximum(high, blue, out=high)
    inside = low >= -1e-4
    inside &= high <= 1 + 1e-4
    return inside.logical_not_()


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) L*a*b* -> sRGB clipped to [0, 1] (may change L* out of gamut)."""
    return lab_to_rgb_unclipped(lab).clamp(0, 1)


def luminance_of_rgb(rgb: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) sRGB -> (B, 1, H, W) L* in [0, 100]."""
    return lightness_of_luminance(relative_luminance(srgb_to_linear(rgb)))


def relative_luminance(lin: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) linear RGB -> (B, 1, H, W) relative luminance Y (white = 1)."""
    return (lin * lin.new_tensor(_RGB_TO_XYZ[1]).view(1, 3, 1, 1)).sum(1, keepdim=True)


def lightness_of_luminance(y: torch.Tensor) -> torch.Tensor:
    """Relative luminance (white = 1) -> L* in [0, 100]."""
    return 116 * _f(y) - 16


def gray_rgb_from_lightness(lightness: torch.Tensor) -> torch.Tensor:
    """(B, 1, H, W) L* -> (B, 3, H, W) neutral sRGB with that exact L*."""
    y = _f_inv((lightness + 16) / 116)
    return linear_to_srgb(y).clamp(0, 1).expand(-1, 3, -1, -1)


def lab_to_rgb_keep_luminance(
    lightness: torch.Tensor, ab: torch.Tensor, iterations: int = 10
) -> torch.Tensor:
    """Combine L* (B, 1, H, W) with a*b* (B, 2, H, W) into in-gamut sRGB keeping L*.

    Out-of-gamut pixels get their chroma scaled down (hue kept) by a per-pixel bisection on
    the scale factor: L* stays exact up to float rounding, only saturation gives way.
    """
    rgb = _lab_parts_to_rgb(lightness, ab[:, 0:1], ab[:, 1:2])  # (B, 3, H, W)
    outside = _outside_gamut(rgb)  # (B, H, W)
    if not bool(outside.any()):
        return rgb.clamp_(0, 1)
    # Bisect only the out-of-gamut pixels, gathered into a (1, C, N, 1) strip: usually a
    # small share of a photo, so this costs far less than bisecting every pixel.
    b_idx, y_idx, x_idx = outside.nonzero(as_tuple=True)
    lum = lightness[b_idx, :, y_idx, x_idx].T[None, :, :, None]  # (1, 1, N, 1)
    chroma = ab[b_idx, :, y_idx, x_idx].T[None, :, :, None]  # (1, 2, N, 1)
    a, b = chroma[:, 0:1], chroma[:, 1:2]
    lo = torch.zeros_like(lum)  # scale 0 (gray) is always in gamut
    hi = torch.ones_like(lum)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        ok = ~_outside_gamut(_lab_parts_to_rgb(lum, a * mid, b * mid)).unsqueeze(1)
        lo = torch.where(ok, mid, lo)
        hi = torch.where(ok, hi, mid)
    fixed = _lab_parts_to_rgb(lum, a * lo, b * lo)[0, :, :, 0]  # (3, N)
    rgb[b_idx, :, y_idx, x_idx] = fixed.T  # rgb is this call's own tensor: no copy needed
    return rgb.clamp_(0, 1)


def to_bchw(hwc: torch.Tensor) -> torch.Tensor:
    """(H, W, 3) -> (1, 3, H, W)."""
    return hwc.permute(2, 0, 1).unsqueeze(0)


def to_hwc(bchw: torch.Tensor) -> torch.Tensor:
    """(1, C, H, W) -> (H, W, C)."""
    return bchw.squeeze(0).permute(1, 2, 0)
