"""A 10-bit HEIC (an HDR phone photo's depth) is read at its depth, as a 16-bit PNG master is:
its pixels keep their 1024 levels (white is white: pillow-heif shifts 10 bits to 16, so 65472
is its top), a Display P3 profile is applied in float, and the colorized PNG or TIFF comes out
at 16 bits a channel with the input's L*, through the command line (a real subprocess).
Where that cannot be done (a profile that is no matrix/TRC), the 8-bit read and its note stand.
Every HEIC is made here with pillow-heif's own encoder."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import FLAGS
from PIL import Image, ImageCms

from colorizer.pipeline.deep_pixels import more_than_8_bits
from colorizer.pipeline.gray_profile import D50, desc_tag, icc_v2_profile, xyz_tag
from colorizer.pipeline.imageio import load_image, shown_notes
from tests.heic_files import DISPLAY_P3, display_p3, iphone_exif

pillow_heif = pytest.importorskip("pillow_heif")
cv2 = pytest.importorskip("cv2")  # reads 16-bit PNGs as stored (Pillow reads them at 8 bits)

EIGHT_BIT_NOTE = "10-bit color read at 8 bits a channel (pillow-heif decodes color to 8 bits)"
HEIGHT, WIDTH = 24, 160


def _sky_10bit() -> np.ndarray:
    """A smooth orange-to-blue sky at 10 bits, stored as pillow-heif takes it (<< 6)."""
    t = np.linspace(0.0, 1.0, WIDTH)[None, :, None] + np.linspace(0, 0.03, HEIGHT)[:, None, None]
    rgb = (1 - t) * np.array([0.85, 0.55, 0.30]) + t * np.array([0.35, 0.50, 0.80])
    return (np.round(np.clip(rgb, 0, 1) * 1023).astype(np.uint16) << 6)


def _heic(path: Path, values: np.ndarray, **save_options: object) -> Path:
    mode = "RGB;16" if values.ndim == 3 else "L;16"
    height, width = values.shape[:2]
    heif = pillow_heif.from_bytes(mode=mode, size=(width, height), data=values.tobytes())
    heif.save(path, quality=-1, chroma=444, **save_options)  # lossless: values survive
    return path


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB pixels in [0, 1] (H, W, 3), with sRGB's own luminance row."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126729, 0.7151522, 0.0721750])
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


def test_a_10_bit_heic_keeps_its_1024_levels_and_its_white(tmp_path):
    ramp = (np.arange(1024, dtype=np.uint16).reshape(16, 64) << 6)
    loaded = load_image(_heic(tmp_path / "ramp.heic", np.repeat(ramp[..., None], 3, axis=2)))
    # Was (16, 64, 3) uint8: 256 levels, with the shown note that it was read at 8 bits.
    assert loaded.pixels.dtype == np.float32
    assert np.unique(loaded.pixels[..., 1]).size == 1024
    np.testing.assert_allclose(loaded.pixels[..., 1].ravel(), np.arange(1024) / 1023, atol=1e-6)
    assert EIGHT_BIT_NOTE not in loaded.notes and not shown_notes(loaded.notes)
    assert "10-bit color read at its depth (scaled by its white, 10 bits)" in loaded.notes
    assert more_than_8_bits(loaded) and not loaded.is_color


def test_a_10_bit_monochrome_heic_reaches_white(tmp_path):
    gray = (np.arange(1024, dtype=np.uint16).reshape(16, 64) << 6)
    loaded = load_image(_heic(tmp_path / "gray.heic", gray))
    # Was scaled by 65535: white came back 0.99904, and the note said color at 8 bits.
    assert loaded.pixels.shape == (16, 64) and loaded.pixels.max() == 1.0
    np.testing.assert_allclose(loaded.pixels.ravel(), np.arange(1024) / 1023, atol=1e-6)
    assert not any("8 bits" in note or "16-bit" in note for note in loaded.notes)


def test_a_turned_display_p3_10_bit_heic_matches_its_8_bit_read_at_more_bits(tmp_path):
    path = _heic(tmp_path / "phone.heic", _sky_10bit(), exif=iphone_exif(6),
                 icc_profile=display_p3())
    loaded = load_image(path)
    assert loaded.size == (HEIGHT, WIDTH)  # turned upright by orientation 6, as before
    assert "embedded ICC profile 'Display P3' converted to sRGB" in loaded.notes
    eight_bit = np.asarray(Image.open(io.BytesIO(_plugin_srgb(path))))
    assert np.abs(loaded.pixels * 255 - eight_bit).max() <= 1.5  # littleCMS's 8-bit read
    assert np.unique(loaded.pixels[..., 2]).size > 4 * np.unique(eight_bit[..., 2]).size


def _plugin_srgb(path: Path) -> bytes:
    """The loader's old read: pillow-heif's 8 bits, turned, through littleCMS to sRGB."""
    pillow_heif.register_heif_opener()
    with Image.open(path) as image:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
        srgb = ImageCms.profileToProfile(image, profile, ImageCms.createProfile("sRGB"))
        out = io.BytesIO()
        srgb.save(out, "PNG")
        return out.getvalue()


@pytest.mark.parametrize("curve", ["gamma", "para3", "table"])
def test_matrix_profiles_agree_with_littlecms(curve):
    from colorizer.pipeline.icc_matrix import srgb_converter

    pixels = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    profile = _p3_profile(curve)
    srgb = ImageCms.createProfile("sRGB")
    expected = np.asarray(ImageCms.profileToProfile(
        Image.fromarray(pixels), ImageCms.ImageCmsProfile(io.BytesIO(profile)), srgb,
        renderingIntent=ImageCms.Intent.PERCEPTUAL)).astype(float)
    converter = srgb_converter(profile)
    ours = converter.from_float(pixels.astype(np.float32) / 255)
    np.testing.assert_allclose(converter.from_levels(pixels, 255), ours, atol=1e-6)  # table
    assert np.abs(ours * 255 - expected).max() <= 1.0


def _p3_profile(curve: str) -> bytes:
    if curve == "gamma":
        trc = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    elif curve == "para3":  # sRGB's curve, as Apple's Display P3 stores it
        params = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
        trc = b"para\0\0\0\0" + struct.pack(">HH5i", 3, 0, *(round(p * 65536) for p in params))
    else:
        table = np.round((np.linspace(0, 1, 256) ** 1.8) * 65535).astype(">u2").tobytes()
        trc = b"curv\0\0\0\0" + struct.pack(">I", 256) + table
    tags = {b"desc": desc_tag("P3 test"), b"wtpt": xyz_tag(*D50)}
    for signature, primary in zip((b"rXYZ", b"gXYZ", b"bXYZ"), DISPLAY_P3, strict=True):
        tags[signature] = xyz_tag(*primary)
    tags.update({signature: trc for signature in (b"rTRC", b"gTRC", b"bTRC")})
    return icc_v2_profile(b"RGB ", tags)


def test_a_profile_that_is_no_matrix_keeps_the_8_bit_read_and_its_note(tmp_path):
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    loaded = load_image(_heic(tmp_path / "lab.heic", _sky_10bit(), icc_profile=lab))
    assert loaded.pixels.dtype == np.uint8 and EIGHT_BIT_NOTE in shown_notes(loaded.notes)


def test_an_8_bit_heic_is_read_as_before(tmp_path):
    pixels = np.random.default_rng(2).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    heif = pillow_heif.from_pillow(Image.fromarray(pixels))
    heif.save(tmp_path / "plain.heic", quality=-1, chroma=444)
    loaded = load_image(tmp_path / "plain.heic")
    pillow_heif.register_heif_opener()
    with Image.open(tmp_path / "plain.heic") as image:  # pillow-heif's own 8-bit decode
        assert loaded.pixels.dtype == np.uint8 and np.array_equal(loaded.pixels, image)
    assert not any("depth" in note or "bits" in note for note in loaded.notes)


def _cli(weights: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--weights", str(weights),
         *FLAGS, *map(str, args)], capture_output=True, text=True, timeout=300, check=False)


def test_a_10_bit_heic_colorized_comes_out_at_16_bits_like_a_16_bit_png(tiny_weights,
                                                                        tmp_path):
    folder, out = tmp_path / "phone", tmp_path / "out"
    folder.mkdir()
    sky = _sky_10bit()
    _heic(folder / "sky.heic", sky, icc_profile=display_p3())
    Image.fromarray((sky[..., 1] >> 6) * 64).save(folder / "plate.png")  # a 16-bit gray PNG
    run = _cli(tiny_weights, folder, "-o", out)
    assert run.returncode == 0, run.stderr
    assert "read at 8 bits" not in run.stderr
    written = {p.name: cv2.imread(str(p), cv2.IMREAD_UNCHANGED) for p in out.glob("*.png")
               if "uncertainty" not in p.name}
    # Was uint8 for the HEIC (its L* within 0.2 of the input's); the PNG was 16-bit already.
    assert written["sky.png"].dtype == np.uint16 and written["plate.png"].dtype == np.uint16
    given = load_image(folder / "sky.heic").pixels
    colorized = written["sky.png"][..., ::-1].astype(np.float64) / 65535
    assert np.abs(_lightness(colorized) - _lightness(given.astype(np.float64))).max() < 0.01
    jpeg = _cli(tiny_weights, folder / "sky.heic", "-o", tmp_path / "jpg", "--format", "jpg")
    assert jpeg.returncode == 0 and "written at 8 bits a channel" in jpeg.stderr, jpeg.stderr
