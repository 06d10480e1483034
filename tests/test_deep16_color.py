"""A 48-bit color scan (16-bit RGB/RGBA PNG or TIFF) is read at 16 bits a channel.

Flatbed software scans black-and-white prints in color mode: 16-bit RGB whose channels are
equal. Pillow decodes 16-bit color to 8 bits, so such a scan was kept at 256 levels. Now its
pixels are those of the same scan saved as 16-bit gray; a sepia scan's are 16-bit color; EXIF
orientation, a matrix/TRC profile and alpha are applied as the 8-bit read applies them; where
that cannot be done (a later TIFF page), the 8-bit read stands and its shown note says why.
Every file is made here: PNGs by hand (Pillow writes color at 8 bits only), TIFFs with
OpenCV or tifffile."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.deep_pixels import more_than_8_bits
from colorizer.pipeline.gray_profile import D50, desc_tag, icc_v2_profile, xyz_tag
from colorizer.pipeline.icc_matrix import srgb_converter
from colorizer.pipeline.image_pixels import has_color, unit_pixels
from colorizer.pipeline.imageio import load_image, shown_notes
from colorizer.pipeline.orientation import turned as turned_image
from tests.heic_files import display_p3

cv2 = pytest.importorskip("cv2")  # a declared dependency: writes 48-bit TIFFs

HEIGHT, WIDTH = 24, 40
GRAY_NOTE = "16-bit RGB of a gray photo read at 16 bits, as grayscale"
COLOR_NOTE = "16-bit color read at 16 bits a channel"


def _tones() -> np.ndarray:
    """(H, W) uint16: a print's smooth tones, most of them between 8-bit levels."""
    t = np.linspace(0.05, 0.95, WIDTH)[None, :] + np.linspace(0.0, 0.04, HEIGHT)[:, None]
    return np.round(np.clip(t, 0, 1) ** 1.3 * 65535).astype(np.uint16)


def _sepia() -> np.ndarray:
    tones = _tones().astype(np.float64)
    rgb = np.stack([np.minimum(tones * 1.08, 65535), tones, tones * 0.8], axis=-1)
    return np.round(rgb).astype(np.uint16)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png16(rgb: np.ndarray, icc: bytes | None = None, exif: bytes | None = None) -> bytes:
    """A 16-bit RGB or RGBA PNG, with an iCCP and an eXIf chunk when given."""
    height, width, channels = rgb.shape
    rows = b"".join(b"\0" + row.astype(">u2").tobytes() for row in rgb)
    header = struct.pack(">IIBBBBB", width, height, 16, 2 if channels == 3 else 6, 0, 0, 0)
    extra = _chunk(b"iCCP", b"scanner\0\0" + zlib.compress(icc)) if icc else b""
    extra += _chunk(b"eXIf", exif[6:]) if exif else b""  # Exif.tobytes() starts "Exif\0\0"
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def gray16_png(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(values).save(buffer, "PNG")  # "I;16": Pillow writes 16-bit gray
    return buffer.getvalue()


def tiff48(path: Path, rgb: np.ndarray) -> Path:
    assert cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]))  # LZW, as scanners
    return path


def test_a_48bit_scan_of_a_gray_print_loads_as_its_16bit_gray_twin(tmp_path):
    tones = _tones()
    rgb = np.repeat(tones[..., None], 3, axis=-1)
    opaque = np.concatenate([rgb, np.full((HEIGHT, WIDTH, 1), 65535, np.uint16)], axis=-1)
    twin = load_image(gray16_png(tones))
    assert twin.pixels.dtype == np.uint16 and twin.pixels.ndim == 2  # its 16-bit values
    for source in (png16(rgb), tiff48(tmp_path / "scan.tif", rgb), png16(opaque)):
        loaded = load_image(source)
        # Was (H, W, 3) uint8 (256 levels, 0.52 L* off) with a shown "read at 8 bits" note;
        # then float32 (4 bytes a pixel); now the twin's very levels (2 bytes).
        assert loaded.pixels.dtype == np.uint16 and loaded.pixels.shape == (HEIGHT, WIDTH)
        assert np.array_equal(loaded.pixels, twin.pixels)  # the same levels, the same floats
        assert not loaded.is_color and more_than_8_bits(loaded)
        assert GRAY_NOTE in loaded.notes and shown_notes(loaded.notes) == []


def test_a_sepia_48bit_scan_keeps_its_16_bits_in_color():
    sepia = _sepia()
    loaded = load_image(png16(sepia))
    assert loaded.pixels.dtype == np.uint16 and loaded.pixels.shape == (HEIGHT, WIDTH, 3)
    assert np.array_equal(loaded.pixels, sepia)  # its levels: 2 bytes a channel, not float32
    np.testing.assert_allclose(unit_pixels(loaded.pixels), sepia / 65535, atol=1e-7)
    assert loaded.is_color and COLOR_NOTE in loaded.notes
    assert "color input reduced to luminance" in loaded.notes
    assert not any("read at 8 bits" in note for note in loaded.notes)


def test_translucent_16bit_rgba_is_composited_on_white_at_16_bits():
    tones = _tones()
    alpha = np.full((HEIGHT, WIDTH, 1), 32768, np.uint16)
    rgba = np.concatenate([np.repeat(tones[..., None], 3, axis=-1), alpha], axis=-1)
    loaded = load_image(png16(rgba))
    a = np.float32(32768 / 65535)
    expected = tones.astype(np.float32) / np.float32(65535) * a + (np.float32(1) - a)
    assert loaded.pixels.shape == (HEIGHT, WIDTH)  # still gray: composited on white
    np.testing.assert_allclose(loaded.pixels, expected, atol=2e-6)
    assert "alpha composited on white" in loaded.notes and GRAY_NOTE in loaded.notes


