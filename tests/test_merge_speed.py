"""The faster full-size merge gives the very same pixels as the straightforward one.

The merge now reuses each band's temporaries (model/scratch.py), rounds the RGB planes as
made (merge_bands.BandWriter), and its gamut bisection tests linear RGB against the bounds
(colorspace._outside_gamut_of_linear). The straightforward code is the definition of the
result: `_reference_merge` below, built on test_colorspace_fast's reference conversion.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from colorizer.model import colorspace
from colorizer.pipeline.band_upsample import rows_of, widen
from colorizer.pipeline.deep_pixels import LEVELS_16
from colorizer.pipeline.full_size import merge_full_size
from colorizer.pipeline.luminance import row_bands
from colorizer.pipeline.merge_bands import BandWriter
from tests.test_colorspace_fast import _bits, _edge_lab, _random_lab, _reference_keep_luminance


def _reference_merge(lightness: torch.Tensor, ab: torch.Tensor) -> tuple[np.ndarray, ...]:
    """8- and 16-bit (H, W, 3) as the merge made them before: the whole a*b* widened, each
    band converted by the reference code and rounded from its (rows, W, 3) view."""
    height, width = lightness.shape[-2:]
    wide = widen(ab, width)
    rgb8 = np.empty((height, width, 3), np.uint8)
    rgb16 = np.empty((height, width, 3), np.uint16)
    for band in row_bands(height, width):
        rgb = _reference_keep_luminance(lightness[..., band, :], rows_of(wide, height, band))
        hwc = rgb[0].permute(1, 2, 0).numpy()
        rgb8[band] = (hwc * np.float32(255.0) + np.float32(0.5)).astype(np.uint8)
        rgb16[band] = (hwc * np.float32(LEVELS_16) + np.float32(0.5)).astype(np.uint16)
    return rgb8, rgb16


def _photo_like(height: int, width: int, chroma: float, seed: int) -> tuple[torch.Tensor, ...]:
    """L* with dark and bright areas and smooth small a*b* of up to `chroma` (the model's)."""
    g = torch.Generator().manual_seed(seed)
    rows = torch.linspace(0, 1, height).view(1, 1, -1, 1)
    lightness = (rows * 100 + torch.rand(1, 1, height, width, generator=g) * 8).clamp(0, 100)
    ab = (torch.rand(1, 2, 24, 32, generator=g) * 2 - 1) * chroma
    return lightness, ab


def _assert_merge_gives_the_reference(height: int, chroma: float, seed: int) -> None:
    lightness, ab = _photo_like(height, 1000, chroma, seed)
    merged = merge_full_size(lightness, ab, torch.rand(1, 1, 6, 8), torch.zeros(1, 1, 6, 8),
                             deep=True)
    rgb8, rgb16 = _reference_merge(lightness, ab)
    assert np.array_equal(np.asarray(merged.image), rgb8)
    assert np.array_equal(merged.image16, rgb16)


def test_merge_gives_the_straightforward_pixels() -> None:
    _assert_merge_gives_the_reference(300, 4.0, 1)  # mild chroma: little out of gamut


@pytest.mark.slow
def test_merge_gives_the_straightforward_pixels_band_after_band_out_of_gamut() -> None:
    # 1 100 rows of 1 000: two bands, the second a short one; vivid chroma puts much of
    # the photo out of gamut (the bisection).
    _assert_merge_gives_the_reference(1100, 90.0, 0)


def test_reused_temporaries_give_the_reference_floats_band_after_band() -> None:
    # One ScratchTensors through bands of shrinking and growing sizes (its tensors are views
    # of the largest asked for), random and edge L*a*b* far in and out of gamut.
    from colorizer.model.scratch import ScratchTensors

    temps = ScratchTensors()
    cases = [_random_lab(1, 64, 333, 7), _random_lab(1, 9, 40, 8), _edge_lab(),
             _random_lab(1, 80, 300, 9), tuple(t.double() for t in _random_lab(1, 6, 11, 10))]
    for lightness, ab in cases:
        expected = _reference_keep_luminance(lightness, ab)
        got = colorspace.lab_to_rgb_keep_luminance(lightness, ab, temps=temps)
        assert got.dtype == expected.dtype and torch.equal(_bits(got), _bits(expected))


def test_linear_gamut_test_agrees_with_the_encoded_one_at_the_bounds() -> None:
    # Channels a few ULPs to a few hundred thousandths from each bound, where the pow's
    # rounding decides, next to values far inside and outside, NaN and infinities.
    steps = torch.arange(-2000, 2001, dtype=torch.float64) * 1e-8
    top, bottom = colorspace._LINEAR_TOP, colorspace._LINEAR_BOTTOM
    edges = torch.cat([top * (1 + steps), bottom * (1 + steps)]).float()
    extremes = torch.tensor([0.0, -0.0, 0.5, 1.0, -1.0, 1e-9, 7.0, float("nan"),
                             float("inf"), -float("inf")])
    g = torch.Generator().manual_seed(11)
    for values in (edges, extremes, torch.rand(50_000, generator=g) * 1.2 - 0.1):
        others = torch.rand(2, values.numel(), generator=g) * 0.9 + 0.05
        for channel in range(3):
            planes = list(others)
            planes.insert(channel, values)
            lin = torch.stack(planes)[None, :, :, None]  # (1, 3, N, 1), a bisection strip
            encoded = colorspace._signed_linear_to_srgb(lin, torch.empty_like(lin))
            expected = colorspace._outside_gamut(encoded)
            got = colorspace._outside_gamut_of_linear(lin)
            assert got is not None and torch.equal(got, expected)


def test_band_writer_rounds_planes_as_the_whole_expression() -> None:
    g = torch.Generator().manual_seed(12)
    rgb = torch.rand(3, 37, 53, generator=g).numpy()
    rgb[:, 0, :4] = [0.0, 1.0, 0.5 / 255, 254.5 / 255]  # where the rounding turns
    writer = BandWriter(40, 53, deep=True)
    writer.colors(slice(3, 40), rgb)
    image, image16 = writer.done()
    hwc = rgb.transpose(1, 2, 0)
    assert np.array_equal(np.asarray(image)[3:], (hwc * 255 + 0.5).astype(np.uint8))
    assert np.array_equal(image16[3:], (hwc * LEVELS_16 + 0.5).astype(np.uint16))


def _float32s_allocated_per_pixel(run) -> float:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        pixels = run()
    allocated = sum(max(0, event.self_cpu_memory_usage) for event in prof.key_averages())
    return allocated / pixels / 4


def test_merge_reuses_its_temporaries_from_band_to_band() -> None:
    # Four bands of 1 M pixels, mild chroma (no bisection). Each band made ~36 float32 of
    # new tensors a pixel, handed back to the system and faulted in again at the next (1.5 s
    # of a 108 MP merge); now the first band's are reused and only band_of's are new.
    lightness, ab = _photo_like(4096, 1024, 4.0, 13)
    lightness = lightness.clamp(20, 80)

    def merge() -> int:
        merge_full_size(lightness, ab, torch.rand(1, 1, 6, 8), torch.zeros(1, 1, 6, 8))
        return lightness.numel()

    assert _float32s_allocated_per_pixel(merge) <= 12


def test_temporaries_are_made_on_the_device_of_the_work() -> None:
    """Training's validation converts on the GPU: a temporary made on the CPU there would stop
    it ("expected all tensors on the same device"). The meta device stands in for a GPU."""
    from colorizer.model.scratch import FreshTensors, ScratchTensors

    meta = torch.device("meta")
    for temps in (ScratchTensors(), FreshTensors()):
        held = temps.take("low", (2, 3), torch.float32, meta)
        assert (held.device, held.shape, held.dtype) == (meta, (2, 3), torch.float32)
    scratch = ScratchTensors()
    on_cpu = scratch.take("low", (4,), torch.float32, torch.device("cpu"))
    assert scratch.take("low", (4,), torch.float32, meta).device == meta != on_cpu.device
