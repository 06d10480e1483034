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

from colorizer.model.scratch import FreshTensors, ScratchTensors, Temporaries

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
_FRESH = FreshTensors()  # new temporaries at each call, where no caller reuses them


def _select_into_first(take_first: torch.Tensor, first: torch.Tensor, second: torch.Tensor,
                       temps: Temporaries = _FRESH) -> torch.Tensor:
    """`torch.where(take_first, first, second)` written into `first`, by the floats' bits:
    where's CPU loop is not vectorised (2.5 ms a million floats, this 1.3 ms); same bits."""
    ints = _SAME_SIZE_INT[first.dtype]
    all_ones = temps.take("select", take_first.shape, ints, take_first.device)
    all_ones.copy_(take_first).neg_()
    chosen, other = first.view(ints), second.view(ints)  # -1 above: every bit set where
    chosen.bitwise_xor_(other).bitwise_and_(all_ones).bitwise_xor_(other)  # first is taken
    return first


def _f_inv_into(f: torch.Tensor, out: torch.Tensor, temps: Temporaries = _FRESH) -> torch.Tensor:
    """`_f_inv(f)` written into `out` (same shape as f): the same ops, into `temps`."""
    torch.pow(f, 3, out=out)
    low = torch.mul(f, 116, out=temps.take("low", f.shape, f.dtype, f.device))
    low.sub_(16).div_(_KAPPA)
    above = torch.gt(out, _EPS, out=temps.take("above", f.shape, torch.bool, f.device))
    return _select_into_first(above, out, low, temps)


def _signed_linear_to_srgb(lin: torch.Tensor, encoded: torch.Tensor,
                           temps: Temporaries = _FRESH) -> torch.Tensor:
    """sign(lin) * linear_to_srgb(|lin|), in `temps`' "rgb" (the caller's to keep), with
    `encoded` (lin's shape) written over. The sign is kept so callers can see how far out of
    gamut a pixel is."""
    magnitude = torch.abs(lin, out=temps.take("rgb", lin.shape, lin.dtype, lin.device))
    # pow over the whole (B, 3, H, W), as before: its vector and scalar code (the tail of a
    # row of work) may round differently, so which elements take which must not change.
    torch.pow(magnitude, 1 / 2.4, out=encoded)
    encoded.mul_(1.055).sub_(0.055)
    dark = torch.le(magnitude, 0.0031308,
                    out=temps.take("dark", lin.shape, torch.bool, lin.device))
    # copysign: sign(lin) times the value (>= 0) in one pass, the same bits but for NaN's
    # sign bit and a lin of -0.0 (0.0 before, -0.0 now: equal as numbers and in 8 bits).
    return _select_into_first(dark, magnitude.mul_(12.92), encoded, temps).copysign_(lin)


def _lab_parts_to_rgb(lightness: torch.Tensor, a: torch.Tensor, b: torch.Tensor,
                      temps: Temporaries = _FRESH) -> torch.Tensor:
    """L*, a*, b* each (B, 1, H, W) -> `lab_to_rgb_unclipped` of them, without stacking them.
    With `ScratchTensors` the result is one of them: valid until their next use."""
    lin, xyz = _linear_rgb_of_parts(*_fy_and_y(lightness, a.dtype, temps), a, b, temps)
    return _signed_linear_to_srgb(lin, xyz, temps)  # xyz is done with: written over


def _fy_and_y(lightness: torch.Tensor, chroma_dtype: torch.dtype,
              temps: Temporaries) -> tuple[torch.Tensor, torch.Tensor]:
    """(L* + 16) / 116 and its `_f_inv` (Y, white = 1): the part of the conversion that
    depends on L* alone, in the dtype torch.cat of L* and a*b* would give."""
    dtype = torch.promote_types(lightness.dtype, chroma_dtype)
    fy = torch.add(lightness.to(dtype), 16,
                   out=temps.take("fy", lightness.shape, dtype, lightness.device))
    fy.div_(116)
    return fy, _f_inv_into(fy, temps.take("y", lightness.shape, dtype, lightness.device), temps)