def test_exif_orientation_and_a_matrix_profile_are_applied_as_the_8bit_read_applies_them(
        tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # the scan is stored turned; a viewer shows it upright
    path = tmp_path / "turned.png"
    path.write_bytes(png16(_sepia(), icc=display_p3(), exif=exif.tobytes()))
    loaded = load_image(path)
    with Image.open(path) as image:  # a PIL image in: the 8-bit read, littleCMS's profile
        eight_bit = load_image(image).pixels
    assert loaded.size == (HEIGHT, WIDTH) and loaded.pixels.shape == (WIDTH, HEIGHT, 3)
    assert eight_bit.dtype == np.uint8 and eight_bit.shape == loaded.pixels.shape
    difference = np.abs(loaded.pixels - eight_bit / np.float32(255))
    assert difference.mean() < 1 / 255 and difference.max() < 3 / 255
    upright = np.rot90(_sepia(), k=-1)  # orientation 6: turned a quarter clockwise
    expected = srgb_converter(display_p3()).from_float(upright / np.float32(65535))
    np.testing.assert_allclose(loaded.pixels, expected, atol=1e-6)
    assert "EXIF orientation 6 applied" in loaded.notes and COLOR_NOTE in loaded.notes
    assert "embedded ICC profile 'Display P3' converted to sRGB" in loaded.notes


def test_a_profile_that_does_not_fit_is_ignored_at_16_bits_as_the_8bit_read_ignores_it():
    gray_profile = icc_v2_profile(b"GRAY", {b"desc": desc_tag("Gray 2.2"),
                                            b"wtpt": xyz_tag(*D50),
                                            b"kTRC": b"curv\0\0\0\0" + struct.pack(">IH", 1, 563)})
    sepia = _sepia()
    loaded = load_image(png16(sepia, icc=gray_profile))
    assert np.array_equal(loaded.pixels, sepia)  # taken as sRGB: its own levels
    assert any("does not fit" in note for note in shown_notes(loaded.notes))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_turned_values_match_pillows_turn(orientation):
    from colorizer.pipeline.deep_color import turned

    values = np.arange(5 * 7, dtype=np.uint8).reshape(5, 7)
    expected = np.asarray(turned_image(Image.fromarray(values), orientation))
    assert np.array_equal(turned(values, orientation), expected)


def test_a_tiff_whose_full_size_page_is_not_first_keeps_the_8bit_read_and_says_why(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    sepia = _sepia()
    path = tmp_path / "pages.tif"
    with tifffile.TiffWriter(path) as tiff:
        tiff.write(sepia[::4, ::4], photometric="rgb")  # a preview first
        tiff.write(sepia, photometric="rgb")
    loaded = load_image(path)
    assert loaded.pixels.dtype == np.uint8 and loaded.size == (WIDTH, HEIGHT)
    assert ("16-bit color read at 8 bits a channel (its full-size page is not its first, "
            "which the 16-bit reader reads)") in shown_notes(loaded.notes)


def test_has_color_counts_a_spread_above_3_levels_as_color():
    for spread, expected in ((3, False), (4, True)):
        pixels = np.full((4, 5, 3), 100, np.uint8)
        pixels[2, 3] = (100 + spread, 100, 100 + spread // 2)
        assert has_color(pixels) is expected
    for spread, expected in ((0.01, False), (0.02, True)):  # float: more than 3/255 = 0.0118
        pixels = np.full((4, 5, 3), 0.5, np.float32)
        pixels[1, 4, 1] += np.float32(spread)
        assert has_color(pixels) is expected
    assert has_color(np.full((4, 5), 7, np.uint8)) is False


def test_a_scanners_private_tiff_tags_do_not_reach_stderr(tmp_path, capfd):
    tifffile = pytest.importorskip("tifffile")
    path = tmp_path / "scanner.tif"
    tifffile.imwrite(path, _sepia(), photometric="rgb",
                     extratags=[(65000, "s", 0, "scanner settings", True)])
    loaded = load_image(path)
    assert loaded.pixels.dtype == np.uint16 and COLOR_NOTE in loaded.notes
    # OpenCV's libtiff said "TIFFReadDirectory: Unknown field with tag 65000" on stderr.
    assert "Unknown field" not in capfd.readouterr().err


def test_pixels_that_do_not_match_the_8bit_read_keep_it_and_say_why():
    from dataclasses import replace

    from colorizer.pipeline.deep_color import plan_for, read_deep

    data = png16(_sepia())
    with Image.open(io.BytesIO(data)) as image:
        loaded = load_image(image)  # a PIL image in: the 8-bit read, not read again
        plan, light = plan_for(image, loaded)
    assert light.pixels.size == 0  # let go while the 16-bit read runs
    # As if the two decoders disagreed: the 16-bit read turned upside down, Pillow's not.
    kept = read_deep(replace(plan, orientation=3), data, light)
    assert kept.pixels.dtype == np.uint8 and np.array_equal(kept.pixels, loaded.pixels)
    assert ("16-bit color read at 8 bits a channel (the 16-bit decoder read other pixels than "
            "Pillow)") in shown_notes(kept.notes)
    assert read_deep(plan, data, light).pixels.dtype == np.uint16
