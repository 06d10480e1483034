"""16-bit gray scans are held as their uint16 values, not as float32 in [0, 1].

User audit: an archive colorizing 108 MP 16-bit gray scans. `load_image` made them float32
(432 MB, held for the whole run) where the uint16 values (216 MB) do. Every reader of the
pixels scales them where it reads them (`image_pixels.unit_pixels`, to the bit the floats the
loader made before), so the outputs are the bytes they were: the L*, the negative's positive,
16-bit outputs of a 16-bit PGM and 8-bit ones of a PGM holding 8-bit levels, the check's and
the workbench's 8-bit copies, eval's gray levels."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.apps.web.workbench import _display_original
from colorizer.check.thumbnails import as_uint8
from colorizer.pipeline.deep_pixels import more_than_8_bits
from colorizer.pipeline.image_pixels import float_rgb, unit_pixels
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from colorizer.pipeline.negative import as_positive
from eval.negative_look import luminance_of
from tests import icc_profiles

REPO = Path(__file__).resolve().parents[1]
HEIGHT, WIDTH = 40, 56


def _values(seed: int = 0) -> np.ndarray:
    """(HEIGHT, WIDTH) uint16 holding far more than 256 levels, black and white included."""
    values = np.random.default_rng(seed).integers(0, 65536, (HEIGHT, WIDTH), dtype=np.uint16)
    values[0, :2] = (0, 65535)
    return values


def _old_floats(values: np.ndarray) -> np.ndarray:
    """What the loader made of 16-bit gray before: float32 values / 65535."""
    return np.clip(values.astype(np.float32) / np.float32(65535.0), 0, 1)


def _pgm(path: Path, values: np.ndarray, maxval: int = 65535) -> Path:
    path.write_bytes(f"P5\n{values.shape[1]} {values.shape[0]}\n{maxval}\n".encode()
                     + values.astype(">u2").tobytes())
    return path


@pytest.fixture
def scans(tmp_path) -> dict[str, Path]:
    values = _values()
    Image.fromarray(values).save(tmp_path / "scan.png")
    Image.fromarray(values).save(tmp_path / "scan.tif")
    return {"png": tmp_path / "scan.png", "tif": tmp_path / "scan.tif",
            "pgm": _pgm(tmp_path / "scan.pgm", values)}


def test_16bit_gray_is_held_as_its_uint16_values(scans):
    for kind, path in scans.items():
        loaded = load_image(path)
        assert loaded.pixels.dtype == np.uint16, kind  # 2 bytes a pixel, not 4
        assert np.array_equal(loaded.pixels, _values()), kind
        assert np.array_equal(loaded.rgb[..., 0], _old_floats(_values())), kind


def test_unit_pixels_reads_every_compact_dtype_in_0_to_1():
    from colorizer.pipeline.image_pixels import unit_pixels  # the accessor this change adds

    values = _values()
    assert np.array_equal(unit_pixels(values), _old_floats(values))
    assert unit_pixels(values)[0, :2].tolist() == [0.0, 1.0]
    levels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert np.array_equal(unit_pixels(levels), levels.astype(np.float32) / np.float32(255.0))
    floats = _old_floats(values)
    assert unit_pixels(floats) is floats  # float32 pixels are read in place, not copied
    assert np.array_equal(float_rgb(values), np.repeat(floats[..., None], 3, axis=-1))


def test_a_pgm_above_16_bits_is_clamped_as_before(tmp_path):
    # Pillow reads a PGM's values as 32-bit "I"; 65535 is white, as its "I;16" once was.
    loaded = load_image(_pgm(tmp_path / "twelve.pgm", _values() >> 4, maxval=4095))
    assert loaded.pixels.dtype == np.uint16
    assert loaded.pixels.max() <= 65535 and loaded.pixels.min() >= 0


def test_a_gray_profile_still_gives_floats(tmp_path):
    path = tmp_path / "dot_gain.png"
    Image.fromarray(_values()).save(path, icc_profile=icc_profiles.dot_gain())
    loaded = load_image(path)
    assert loaded.pixels.dtype == np.float32  # the profile's table maps to floats
    assert any("Dot Gain 20%" in note for note in loaded.notes)


def test_readers_see_the_floats_the_loader_made_before(scans):
    loaded = load_image(scans["png"])
    old = dataclasses.replace(loaded, pixels=_old_floats(loaded.pixels))
    assert torch.equal(lightness_of(loaded), lightness_of(old))
    assert np.array_equal(loaded.rgb, old.rgb)
    positive = as_positive(loaded, negative=True).pixels
    assert positive.dtype == np.uint16  # its own levels, read inverted (InvertedLevels)
    assert np.array_equal(unit_pixels(positive), as_positive(old, negative=True).pixels)
    assert np.array_equal(as_uint8(loaded.pixels), as_uint8(old.pixels))
    assert as_uint8(loaded.pixels)[0, :2, 0].tolist() == [0, 255]
    shown, shown_before = _display_original(loaded, 32), _display_original(old, 32)
    assert np.array_equal(np.asarray(shown), np.asarray(shown_before))


def test_eval_reads_16bit_gray_levels_as_8_bits(scans):
    # eval/negative_look.py rounded `pixels * 255` to uint8: 16-bit values would wrap around.
    levels = luminance_of(scans["pgm"])
    assert levels.dtype == np.uint8
    assert np.array_equal(levels, np.rint(_old_floats(_values()) * 255.0).astype(np.uint8))


def test_more_than_8_bits_reads_uint16_as_the_floats_did(tmp_path):
    deep = load_image(_pgm(tmp_path / "deep.pgm", _values()))
    eight = load_image(_pgm(tmp_path / "eight.pgm", (_values() >> 8) * 257))
    assert deep.pixels.dtype == eight.pixels.dtype == np.uint16
    assert more_than_8_bits(deep) and not more_than_8_bits(eight)
    # Every 16-bit value: off the 256 levels exactly where its old float said so.
    every = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    levels = _old_floats(every) * np.float32(255.0)
    old = np.abs(levels - np.round(levels)) > 1e-3
    for row in range(256):
        one_row = dataclasses.replace(deep, pixels=every[row:row + 1], source_mode="I")
        assert more_than_8_bits(one_row) == bool(old[row].any())


def _chronochrome(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *map(str, args)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.mark.slow  # one colorize run of two photos with the tiny model
def test_colorize_writes_16_bits_for_a_16bit_pgm_and_8_for_8bit_levels(tmp_path, tiny_weights):
    folder = tmp_path / "scans"
    folder.mkdir()
    ramp = np.linspace(2000, 60000, WIDTH)[None, :] + np.zeros((HEIGHT, 1))
    _pgm(folder / "deep.pgm", np.round(ramp).astype(np.uint16) | 1)  # odd: off 8-bit levels
    _pgm(folder / "eight.pgm", (np.round(ramp).astype(np.uint16) >> 8) * 257)
    out = tmp_path / "out"
    run = _chronochrome("colorize", "--weights", tiny_weights, "--device", "cpu",
                        "--no-context", "--format", "png", folder, "-o", out)
    assert run.returncode == 0, run.stderr
    deep = cv2.imread(str(out / "deep.png"), cv2.IMREAD_UNCHANGED)
    eight = cv2.imread(str(out / "eight.png"), cv2.IMREAD_UNCHANGED)
    assert deep.dtype == np.uint16 and deep.shape == (HEIGHT, WIDTH, 3)
    assert eight.dtype == np.uint8 and eight.shape == (HEIGHT, WIDTH, 3)
    # The tones left to right are the scan's: its L* was read from the uint16 values.
    gray = deep.astype(np.float64).mean(axis=2)
    assert (np.diff(gray.mean(axis=0)) > 0).mean() > 0.9
