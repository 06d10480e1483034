"""16-bit RGB (a 16-bit colorization the check reads, a 48-bit scan) is held as its uint16
levels, not as float32 in [0, 1].

User audit: a historian checks a 108 MP 16-bit colorization against its 16-bit original
(`chronochrome check COLORIZED --original ORIGINAL`). The colorization was loaded as float32
RGB (1.3 GB) and set the check's peak RSS (3364 MB). Its levels are 648 MB; every reader takes
them to [0, 1] through `image_pixels.unit_pixels` a band at a time, to the same floats, so the
findings are the same bytes. A profile or translucent alpha makes other floats: those stay
float32. The steps that read color pixels by dtype (has_color, the mount's 8-bit copy, the
negative's film base) read the levels as the floats they stand for."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.check import lineup
from colorizer.check.config import CheckConfig
from colorizer.pipeline.image_pixels import has_color, unit_pixels
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.negative import inverted, looks_like_color_negative
from tests.heic_files import display_p3
from tests.test_deep16_color import gray16_png, png16

cv2 = pytest.importorskip("cv2")  # a declared dependency: writes 48-bit PNGs and TIFFs

REPO = Path(__file__).resolve().parent.parent


def _colorization(height: int = 90, width: int = 120, seed: int = 0) -> np.ndarray:
    """(H, W, 3) uint16: smooth colored tones, most of them between 8-bit levels."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(3000, 60000, width)[None, :, None]
    tint = np.array([1.0, 0.85, 0.6])[None, None, :]
    rows = np.linspace(0.9, 1.0, height)[:, None, None]
    values = ramp * tint * rows + rng.normal(0, 40, (height, width, 3))
    values[height // 4:height // 2, width // 5:width // 2] = (52000, 9000, 7000)  # a red patch
    return np.clip(np.round(values), 0, 65535).astype(np.uint16)


def _gray_of(rgb: np.ndarray) -> np.ndarray:
    """A 16-bit gray "original" of a colorization (its tones, not exactly its L*)."""
    gray = rgb.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])
    return np.clip(np.round(gray), 0, 65535).astype(np.uint16)


def _old_floats(values: np.ndarray) -> np.ndarray:
    """What the loader made of 16-bit RGB levels before: float32 values / 65535."""
    return np.clip(values.astype(np.float32) / np.float32(65535), 0.0, 1.0)


def _png(path: Path, rgb: np.ndarray) -> Path:
    assert cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]))
    return path


def test_a_16bit_rgb_colorization_loads_as_its_levels(tmp_path):
    """Before: float32 (H, W, 3), 12 bytes a pixel; now uint16, 6, read as the same floats."""
    rgb = _colorization()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned a quarter; shown upright
    opaque = np.concatenate([rgb, np.full((*rgb.shape[:2], 1), 65535, np.uint16)], axis=-1)
    sources = {"png": _png(tmp_path / "c.png", rgb),
               "tif": _png(tmp_path / "c.tif", rgb),
               "opaque rgba": png16(opaque),
               "exif-turned": png16(np.ascontiguousarray(np.rot90(rgb)), exif=exif.tobytes())}
    for kind, source in sources.items():
        loaded = load_image(source)
        assert loaded.pixels.dtype == np.uint16, kind
        assert loaded.pixels.shape == rgb.shape and loaded.is_color, kind
        assert np.array_equal(loaded.pixels, rgb), kind
        assert np.array_equal(unit_pixels(loaded.pixels), _old_floats(rgb)), kind


def test_a_16bit_rgb_gray_scan_loads_as_uint16_gray(tmp_path):
    gray = _gray_of(_colorization())
    loaded = load_image(_png(tmp_path / "scan.png", np.repeat(gray[..., None], 3, axis=-1)))
    assert loaded.pixels.dtype == np.uint16 and np.array_equal(loaded.pixels, gray)
    assert not loaded.is_color


def test_profiles_translucency_and_12bit_whites_stay_float32():
    """Their floats are not any 16-bit level's: kept as before."""
    rgb = _colorization()
    alpha = np.full((*rgb.shape[:2], 1), 30000, np.uint16)
    for kind, data in (("profile", png16(rgb, icc=display_p3())),
                       ("translucent", png16(np.concatenate([rgb, alpha], axis=-1))),
                       ("12-bit ppm", b"P6 120 90 4095\n" + (rgb >> 4).astype(">u2").tobytes())):
        assert load_image(data).pixels.dtype == np.float32, kind


def test_steps_that_read_color_by_dtype_read_the_levels_as_their_floats():
    """Before: uint16 differences wrapped below 0 (has_color called 1/65535 apart color),
    uint16 was taken for 16-bit gray (no film base removed), clipped as [0, 1] (the mount's
    8-bit copy all but white)."""
    from colorizer.pipeline.mount import _eight_bit

    rgb = _colorization()
    near_gray = np.repeat(rgb[..., :1], 3, axis=-1)
    near_gray[..., 1] += 1  # one level of 65535 apart: gray
    assert has_color(near_gray) is has_color(_old_floats(near_gray)) is False
    assert has_color(rgb) is has_color(_old_floats(rgb)) is True
    assert np.array_equal(_eight_bit(rgb), _eight_bit(_old_floats(rgb)))
    negative = 65535 - rgb
    positive, base = inverted(negative)
    old_positive, old_base = inverted(_old_floats(negative))
    assert positive.dtype == np.float32 and base is old_base is True
    assert np.array_equal(positive, old_positive)
    assert looks_like_color_negative(negative) is looks_like_color_negative(
        _old_floats(negative))


