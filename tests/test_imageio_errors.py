"""Tests for colorizer.pipeline.imageio's refusals: the pixel cap, and the error family a
damaged, empty, missing or unsupported input meets (each a one-line error naming the input
and the fix); the inputs are generated at test time."""

from __future__ import annotations

import pickle
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile, features

from colorizer.errors import (
    ChronochromeError,
    EmptyFileError,
    ImageLoadError,
    ImageNotFoundError,
    ImageTooLargeError,
    TruncatedImageError,
    UnsupportedImageError,
)
from colorizer.pipeline.imageio import load_image
from tests.image_cases import asymmetric_rgb, encoded, png_chunk, save


@pytest.mark.skipif(not features.check_codec("jpg_2000"), reason="Pillow without OpenJPEG")
def test_a_truncated_jpeg2000_file_is_truncated():
    data = encoded(Image.fromarray(asymmetric_rgb(64, 64)), "JPEG2000")
    expect_error(data[: len(data) // 2], TruncatedImageError, "truncated", "<bytes>")


# --- 7. pixel cap --------------------------------------------------------------------------


def test_pixel_cap_raises_too_large_with_fix(tmp_path):
    path = save(tmp_path, "big.png", Image.new("L", (10, 10)))
    with pytest.raises(ImageTooLargeError) as info:
        load_image(path, max_pixels=99)
    assert info.value.reason == "too_large"
    assert str(path) in str(info.value) and "10x10" in str(info.value)
    # The fix is whole (it once ended at "max_pixels=") and gives the count that would do.
    assert str(info.value).endswith(
        "downscale it first, or raise the limit with --max-pixels 100 (CLI) or "
        "max_pixels=100 (Python)")
    assert load_image(path, max_pixels=100).size == (10, 10)  # the cap itself is allowed


@pytest.mark.parametrize(
    ("image", "size"),
    [(Image.new("L", (0, 0)), "0 x 0"), (Image.new("RGB", (5, 0)), "5 x 0"),
     (Image.fromarray(np.zeros((3, 0), np.uint8)), "0 x 3")],
)
def test_an_image_without_pixels_is_an_empty_error_not_a_crash(image, size):
    with pytest.raises(EmptyFileError) as info:
        load_image(image, name="blank")
    assert info.value.reason == "empty"
    assert str(info.value).startswith(f"blank: the image is {size} pixels: ")


def png_claiming_size(width: int, height: int) -> bytes:
    """A PNG whose header claims a size but whose data stops after one row, like a cut download."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    stream = zlib.compressobj()
    one_row = stream.compress(b"\x00" * (width + 1)) + stream.flush(zlib.Z_SYNC_FLUSH)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", one_row)


def test_pixel_cap_is_checked_from_the_header_before_decoding():
    # 10^10 pixels: decoding would fail (no data) or PIL would raise DecompressionBombError;
    # our header check must answer first.
    with pytest.raises(ImageTooLargeError, match="100000x100000"):
        load_image(png_claiming_size(100_000, 100_000), name="huge.png")
    # The same construction at a decodable size fails only when decoded, as truncated.
    with pytest.raises(TruncatedImageError):
        load_image(png_claiming_size(100, 100), name="small.png")


def test_our_cap_decides_not_pils_and_pil_settings_are_restored(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)  # PIL alone would refuse 16x16
    loaded = load_image(save(tmp_path, "a.png", Image.new("L", (16, 16))))
    assert loaded.size == (16, 16)
    assert Image.MAX_IMAGE_PIXELS == 10


def test_max_pixels_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="max_pixels"):
        load_image(b"irrelevant", max_pixels=0)


# --- 8. the error family -------------------------------------------------------------------


def expect_error(source, error_type, reason: str, name_in_message: str) -> ImageLoadError:
    with pytest.raises(error_type) as info:
        load_image(source)
    error = info.value
    assert isinstance(error, ImageLoadError) and isinstance(error, ChronochromeError)
    assert error.reason == reason
    assert name_in_message in str(error)
    return error


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    expect_error(path, EmptyFileError, "empty", str(path))


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [(".png", "PNG"), (".jpg", "JPEG"), (".tif", "TIFF"), (".gif", "GIF"), (".webp", "WEBP")],
)
def test_truncated_file(tmp_path, suffix, fmt):
    data = encoded(Image.fromarray(asymmetric_rgb(64, 64)), fmt)
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(data[: len(data) * 6 // 10])
    expect_error(path, TruncatedImageError, "truncated", str(path))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_is_detected_even_if_someone_enabled_load_truncated_images(monkeypatch, fmt):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = encoded(Image.fromarray(asymmetric_rgb(64, 64)), fmt)
    expect_error(data[: len(data) // 2], TruncatedImageError, "truncated", "<bytes>")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the caller's setting is restored


def test_pils_warnings_on_a_damaged_file_do_not_reach_the_user():
    # libtiff writes the IFD after the strips: a cut file made Pillow print "UserWarning:
    # Corrupt EXIF data" and a source line before our one-line error.
    data = encoded(Image.fromarray(asymmetric_rgb(64, 64)), "TIFF", compression="tiff_deflate")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        expect_error(data[: len(data) // 2], TruncatedImageError, "truncated", "<bytes>")
    assert [str(w.message) for w in caught] == []


def test_file_cut_inside_the_header_is_truncated_not_unsupported():
    data = encoded(Image.new("L", (8, 8)), "PNG")
    expect_error(data[:12], TruncatedImageError, "truncated", "<bytes>")


def test_garbage_bytes_are_unsupported(tmp_path):
    path = tmp_path / "noise.jpg"
    path.write_bytes(np.random.default_rng(2).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    error = expect_error(path, UnsupportedImageError, "unsupported", str(path))
    assert "PNG, JPEG" in str(error)  # says what to convert to


def test_text_file_named_png_is_unsupported(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("these are not pixels\n")
    expect_error(path, UnsupportedImageError, "unsupported", str(path))


def test_pdf_is_unsupported_and_named(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    error = expect_error(path, UnsupportedImageError, "unsupported", str(path))
    assert "PDF" in str(error)


def test_image_in_an_unsupported_format_is_unsupported(tmp_path):
    path = save(tmp_path, "a.tga", Image.new("RGB", (4, 4)))
    expect_error(path, UnsupportedImageError, "unsupported", str(path))


def test_missing_path_is_not_found(tmp_path):
    path = tmp_path / "nope.png"
    expect_error(path, ImageNotFoundError, "not_found", str(path))
    expect_error(str(path), ImageNotFoundError, "not_found", str(path))


def test_directory_is_not_found_and_points_to_iter_image_files(tmp_path):
    error = expect_error(tmp_path, ImageNotFoundError, "not_found", str(tmp_path))
    assert "iter_image_files" in str(error)


def test_errors_survive_pickling():
    error = TruncatedImageError("a.jpg", "data ends early", "re-download it")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is TruncatedImageError
    assert (copy.name, copy.problem, copy.fix, copy.reason) == (
        "a.jpg",
        "data ends early",
        "re-download it",
        "truncated",
    )
    assert str(copy) == "a.jpg: data ends early. re-download it"
