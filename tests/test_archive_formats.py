"""The formats a digitisation project's collection holds, read at their own depth or refused
with what to do: a 16-bit color PPM (scanimage's 48-bit scan, a 12-bit scanner's maxval
4095) and a 16-bit color JPEG 2000 (.jp2, .j2k: archives' and IIIF servers' masters) were
read at 8 bits a channel (the JPEG 2000 without a word); a camera raw (DNG) was colorized as
the small preview inside it, or called a damaged download. Every file is made here."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import FLAGS
from PIL import Image

from colorizer.errors import UnsupportedImageError
from colorizer.pipeline.image_pixels import unit_pixels
from colorizer.pipeline.imageio import load_image, shown_notes
from tests.icc_profiles import adobe_rgb, dot_gain, gray_gamma, jp2_with_icc
from tests.raw_files import write_dng

cv2 = pytest.importorskip("cv2")  # a declared dependency: writes 16-bit JPEG 2000

REPO = Path(__file__).resolve().parents[1]
HEIGHT, WIDTH = 32, 48  # OpenJPEG needs 32 pixels a side for its 6 resolutions
READ_AT_16 = "16-bit color read at 16 bits a channel"


def _sepia16() -> np.ndarray:
    """(H, W, 3) uint16 tones of a sepia print, smooth, with values between 8-bit levels."""
    t = np.linspace(0.05, 0.95, WIDTH)[None, :] * np.linspace(0.8, 1.0, HEIGHT)[:, None]
    rgb = np.stack([t ** 0.9, t, t ** 1.15], axis=-1)
    return np.round(rgb * 65535).astype(np.uint16)


def _ppm(values: np.ndarray, maxval: int) -> bytes:
    """A binary PNM as scanimage writes it: P6 (color) or P5 (gray), big-endian at 16 bits."""
    magic = b"P6" if values.ndim == 3 else b"P5"
    header = magic + f"\n# scanimage\n{values.shape[1]} {values.shape[0]}\n{maxval}\n".encode()
    return header + values.astype(">u2").tobytes()


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB in [0, 1], (H, W, 3), with sRGB's own luminance row."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126729, 0.7151522, 0.0721750])
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


def test_a_2mp_48bit_ppm_loads_in_seconds_not_a_minute(tmp_path):
    # Pillow decodes a PNM whose maxval is not 255 with a Python loop over every sample:
    # ~10 s for these 2 MP on a busy 2-core machine (55-62 s for a 12 MP scan); now ~0.5 s.
    ramp = np.repeat(np.linspace(0, 65535, 1600 * 1250).reshape(1250, 1600, 1), 3, -1)
    path = tmp_path / "scan.ppm"
    path.write_bytes(_ppm(np.round(ramp), 65535))
    start = time.perf_counter()
    loaded = load_image(path)
    assert time.perf_counter() - start < 5.0
    assert loaded.pixels.shape == (1250, 1600) and loaded.pixels.dtype == np.uint16


def _jp2(path: Path, rgb16: np.ndarray) -> Path:
    """A 16-bit color JPEG 2000 as OpenCV (OpenJPEG) writes it."""
    assert cv2.imwrite(str(path), rgb16[..., ::-1])
    return path


def _codestream(jp2: bytes) -> bytes:
    """The bare codestream (.j2k) inside a .jp2: its jp2c box's contents."""
    return jp2[jp2.index(b"jp2c") + 4:]


def _decoded16(path: Path) -> np.ndarray:
    """The file's RGB as OpenJPEG decodes it, in [0, 1]: the reference a lossy file keeps."""
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)[..., ::-1].astype(np.float64) / 65535


def test_a_48bit_color_ppm_is_read_at_16_bits(tmp_path):
    values = _sepia16()
    path = tmp_path / "print.ppm"
    path.write_bytes(_ppm(values, 65535))
    loaded = load_image(path)
    # Was (H, W, 3) uint8 with the shown note "16-bit color read at 8 bits a channel".
    assert loaded.pixels.dtype == np.uint16 and loaded.pixels.shape == (HEIGHT, WIDTH, 3)
    np.testing.assert_allclose(unit_pixels(loaded.pixels), values / 65535, atol=1e-6)
    assert READ_AT_16 in loaded.notes
    assert not any("read at 8 bits" in note for note in shown_notes(loaded.notes))


@pytest.mark.parametrize("plain", [False, True])
def test_a_12bit_ppm_is_scaled_by_its_maxval_not_by_16_bits(tmp_path, plain):
    values = _sepia16() >> 4  # 0..4095, as a 12-bit scanner writes them
    path = tmp_path / "slide.ppm"
    text = f"P3\n{WIDTH} {HEIGHT}\n4095\n" + " ".join(map(str, values.ravel())) + "\n"
    path.write_bytes(text.encode() if plain else _ppm(values, 4095))
    loaded = load_image(path)  # the plain (ASCII) one was read at 8 bits without a note
    np.testing.assert_allclose(loaded.pixels, values / 4095, atol=1e-6)


def test_a_gray_print_scanned_as_48bit_ppm_loads_as_its_16bit_pgm_twin(tmp_path):
    tones = _sepia16()[..., 1]
    (tmp_path / "print.ppm").write_bytes(_ppm(np.repeat(tones[..., None], 3, -1), 65535))
    (tmp_path / "twin.pgm").write_bytes(_ppm(tones, 65535))
    loaded = load_image(tmp_path / "print.ppm")
    assert loaded.pixels.shape == (HEIGHT, WIDTH) and not loaded.is_color
    twin = load_image(tmp_path / "twin.pgm").pixels  # (H, W) uint16, its values
    np.testing.assert_array_equal(unit_pixels(loaded.pixels), unit_pixels(twin))
    assert "16-bit RGB of a gray photo read at 16 bits, as grayscale" in loaded.notes