def _linear_rgb_of_parts(fy: torch.Tensor, y: torch.Tensor, a: torch.Tensor, b: torch.Tensor,
                         temps: Temporaries) -> tuple[torch.Tensor, torch.Tensor]:
    """Linear RGB (B, 3, H, W) of `_fy_and_y`'s (fy, y) with a*, b* (B, 1, H, W), and the
    XYZ it was made from (the caller may write over it)."""
    dtype = fy.dtype
    a, b = a.to(dtype), b.to(dtype)
    batch, _, height, width = fy.shape
    plane, planes = (batch, 1, height, width), (batch, 3, height, width)
    xyz = temps.take("xyz", planes, dtype, fy.device)
    fx = torch.div(a, 500, out=temps.take("f", plane, dtype, fy.device))
    _f_inv_into(fx.add_(fy), xyz[:, 0:1], temps)
    xyz[:, 1:2] = y
    fz = torch.div(b, 200, out=temps.take("f", plane, dtype, fy.device))
    _f_inv_into(torch.sub(fy, fz, out=fz), xyz[:, 2:3], temps)
    xyz.mul_(xyz.new_tensor(D65_WHITE).view(1, 3, 1, 1))
    if batch == 1:  # the product einsum makes for one image, into a reused tensor
        lin = temps.take("lin", planes, dtype, fy.device)
        torch.matmul(xyz.new_tensor(_XYZ_TO_RGB), xyz.view(3, -1), out=lin.view(3, -1))
        return lin, xyz
    return _mix(xyz, _XYZ_TO_RGB), xyz


# The gamut test's bounds on sRGB (`_outside_gamut`: -1e-4 and 1 + 1e-4) as linear values.
# The encoding only grows with lin, so a channel is beyond a bound exactly when its linear
# value is: the bisection tests lin and skips the encoding (its pow is half of the work).
# Within `_NEAR_BOUND` (relative) of a bound the rounding could decide (the pow's error, 1 ULP,
# is ~3e-7 of lin there), so those pixels are encoded and tested as they always were.
_LINEAR_TOP = ((1 + 1e-4 + 0.055) / 1.055) ** 2.4
_LINEAR_BOTTOM = -1e-4 / 12.92  # sRGB's linear segment: encoded = 12.92 lin
_NEAR_BOUND = 4e-6
_SERIAL_VALUES = 32768  # torch's grain: a pow over fewer values runs in one piece


def _outside_gamut_of_linear(lin: torch.Tensor) -> torch.Tensor | None:
    """`_outside_gamut(_signed_linear_to_srgb(lin))` from linear RGB (B, 3, H, W), to the
    bit; None where that cannot be told without the whole tensor's encoding."""
    red, green, blue = lin.unbind(1)
    low = torch.minimum(torch.minimum(red, green), blue)  # NaN kept: outside, as before
    high = torch.maximum(torch.maximum(red, green), blue)
    near = low.sub(_LINEAR_BOTTOM).abs_() <= -_LINEAR_BOTTOM * _NEAR_BOUND
    near |= high.sub(_LINEAR_TOP).abs_() <= _LINEAR_TOP * _NEAR_BOUND
    inside = low >= _LINEAR_BOTTOM
    inside &= high <= _LINEAR_TOP
    outside = inside.logical_not_()
    if bool(near.any()):
        outside_near = _outside_for_sure(lin.movedim(1, 0)[:, near])  # of (3, K)
        if outside_near is None:
            return None
        outside[near] = outside_near
    return outside


