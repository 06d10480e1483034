"""16-bit gray with a gray ICC profile, and 16-bit PGMs, are read a band of rows at a time: no
whole copy of the 16-bit values, the same float32 pixels to the bit.

User audit (108 MP scans, `load_image` peak RSS): a 16-bit gray PNG tagged "Dot Gain 20%" was
copied whole to uint16 before its profile table was looked up (1206 MB, now 1008 MB), and a
16-bit PGM (scanimage --depth 16; Pillow's 32-bit "I") was converted to a whole "I;16" copy
before scaling (1472 MB, now 1271 MB).

Peaks: NumPy's through tracemalloc; Pillow's own memory only shows in a child's peak RSS
(VmHWM, reset with /proc/self/clear_refs after a first load, so imports do not count)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.image_pixels import to_srgb, unit_pixels
from colorizer.pipeline.imageio import load_image
from tests import icc_profiles

# Wider than a band (about a million pixels) allows in one, with a part band at the bottom.
ODD_SIZE = (4097, 513)


def _values(size: tuple[int, int], seed: int = 7, top: int = 65536) -> np.ndarray:
    width, height = size
    return np.random.default_rng(seed).integers(0, top, (height, width)).astype(np.uint16)


def _pgm(path, values: np.ndarray, maxval: int = 65535):
    """A binary PGM as scanimage writes it: big-endian 16-bit samples."""
    height, width = values.shape
    path.write_bytes(f"P5\n{width} {height}\n{maxval}\n".encode() + values.astype(">u2").tobytes())
    return path


def _profile_table(tmp_path, profile: bytes) -> np.ndarray:
    """What the loader makes of each of the 65,536 levels under `profile` (one small image)."""
    levels = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    Image.fromarray(levels).save(tmp_path / "levels.png", icc_profile=profile)
    return load_image(tmp_path / "levels.png").pixels.reshape(-1)


@pytest.mark.parametrize("size", [(1, 1), (3, 7), ODD_SIZE, (513, 4097)])
def test_16bit_pgm_loads_as_the_same_values_in_a_png(tmp_path, size):
    values = _values(size)
    Image.fromarray(values).save(tmp_path / "scan.png")
    from_pgm = load_image(_pgm(tmp_path / "scan.pgm", values))
    from_png = load_image(tmp_path / "scan.png")
    assert from_pgm.pixels.dtype == np.uint16 and from_pgm.pixels.shape == values.shape
    assert np.array_equal(from_pgm.pixels, from_png.pixels)
    assert np.array_equal(from_pgm.pixels, values)
    assert np.array_equal(unit_pixels(from_pgm.pixels),
                          values.astype(np.float32) / np.float32(65535.0))
    assert from_pgm.notes == ("16-bit grayscale scaled to [0,1]",)


def test_dark_16bit_pgm_is_scaled_by_65535_not_by_its_brightest_pixel(tmp_path):
    """Values all at most 255 in a maxval-65535 PGM are a very dark 16-bit scan, not 8-bit."""
    values = _values(ODD_SIZE, top=256)
    loaded = load_image(_pgm(tmp_path / "dark.pgm", values))
    unit = unit_pixels(loaded.pixels)
    assert np.array_equal(unit, values.astype(np.float32) / np.float32(65535.0))
    assert float(unit.max()) < 0.004


@pytest.mark.parametrize(("profile", "suffix"),
                         [(icc_profiles.dot_gain(), ".png"), (icc_profiles.gray_gamma(2.2), ".tif")],
                         ids=["dot-gain-png", "gray-gamma-tif"])
def test_profiled_16bit_gray_is_its_profile_table_to_the_bit(tmp_path, profile, suffix):
    values = _values(ODD_SIZE)
    Image.fromarray(values).save(tmp_path / f"master{suffix}", icc_profile=profile)
    loaded = load_image(tmp_path / f"master{suffix}")
    assert loaded.pixels.dtype == np.float32
    assert np.array_equal(loaded.pixels, _profile_table(tmp_path, profile)[values])
    assert any("applied to the 16-bit gray values" in note for note in loaded.notes)


def test_profiled_16bit_gray_makes_no_whole_uint16_copy(tmp_path):
    """12 MP, NumPy's memory while the decoded frame is brought to sRGB (`to_srgb`; the whole
    `load_image` counts a 1 GB read buffer that is never touched): the 45.8 MB result, a band
    (2 MB of values, 4 MB looked up) and the 65,536-level table now; the old whole uint16
    copy (22.9 MB) beside the result made it 70.1 MB, 1.53 times the result (now 52.1)."""
    values = _values((4000, 3000))
    Image.fromarray(values).save(tmp_path / "master.png", icc_profile=icc_profiles.dot_gain())
    with Image.open(tmp_path / "master.png") as image:
        image.load()
        profile = image.info["icc_profile"]
        to_srgb(image, profile, "master.png")  # once: littleCMS's first-use buffers
        tracemalloc.start()
        try:
            pixels, notes = to_srgb(image, profile, "master.png")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert np.array_equal(pixels, _profile_table(tmp_path, icc_profiles.dot_gain())[values])
    assert notes[-1] == "embedded ICC profile 'Dot Gain 20%' applied to the 16-bit gray values"
    result = pixels.nbytes
    assert peak < 1.35 * result, f"{peak / 2**20:.1f} MB for a {result / 2**20:.1f} MB result"


_PEAK_CHILD = textwrap.dedent("""
    import sys
    from colorizer.pipeline.imageio import load_image

    def status_mb(field):
        return int(open("/proc/self/status").read().split(field)[1].split()[0]) / 1024

    load_image(sys.argv[1], max_pixels=10**9)  # once: libraries' first-use buffers
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM to the RSS now
    before = status_mb("VmRSS:")
    loaded = load_image(sys.argv[1], max_pixels=10**9)
    print(status_mb("VmHWM:") - before, loaded.pixels.nbytes / 2**20)
""")


def test_16bit_pgm_load_makes_no_whole_16bit_copy(tmp_path):
    """12 MP: the file's bytes (2 bytes a pixel, read whole by the loader), Pillow's 32-bit
    "I" (4) and the uint16 result (2) are held, 8.9 bytes a pixel at the peak; with a float32
    result (4) it was 10.9, and the old whole "I;16" conversion added 2 more (12.6)."""
    width, height = 4000, 3000
    path = _pgm(tmp_path / "scan.pgm", _values((width, height)))
    done = subprocess.run([sys.executable, "-c", _PEAK_CHILD, str(path)], capture_output=True,
                          text=True, timeout=300, check=True)
    peak, held = (float(text) for text in done.stdout.split())
    pixels_mb = width * height / 2**20
    assert held == pytest.approx(2 * pixels_mb)  # (H, W) uint16, its values
    assert peak < 9.6 * pixels_mb, f"load peaked {peak:.0f} MB above its start"