def test_lightness_comparison_is_the_one_of_the_old_floats(tmp_path):
    rgb = _colorization(seed=1)
    color = load_image(_png(tmp_path / "c.png", rgb))
    original = load_image(gray16_png(_gray_of(rgb)))
    new = lineup.line_up(color, original, CheckConfig()).match
    old = lineup.line_up(replace(color, pixels=_old_floats(rgb)), original,
                         CheckConfig()).match
    assert new == old and new.mean_abs > 0  # every figure, to the bit


def test_loading_and_comparing_a_16bit_pair_stays_within_uint16_bounds(tmp_path):
    """tracemalloc (numpy's and OpenCV's arrays): before, the load peaked at about 46 bytes a
    pixel (the float32 RGB, 12, and a band's float temporaries beside the decode); now the
    decode (6) and its uint16 copy (6), and the comparison's L* band by band."""
    height, width = 1500, 2000
    rgb = _colorization(height, width, seed=2)
    color_path = _png(tmp_path / "c.png", rgb)
    original_path = tmp_path / "o.png"
    original_path.write_bytes(gray16_png(_gray_of(rgb)))
    tracemalloc.start()
    try:
        color = load_image(color_path)
        _, load_peak = tracemalloc.get_traced_memory()
        original = load_image(original_path)
        tracemalloc.reset_peak()
        lineup.plain(color, original, CheckConfig())  # the comparison of same-size images
        _, compare_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    pixels = height * width
    file_bytes = color_path.stat().st_size  # the loader holds the file's bytes
    assert load_peak < 12.5 * pixels + file_bytes + (4 << 20), load_peak / pixels
    assert color.pixels.dtype == np.uint16
    # Held: both images' levels (6 + 2 bytes a pixel); made: one full-size float32
    # difference and a band's temporaries.
    assert compare_peak < 16 * pixels + (48 << 20), compare_peak / pixels


def test_a_16bit_gray_negative_reads_the_float_inversion_by_its_own_table():
    """Inverting 16-bit gray as levels (65535 - v) and reading L* from the positives' table
    is not the float path's L* of 1 - v / 65535 on every level (24771 of 65536 differ, by up
    to 7.6e-6 L*); so a negative keeps its own levels, marked (InvertedLevels), read as
    1 - v / 65535 and by a table of the float path run on those (inverted_gray_table)."""
    from colorizer.pipeline.image_pixels import unit_pixels
    from colorizer.pipeline.inverted_levels import InvertedLevels
    from colorizer.pipeline.luminance import (
        deep_gray_table,
        float_lightness,
        inverted_gray_table,
    )

    levels = np.arange(65536, dtype=np.uint16)[None]  # every 16-bit level once
    positive, base = inverted(levels)
    assert isinstance(positive, InvertedLevels) and not base
    assert np.array_equal(unit_pixels(positive), 1.0 - _old_floats(levels))
    by_float = float_lightness(unit_pixels(positive))[0, 0].numpy()
    assert np.array_equal(by_float, inverted_gray_table()[None])
    assert (by_float != deep_gray_table()[65535 - levels]).sum() > 0  # why not that table


@pytest.mark.filterwarnings("ignore::FutureWarning")  # torch's, as gc's objects are looked at
def test_the_8bit_decode_is_let_go_before_the_16bit_read(tmp_path, monkeypatch):
    """Before: Pillow 13's `with image:` kept the 8-bit decode (4 bytes a pixel, 432 MB of a
    108 MP colorization) while OpenCV decoded the file again at 16 bits beside it."""
    import gc

    from colorizer.pipeline import deep_color

    path = _png(tmp_path / "c.png", _colorization())
    decoded_at_read = []
    read_deep = deep_color.read_deep

    def watched(plan, data, loaded):
        gc.collect()
        decoded_at_read.extend(  # images still holding their pixels (closed: a DeferredError)
            o.size for o in gc.get_objects() if isinstance(o, Image.Image)
            and type(getattr(o, "_im", None)).__name__ == "ImagingCore")
        return read_deep(plan, data, loaded)

    monkeypatch.setattr(deep_color, "read_deep", watched)
    loaded = load_image(path)
    assert (120, 90) not in decoded_at_read
    assert loaded.pixels.dtype == np.uint16


@pytest.mark.slow
def test_check_cli_on_a_16bit_rgb_pair_reports_the_old_floats_figures(tmp_path):
    """`chronochrome check` in a subprocess: its lightness figures are those of the
    colorization read as the old floats."""
    rgb = _colorization(180, 240, seed=3)
    colorized = _png(tmp_path / "colorized.png", rgb)
    original = tmp_path / "original.png"
    original.write_bytes(gray16_png(_gray_of(rgb)))
    report = tmp_path / "check.json"
    done = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "check", str(colorized), "--original",
         str(original), "--json", str(report), "--device", "cpu"],
        check=False, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    found = json.loads(report.read_text())
    old = lineup.line_up(replace(load_image(colorized), pixels=_old_floats(rgb)),
                         load_image(original), CheckConfig()).match
    assert found["luminance"] == json.loads(json.dumps(old.to_dict()))