def _outside_for_sure(lin: torch.Tensor) -> torch.Tensor | None:
    """`_outside_gamut` of `_signed_linear_to_srgb` of a few pixels (3, K) as a whole tensor's
    encoding tests them, or None. Its pow runs vector code but for the tail of a piece of
    work, which runs elementwise and rounds 1 ULP apart for ~1 value in 9: both are tried
    (a padded run is all vector code, a strided view elementwise) and a pixel's answer is
    kept only where the two agree; else the caller encodes the whole tensor as before."""
    magnitude = lin.abs()
    flat = magnitude.reshape(-1)
    count = flat.numel()
    padded = torch.ones(-(-count // 64) * 64, dtype=flat.dtype, device=flat.device)
    padded[:count] = flat
    vector = torch.cat([part.pow(1 / 2.4) for part in padded.split(_SERIAL_VALUES)])[:count]
    spaced = torch.empty(2 * count, dtype=flat.dtype, device=flat.device)  # (training: GPU)
    spaced[::2] = flat
    answers = [_outside_gamut(_encoded(powered.view_as(magnitude), magnitude, lin)[None, ..., None])
               for powered in (vector, spaced[::2].pow(1 / 2.4))]
    return answers[0][0, :, 0] if torch.equal(*answers) else None


def _encoded(powered: torch.Tensor, magnitude: torch.Tensor, lin: torch.Tensor) -> torch.Tensor:
    """`_signed_linear_to_srgb`'s result from |lin|'s pow, elementwise (the same roundings)."""
    encoded = powered.mul(1.055).sub_(0.055)
    return torch.where(magnitude <= 0.0031308, magnitude * 12.92, encoded).copysign_(lin)


def _outside_gamut(rgb: torch.Tensor, temps: Temporaries = _FRESH) -> torch.Tensor:
    """(B, 3, H, W) -> (B, H, W) bool: a channel beyond [0, 1] by more than 1e-4 (or NaN)."""
    red, green, blue = rgb.unbind(1)
    # Per-pixel min and max of the three planes: aminmax(dim=1) is 5x slower on CPU. Both
    # keep NaN, and a NaN pixel fails the tests below, so it counts as outside.
    low = torch.minimum(red, green, out=temps.take("low", red.shape, rgb.dtype, rgb.device))
    torch.minimum(low, blue, out=low)
    high = torch.maximum(red, green, out=temps.take("high", red.shape, rgb.dtype, rgb.device))
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
    lightness: torch.Tensor, ab: torch.Tensor, iterations: int = 10,
    temps: Temporaries = _FRESH,
) -> torch.Tensor:
    """Combine L* (B, 1, H, W) with a*b* (B, 2, H, W) into in-gamut sRGB keeping L*.

    Out-of-gamut pixels get their chroma scaled down (hue kept) by a per-pixel bisection on
    the scale factor: L* stays exact up to float rounding, only saturation gives way.
    `temps`: a `ScratchTensors` for work done band after band (the merge); the result is
    then one of them, valid until the next call with them.
    """
    rgb = _lab_parts_to_rgb(lightness, ab[:, 0:1], ab[:, 1:2], temps)  # (B, 3, H, W)
    outside = _outside_gamut(rgb, temps)  # (B, H, W)
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
    strip = ScratchTensors()  # the strip's temporaries, reused by every step
    fy, y = _fy_and_y(lum, a.dtype, _FRESH)  # L* is the same at every step: made once
    for _ in range(iterations):
        mid = (lo + hi) / 2
        a_mid, b_mid = a * mid, b * mid
        outside = _outside_gamut_of_linear(_linear_rgb_of_parts(fy, y, a_mid, b_mid, strip)[0])
        if outside is None:  # a channel at a bound: as the straightforward code tests it
            outside = _outside_gamut(_lab_parts_to_rgb(lum, a_mid, b_mid, strip), strip)
        ok = ~outside.unsqueeze(1)
        lo = torch.where(ok, mid, lo)
        hi = torch.where(ok, hi, mid)
    fixed = _lab_parts_to_rgb(lum, a * lo, b * lo, strip)[0, :, :, 0]  # (3, N)
    rgb[b_idx, :, y_idx, x_idx] = fixed.T  # rgb is this call's own tensor: no copy needed
    return rgb.clamp_(0, 1)


def to_bchw(hwc: torch.Tensor) -> torch.Tensor:
    """(H, W, 3) -> (1, 3, H, W)."""
    return hwc.permute(2, 0, 1).unsqueeze(0)


def to_hwc(bchw: torch.Tensor) -> torch.Tensor:
    """(1, C, H, W) -> (H, W, C)."""
    return bchw.squeeze(0).permute(1, 2, 0)
