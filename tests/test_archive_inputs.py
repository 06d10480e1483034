"""Files as scanners, phones and archives write them, through the command line: scanner
formats (PGM/PPM at 8 and 16 bits, PCX), AVIF and HEIC, color inputs whose own colors the
output replaces, and phone JPEGs turned by their EXIF orientation. Every file is made here."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.cli import main
from colorizer.errors import UnsupportedImageError
from colorizer.pipeline.image_pixels import unit_pixels
from colorizer.pipeline.imageio import SUPPORTED_SUFFIXES, load_image, shown_notes
from colorizer.pipeline.iso_container import iso_media_problem
from tests.image_cases import ORIENTATION

RAMP = np.linspace(0, 1, 48 * 32).reshape(32, 48)


def _run(tiny_weights, *args):
    return main(["colorize", "--weights", str(tiny_weights), "--device", "cpu",
                 "--render-size", "64", "--no-context", "--no-exemplars", *map(str, args)])


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of 8-bit sRGB pixels (H, W, 3), as a viewer shows them."""
    c = rgb.astype(np.float64) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


def _pgm16(values: np.ndarray) -> bytes:
    """A 16-bit PGM as `scanimage --depth 16 --format=pnm` writes it (big-endian)."""
    height, width = values.shape
    return f"P5\n{width} {height}\n65535\n".encode() + values.astype(">u2").tobytes()


def test_scanner_formats_in_a_folder_are_colorized_with_their_lightness(tiny_weights, tmp_path,
                                                                        capsys):
    # SANE's scanimage writes PNM, old scanner software PCX: a folder of them was skipped
    # ("folder holds no image files"), and a file named was "not a recognised image file".
    scans = tmp_path / "scans"
    scans.mkdir()
    gray = (RAMP * 255).round().astype(np.uint8)
    Image.fromarray(gray).save(scans / "page.pgm")
    Image.fromarray(gray).save(scans / "card.pcx")
    Image.fromarray(np.stack([gray] * 3, -1)).save(scans / "print.ppm")
    (scans / "master.pgm").write_bytes(_pgm16(np.round(RAMP * 65535)))
    out = tmp_path / "out"
    assert _run(tiny_weights, scans, "-o", out) == 0
    assert "4 colorized, 0 skipped" in capsys.readouterr().out
    expected = _lightness(np.stack([gray] * 3, -1))
    for stem in ("page", "card", "print", "master"):
        colorized = np.asarray(Image.open(out / f"{stem}.png").convert("RGB"))
        assert colorized.shape == (32, 48, 3)
        assert np.abs(_lightness(colorized) - expected).max() < 0.6, stem


def test_a_dark_16bit_pgm_is_read_as_16_bits_not_guessed_from_its_brightest_pixel(tmp_path):
    # An underexposed 16-bit scan whose values stay under 256 would have been taken as 8-bit
    # 32-bit integers (Pillow reads a 16-bit PGM as "I") and shown 257 times too bright.
    values = np.round(RAMP * 200)
    path = tmp_path / "dark.pgm"
    path.write_bytes(_pgm16(values))
    loaded = load_image(path)
    assert loaded.source_format == "PPM" and loaded.pixels.dtype == np.uint16
    np.testing.assert_array_equal(loaded.pixels, values)  # its 16-bit values, as stored
    np.testing.assert_allclose(unit_pixels(loaded.pixels), values / 65535, atol=1e-7)
    assert "16-bit grayscale scaled to [0,1]" in loaded.notes


def test_16bit_color_ppm_is_read_at_16_bits(tmp_path):
    # Was read at 8 bits, with a shown note (tests/test_archive_formats.py has more cases).
    values = np.random.default_rng(0).integers(0, 65536, (4, 5, 3))
    path = tmp_path / "slide.ppm"
    path.write_bytes(b"P6\n5 4\n65535\n" + values.astype(">u2").tobytes())
    loaded = load_image(path)
    assert "read at 8 bits" not in " ".join(shown_notes(loaded.notes))
    # kept as its 16-bit levels (image_pixels.py), which read as the floats they stand for
    assert loaded.pixels.dtype == np.uint16 and np.array_equal(loaded.pixels, values)
    np.testing.assert_allclose(loaded.rgb, values / 65535, atol=1e-6)


