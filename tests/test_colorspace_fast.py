"""The fast Lab -> sRGB of the merge gives the very same floats as the straightforward one.

`_reference_*` below is the code before it was made faster (cat/stack, new tensors at each
step), kept here as the definition of the result: the fast one must match it bit for bit, on
random L*a*b* (in and far out of gamut), edges (L* 0 and 100, |a*b*| 128), and odd widths.
"""

from __future__ import annotations

import torch

from colorizer.model.colorspace import (
    _EPS,
    _KAPPA,
    _XYZ_TO_RGB,
    D65_WHITE,
    lab_to_rgb,
    lab_to_rgb_keep_luminance,
    lab_to_rgb_unclipped,
)


def _reference_linear_to_srgb(lin: torch.Tensor) -> torch.Tensor:
    lin = lin.clamp(min=0)
    return torch.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def _reference_f_inv(f: torch.Tensor) -> torch.Tensor:
    f3 = f**3
    return torch.where(f3 > _EPS, f3, (116 * f - 16) / _KAPPA)


def _reference_unclipped(lab: torch.Tensor) -> torch.Tensor:
    lightness, a, b = lab.unbind(1)
    fy = (lightness + 16) / 116
    fx = fy + a / 500
    fz = fy - b / 200
    white = lab.new_tensor(D65_WHITE).view(1, 3, 1, 1)
    xyz = torch.stack([_reference_f_inv(fx), _reference_f_inv(fy), _reference_f_inv(fz)],
                      dim=1) * white
    lin = torch.einsum("ij,bjhw->bihw", xyz.new_tensor(_XYZ_TO_RGB), xyz)
    return torch.sign(lin) * _reference_linear_to_srgb(lin.abs())


def _reference_keep_luminance(lightness: torch.Tensor, ab: torch.Tensor,
                              iterations: int = 10) -> torch.Tensor:
    def to_rgb(lum: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
        return _reference_unclipped(torch.cat([lum, chroma], dim=1))

    def in_gamut(rgb: torch.Tensor) -> torch.Tensor:
        return ((rgb >= -1e-4) & (rgb <= 1 + 1e-4)).all(dim=1)

    rgb = to_rgb(lightness, ab)
    outside = ~in_gamut(rgb)
    if not bool(outside.any()):
        return rgb.clamp(0, 1)
    b_idx, y_idx, x_idx = outside.nonzero(as_tuple=True)
    lum = lightness[b_idx, :, y_idx, x_idx].T[None, :, :, None]
    chroma = ab[b_idx, :, y_idx, x_idx].T[None, :, :, None]
    lo, hi = torch.zeros_like(lum), torch.ones_like(lum)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        ok = in_gamut(to_rgb(lum, chroma * mid)).unsqueeze(1)
        lo = torch.where(ok, mid, lo)
        hi = torch.where(ok, hi, mid)
    fixed = to_rgb(lum, chroma * lo)[0, :, :, 0]
    rgb = rgb.clone()
    rgb[b_idx, :, y_idx, x_idx] = fixed.T
    return rgb.clamp(0, 1)


def _bits(t: torch.Tensor) -> torch.Tensor:
    """The float bit patterns (so -0.0 and 0.0 differ); every NaN as one pattern, as a NaN
    input's pixel is NaN either way but its sign bit is not part of the result."""
    ints = torch.int64 if t.dtype == torch.float64 else torch.int32
    return torch.where(t.isnan(), float("nan"), t).contiguous().view(ints)


def _random_lab(batch: int, height: int, width: int, seed: int) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    lightness = torch.rand(batch, 1, height, width, generator=g) * 100
    ab = (torch.rand(batch, 2, height, width, generator=g) * 2 - 1) * 128
    return lightness, ab


def _edge_lab() -> tuple[torch.Tensor, torch.Tensor]:
    """Every pairing of edge L* with edge a*, b* (gray, small, at the gamut bound, |128|)."""
    levels = torch.tensor([0.0, 1e-6, 0.5, 8.0, 8.000001, 50.0, 99.999, 100.0])
    chromas = torch.tensor([-128.0, -110.0, -1e-3, -0.0, 0.0, 1e-3, 20.0, 110.0, 127.0, 128.0])
    grid = torch.cartesian_prod(levels, chromas, chromas)  # (N, 3)
    lab = grid.T.reshape(1, 3, 1, -1)
    return lab[:, :1].contiguous(), lab[:, 1:].contiguous()


def test_unclipped_is_bit_identical_on_random_and_edge_lab() -> None:
    for lightness, ab in (_random_lab(1, 37, 101, 0), _random_lab(2, 5, 9, 1), _edge_lab()):
        lab = torch.cat([lightness, ab], dim=1)
        expected = _reference_unclipped(lab)
        assert torch.equal(_bits(lab_to_rgb_unclipped(lab)), _bits(expected))
        assert torch.equal(_bits(lab_to_rgb(lab)), _bits(expected.clamp(0, 1)))


def test_keep_luminance_is_bit_identical_in_and_out_of_gamut() -> None:
    cases = [_random_lab(1, 64, 333, 2), _random_lab(3, 7, 17, 3), _edge_lab()]
    g = torch.Generator().manual_seed(4)
    lightness = torch.rand(1, 1, 50, 77, generator=g) * 100
    cases.append((lightness, torch.randn(1, 2, 50, 77, generator=g) * 3))  # all in gamut
    cases.append(tuple(t.double() for t in _random_lab(1, 6, 11, 6)))  # float64 callers
    for lightness, ab in cases:
        expected = _reference_keep_luminance(lightness, ab)
        got = lab_to_rgb_keep_luminance(lightness, ab)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        assert torch.equal(_bits(got), _bits(expected))
        assert got.min() >= 0 and got.max() <= 1


def test_keep_luminance_leaves_its_inputs_alone_and_counts_nan_as_outside() -> None:
    lightness, ab = _random_lab(1, 9, 13, 5)
    ab[0, 0, 2, 3] = float("nan")
    before = (lightness.clone(), ab.clone())
    expected = _reference_keep_luminance(lightness, ab)
    got = lab_to_rgb_keep_luminance(lightness, ab)
    assert torch.equal(_bits(got), _bits(expected))
    assert int(got.isnan().sum()) == 3  # the NaN pixel only, all three channels
    assert torch.equal(_bits(lightness), _bits(before[0]))
    assert torch.equal(_bits(ab), _bits(before[1]))


def _float32s_allocated_per_pixel(lightness: torch.Tensor, ab: torch.Tensor) -> float:
    """Bytes torch allocates during one call, as float32 values per pixel of the input."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        lab_to_rgb_keep_luminance(lightness, ab)
    allocated = sum(max(0, event.self_cpu_memory_usage) for event in prof.key_averages())
    return allocated / lightness.numel() / 4


def test_keep_luminance_writes_into_its_own_temporaries() -> None:
    # Every pass over a big photo's band is memory traffic: the straightforward code made
    # 67 float32 a pixel (cat, stack, a new tensor at each step), this one about 29.
    lightness = torch.linspace(20, 80, 64 * 256).reshape(1, 1, 64, 256)
    ab = torch.full((1, 2, 64, 256), 5.0)  # in gamut: no bisection
    assert _float32s_allocated_per_pixel(lightness, ab) <= 35