@pytest.mark.parametrize("suffix", [".jp2", ".j2k"])
def test_a_16bit_color_jpeg2000_is_read_at_16_bits(tmp_path, suffix):
    source = _jp2(tmp_path / "master.jp2", _sepia16())
    path = tmp_path / f"master{suffix}"
    if suffix == ".j2k":
        path.write_bytes(_codestream(source.read_bytes()))
    loaded = load_image(path)
    # Was (H, W, 3) uint8 (Pillow decodes color JPEG 2000 to 8 bits), and no note said so.
    assert loaded.pixels.dtype == np.uint16 and loaded.pixels.shape == (HEIGHT, WIDTH, 3)
    np.testing.assert_allclose(unit_pixels(loaded.pixels), _decoded16(source), atol=1e-6)
    assert READ_AT_16 in loaded.notes


def test_an_8bit_color_jpeg2000_stays_8_bits(tmp_path):
    path = _jp2(tmp_path / "access.jp2", (_sepia16() >> 8).astype(np.uint8))
    loaded = load_image(path)
    assert loaded.pixels.dtype == np.uint8
    assert not any("read at" in note for note in loaded.notes)


@pytest.mark.parametrize(("mode", "profile"), [("L", "dot gain"), ("I;16", "gray gamma"),
                                               ("RGB", "adobe rgb")])
def test_a_jp2s_icc_profile_is_applied_as_a_tiffs_is(tmp_path, mode, profile):
    icc = {"dot gain": dot_gain, "gray gamma": gray_gamma, "adobe rgb": adobe_rgb}[profile]()
    sepia = _sepia16()
    pixels = {"L": (sepia[..., 1] >> 8).astype(np.uint8), "I;16": sepia[..., 1],
              "RGB": (sepia >> 8).astype(np.uint8)}[mode]
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG2000")  # lossless
    (tmp_path / "master.jp2").write_bytes(jp2_with_icc(buffer.getvalue(), icc))
    image.save(tmp_path / "twin.tif", icc_profile=icc)
    loaded = load_image(tmp_path / "master.jp2")
    # Was taken as sRGB (Pillow skips the box): L* up to 11 (dot gain), 3.3 (gray gamma 2.2)
    # and 4.6 (Adobe RGB) off the same scan as a TIFF with its profile, on a real photo.
    np.testing.assert_array_equal(loaded.pixels, load_image(tmp_path / "twin.tif").pixels)
    assert any(note.startswith("embedded ICC profile") for note in loaded.notes)


def _dng(path: Path, preview_first: bool) -> Path:
    """A DNG of the sepia scan's mosaic (tests/raw_files.py)."""
    return write_dng(path, _sepia16()[..., 1], (_sepia16()[::4, ::4] >> 8).astype(np.uint8),
                     preview_first)


@pytest.mark.parametrize("preview_first", [True, False])
def test_a_dng_is_refused_as_a_camera_raw(tmp_path, preview_first):
    path = _dng(tmp_path / "IMG_0001.dng", preview_first)
    with pytest.raises(UnsupportedImageError) as caught:
        # Was: the 12x8 preview, colorized; or, with the mosaic first, "starts like a TIFF
        # file but its header is incomplete or corrupt" (re-download it).
        load_image(path.read_bytes(), name="upload")  # by its tag, whatever its name
    assert "is a camera raw file (DNG)" in str(caught.value)
    assert "develop it to a 16-bit TIFF" in str(caught.value)


def _chronochrome(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *map(str, args)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def _read_unit(path: Path) -> tuple[np.ndarray, int]:
    values = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    bits = 16 if values.dtype == np.uint16 else 8
    return values[..., 2::-1].astype(np.float64) / (2 ** bits - 1), bits


@pytest.mark.slow  # one colorize run of four files: ~15 s on a busy 2-core machine
def test_an_archivists_folder_through_the_command_line(tiny_weights, tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    values = _sepia16()
    (scans / "slide.ppm").write_bytes(_ppm(values, 65535))
    _jp2(scans / "master.jp2", values)
    _dng(scans / "camera.dng", preview_first=True)
    out = tmp_path / "out"
    run = _chronochrome("colorize", "--weights", tiny_weights, *FLAGS,
                        scans / "slide.ppm", scans / "master.jp2", scans / "camera.dng",
                        "-o", out)
    assert run.returncode == 1, run.stderr  # one file failed, the others were colorized
    assert "2 colorized" in run.stdout and "1 failed" in run.stdout
    assert "Traceback" not in run.stderr and "read at 8 bits" not in run.stderr
    refusal = [line for line in run.stderr.splitlines() if "camera.dng:" in line]
    assert len(refusal) == 1 and "is a camera raw file (DNG)" in refusal[0], run.stderr
    assert not (out / "camera.png").exists()
    for name, given in (("slide.png", values / 65535), ("master.png", _decoded16(scans /
                                                                                 "master.jp2"))):
        colorized, bits = _read_unit(out / name)
        # Was 8-bit, its L* up to 0.4 (PPM) and 0.6 (JPEG 2000) off the scan's own.
        assert bits == 16, name
        assert np.abs(_lightness(colorized) - _lightness(given)).max() < 0.01, name