@pytest.mark.skipif(".avif" not in SUPPORTED_SUFFIXES, reason="Pillow without its AVIF decoder")
def test_an_avif_photo_is_read(tmp_path):
    path = tmp_path / "phone.avif"
    Image.fromarray((RAMP * 255).astype(np.uint8)).convert("RGB").save(path, quality=100)
    loaded = load_image(path)
    assert loaded.source_format == "AVIF" and loaded.size == (48, 32)
    np.testing.assert_allclose(loaded.rgb[..., 0], RAMP, atol=4 / 255)


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\0\0\0\0" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + bytes(64)


def test_a_heic_photo_gets_an_error_that_says_heic_and_how_to_convert_it(tmp_path):
    # It said "is a HEIC/AVIF/MP4 container": the owner of an iPhone photo had to guess.
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(_ftyp(b"heic", b"mif1", b"heic"))
    with pytest.raises(UnsupportedImageError) as caught:
        load_image(path)
    message = str(caught.value)
    assert "is a HEIC/HEIF photo" in message and "heif-convert" in message
    assert "Most Compatible" in message  # a phone user's way, not only a desktop's
    assert str(path) in message and caught.value.reason == "unsupported"


def test_an_iso_media_file_is_named_by_its_brands():
    avif = iso_media_problem(_ftyp(b"mif1", b"avif", b"miaf"), "PNG")
    assert avif[0] == "is an AVIF image and this Pillow has no AVIF decoder"
    assert "Pillow 11.2" in avif[1]
    video = iso_media_problem(_ftyp(b"isom", b"iso2", b"mp41"), "PNG")
    assert video[0].startswith("is a video") and "PNG" in video[1]


def test_a_hand_tinted_print_says_its_own_colors_are_not_kept(tiny_weights, tmp_path, capsys):
    # The note was in the report only: a batch replaced a print's hand tinting in silence.
    gray = np.stack([(RAMP * 255).astype(np.uint8)] * 3, -1)
    tinted = gray.copy()
    tinted[:16, :24] = (tinted[:16, :24] * np.array([1.0, 0.8, 0.8])).astype(np.uint8)
    path = tmp_path / "tinted.png"
    Image.fromarray(tinted).save(path)
    assert _run(tiny_weights, path, "-o", tmp_path / "out") == 0
    assert f"note: {path}: color input reduced to luminance" in capsys.readouterr().err
    colorized = np.asarray(Image.open(tmp_path / "out" / "tinted.png").convert("RGB"))
    assert np.abs(_lightness(colorized) - _lightness(tinted)).max() < 0.6


@pytest.mark.parametrize("orientation", range(2, 9))
def test_a_phone_jpeg_comes_out_upright_and_is_not_turned_again(tiny_weights, tmp_path,
                                                                orientation):
    upright = Image.fromarray((RAMP * 255).astype(np.uint8)).convert("RGB")
    stored = upright.transpose({2: 0, 3: 3, 4: 1, 5: 5, 6: 2, 7: 6, 8: 4}[orientation])
    exif = Image.Exif()
    exif[ORIENTATION], exif[0x010F] = orientation, "Apple"
    path = tmp_path / "IMG.jpg"
    stored.save(path, quality=100, exif=exif.tobytes())
    assert _run(tiny_weights, path, "-o", tmp_path / "out") == 0
    with Image.open(tmp_path / "out" / "IMG.png") as colorized:
        assert colorized.size == (48, 32)
        assert colorized.getexif().get(ORIENTATION) in (None, 1)  # a viewer turns it no more
        assert colorized.getexif().get(0x010F) == "Apple"
        shown = _lightness(np.asarray(upright))
        assert np.abs(_lightness(np.asarray(colorized.convert("RGB"))) - shown).mean() < 1.0
