"""Tests for colorizer.pipeline.imageio: every input case is generated at test time in tmp_path
(the pixel steps, orientation to color detection, are in test_image_pixels.py; the pixel cap
and the error family in test_imageio_errors.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile, features

from colorizer.errors import (
    EmptyFileError,
    ImageNotFoundError,
    ImageTooLargeError,
)
from colorizer.pipeline import image_opening, imageio
from colorizer.pipeline.imageio import (
    DEFAULT_MAX_PIXELS,
    SUPPORTED_SUFFIXES,
    iter_image_files,
    load_image,
    shown_notes,
)
from tests.image_cases import asymmetric_rgb, encoded, png_chunk, save

# --- basic contract ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [
        (".png", "PNG"),
        (".jpg", "JPEG"),
        (".tif", "TIFF"),
        (".bmp", "BMP"),
        (".gif", "GIF"),
        (".webp", "WEBP"),
    ],
)
def test_loads_each_supported_format_as_float_srgb(tmp_path, suffix, fmt):
    path = save(tmp_path, f"gray{suffix}", Image.new("L", (6, 4), 128))
    loaded = load_image(path)
    assert loaded.rgb.dtype == np.float32 and loaded.rgb.shape == (4, 6, 3)
    np.testing.assert_allclose(loaded.rgb, 128 / 255, atol=2 / 255)
    assert loaded.source_format == fmt
    assert loaded.size == (6, 4) and loaded.frames == 1
    assert loaded.name == str(path) and not loaded.is_color


def test_loaded_image_is_frozen(tmp_path):
    loaded = load_image(save(tmp_path, "a.png", Image.new("L", (2, 2))))
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.name = "other"  # type: ignore[misc]


def test_supported_suffixes_match_spec():
    avif = {".avif"} if image_opening._READS_AVIF else set()
    heif = {".heic", ".heif"}  # pillow-heif is a dependency: a phone's folder is read
    assert SUPPORTED_SUFFIXES == {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp",
                                  ".jp2", ".j2k", ".pgm", ".ppm", ".pnm", ".pbm", ".pcx"} | avif | heif
    assert DEFAULT_MAX_PIXELS == 50_000_000


# --- 5. multi-frame sources ----------------------------------------------------------------


def three_frames() -> list[Image.Image]:
    return [Image.new("RGB", (4, 4), (v, v, v)) for v in (30, 120, 210)]


@pytest.mark.parametrize(("suffix", "kwargs"), [(".gif", {"duration": 50}), (".tif", {})])
def test_multi_frame_uses_first_frame_and_notes_count(tmp_path, suffix, kwargs):
    first, *rest = three_frames()
    path = save(tmp_path, f"anim{suffix}", first, save_all=True, append_images=rest, **kwargs)
    loaded = load_image(path)
    assert loaded.frames == 3
    np.testing.assert_allclose(loaded.rgb, 30 / 255, atol=1 / 255)
    assert loaded.notes[0].startswith("first of 3 frames used")  # a TIFF's names its pages


def test_pil_input_uses_its_current_frame(tmp_path):
    first, *rest = three_frames()
    path = save(tmp_path, "anim.tif", first, save_all=True, append_images=rest)
    with Image.open(path) as image:
        image.seek(1)
        loaded = load_image(image)
        assert image.tell() == 1  # the caller's image is left where it was
    np.testing.assert_allclose(loaded.rgb, 120 / 255, atol=1 / 255)
    assert "frame 2 of 3 used" in loaded.notes


def test_a_multi_page_tiff_says_which_page_and_the_cli_shows_it(tmp_path):
    # The note was in the report only: a batch colorized page 1 of 3 and said nothing.
    first, *rest = three_frames()
    path = save(tmp_path, "pages.tif", first, save_all=True, append_images=rest)
    assert shown_notes(load_image(path).notes) == [
        ("first of 3 frames used; page 2 (4x4) and page 3 (4x4) not colorized: split the pages "
        "into files to colorize each (libtiff's `tiffsplit FILE`, or ImageMagick's `magick "
        "FILE page-%d.tif`)")]


# --- 6. JPEG 2000 and deep color -----------------------------------------------------------


@pytest.mark.skipif(not features.check_codec("jpg_2000"), reason="Pillow without OpenJPEG")
@pytest.mark.parametrize(("dtype", "mode", "scale"), [(np.uint8, "L", 255), (np.uint16, "I;16",
                                                                            65535)])
@pytest.mark.parametrize("suffix", [".jp2", ".j2k"])
def test_a_jpeg2000_master_is_read(tmp_path, dtype, mode, scale, suffix):
    # Archives keep masters in JP2; it was "not a recognised image file".
    ramp = np.linspace(0, scale, 40 * 24).reshape(24, 40).astype(dtype)
    path = save(tmp_path, f"master{suffix}", Image.fromarray(ramp))  # lossless by default
    assert path in iter_image_files([tmp_path])
    loaded = load_image(path)
    assert loaded.source_format == "JPEG2000" and loaded.source_mode == mode
    np.testing.assert_allclose(loaded.rgb[..., 0], ramp / scale, atol=1e-6)


def _png_16bit_rgb(array: np.ndarray) -> bytes:
    """A 16-bit RGB PNG, written by hand: Pillow writes color at 8 bits only."""
    height, width, _ = array.shape
    rows = b"".join(b"\0" + row.astype(">u2").tobytes() for row in array)

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def test_16bit_color_png_is_read_at_16_bits(tmp_path):
    # Pillow decodes 16-bit RGB (scanners' 48-bit files) to 8 bits a channel; a PNG or TIFF is
    # read again at 16 bits (deep_color.py; where it cannot be, the note says so: a 16-bit PPM).
    ramp = np.linspace(0, 65535, 6 * 8 * 3).reshape(6, 8, 3).astype(np.uint16)
    loaded = load_image(_png_16bit_rgb(ramp))
    assert imageio.DEEP_COLOR_NOTE not in loaded.notes and loaded.pixels.dtype == np.uint16
    assert np.array_equal(loaded.pixels, ramp)  # its levels, read as [0, 1] by unit_pixels
    gray = load_image(encoded(Image.fromarray(ramp[..., 0]), "PNG"))  # 16-bit gray is kept
    assert imageio.DEEP_COLOR_NOTE not in gray.notes and gray.pixels.dtype == np.uint16


# --- 9. input kinds ------------------------------------------------------------------------


def test_every_input_kind_gives_the_same_pixels_and_hash(tmp_path):
    path = save(tmp_path, "x.png", Image.fromarray(asymmetric_rgb()))
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with path.open("rb") as handle:
        from_handle = load_image(handle)
    results = [
        load_image(path),
        load_image(str(path)),
        load_image(data),
        load_image(bytearray(data)),
        load_image(io.BytesIO(data)),
        from_handle,
    ]
    for loaded in results:
        np.testing.assert_array_equal(loaded.rgb, results[0].rgb)
        assert loaded.sha256 == digest and loaded.source_format == "PNG"
    assert [r.name for r in results] == [str(path)] * 2 + ["<bytes>"] * 4


def test_given_name_is_used_for_bytes_and_errors():
    assert (
        load_image(encoded(Image.new("L", (2, 2)), "PNG"), name="upload.png").name == "upload.png"
    )
    with pytest.raises(EmptyFileError, match="upload.png"):
        load_image(b"", name="upload.png")


def test_path_is_read_once(tmp_path, monkeypatch):
    path = save(tmp_path, "x.png", Image.new("L", (2, 2)))
    calls = []
    original = os.open

    def counting_open(name, *args, **kwargs):
        calls.append(Path(name))
        return original(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(Image, "open", _only_from_memory(Image.open))
    load_image(path)
    assert calls == [path]


def _only_from_memory(open_image):
    def guarded(fp, *args, **kwargs):
        assert isinstance(fp, io.BytesIO), "the decoder must read the bytes already in memory"
        return open_image(fp, *args, **kwargs)

    return guarded


def test_pil_image_input_skips_file_checks_and_is_not_modified():
    image = Image.fromarray(asymmetric_rgb(), "RGB").convert("RGBA")
    loaded = load_image(image)
    assert image.mode == "RGBA" and image.size == (7, 5)
    assert loaded.sha256 is None and loaded.name == "<image>" and loaded.source_format is None
    assert loaded.source_mode == "RGBA" and loaded.rgb.shape == (5, 7, 3)
    assert load_image(image, name="from_api").name == "from_api"


def test_pil_image_input_still_gets_the_pixel_cap():
    with pytest.raises(ImageTooLargeError):
        load_image(Image.new("L", (10, 10)), max_pixels=50)


def test_wrong_input_types_raise_type_error(tmp_path):
    path = tmp_path / "t.png"
    path.write_bytes(encoded(Image.new("L", (2, 2)), "PNG"))
    with pytest.raises(TypeError, match="binary mode"), path.open("r", errors="replace") as text:
        load_image(text)
    with pytest.raises(TypeError, match="path, bytes"):
        load_image(42)  # type: ignore[arg-type]


# --- iter_image_files ----------------------------------------------------------------------


def test_iter_image_files_expands_folders_sorted_and_keeps_explicit_files(tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    for name in ("b.png", "a.JPG", "c.tiff", "notes.txt", "._a.jpg"):
        (folder / name).write_bytes(b"x")
    (folder / "sub.png").mkdir()
    odd = tmp_path / "photo.dat"
    odd.write_bytes(b"x")
    found = iter_image_files([odd, str(folder)])
    assert found == [odd, folder / "a.JPG", folder / "b.png", folder / "c.tiff"]


def test_iter_image_files_errors(tmp_path):
    with pytest.raises(ImageNotFoundError, match="missing"):
        iter_image_files([tmp_path / "missing"])
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(ImageNotFoundError, match="no image files"):
        iter_image_files([tmp_path])
    with pytest.raises(TypeError, match="list of paths"):
        iter_image_files(str(tmp_path))


def test_pil_settings_are_ours_only_during_a_load():
    # Neither importing the module nor the loads above left PIL's global settings changed.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert Image.MAX_IMAGE_PIXELS is not None
    assert imageio._PIL_SETTINGS._depth == 0  # no load left PIL's settings overridden
