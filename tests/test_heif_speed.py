"""A 10- or 12-bit HEIC is decoded once, at its depth (it was decoded twice: at 8 bits by
pillow-heif's plugin, then again at 16 bits for its depth), and its pixels are the very floats
that the second decode gave. The decodes are counted on pillow-heif's own decode (a spy that
calls it), on HEICs made here with pillow-heif's encoder."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from colorizer.errors import ImageLoadError
from colorizer.pipeline import heif_depth
from colorizer.pipeline.heif_opener import HEIF_FORMAT
from colorizer.pipeline.icc_matrix import _srgb_encode, srgb_converter
from colorizer.pipeline.imageio import load_image, shown_notes
from tests.heic_files import display_p3

pillow_heif = pytest.importorskip("pillow_heif")
HEIGHT, WIDTH = 24, 96


@pytest.fixture
def decodes(monkeypatch):
    """The modes of the HEIF images libheif decoded, in order ("RGB;16": at 16 bits); cleared
    before the load counted (making a file counts too)."""
    seen: list[str] = []
    decode = pillow_heif.heif.BaseImage.load

    def counted(image):
        if not image._data:  # not decoded yet: this call decodes
            seen.append(image.mode)
        return decode(image)

    monkeypatch.setattr(pillow_heif.heif.BaseImage, "load", counted)
    return seen


def _sky(depth: int) -> np.ndarray:
    """A smooth orange-to-blue sky at `depth` bits, shifted to 16 as pillow-heif takes it."""
    t = np.linspace(0.0, 1.0, WIDTH)[None, :, None] + np.linspace(0, 0.03, HEIGHT)[:, None, None]
    rgb = (1 - t) * np.array([0.85, 0.55, 0.30]) + t * np.array([0.35, 0.50, 0.80])
    top = (1 << depth) - 1
    return np.round(np.clip(rgb, 0, 1) * top).astype(np.uint16) << (16 - depth)


def _heic(path: Path, values: np.ndarray, depth: int = 10, **save_options: object) -> Path:
    mode = "RGB;16" if values.ndim == 3 else "L;16"
    height, width = values.shape[:2]
    heif = pillow_heif.from_bytes(mode=mode, size=(width, height), data=values.tobytes())
    pillow_heif.options.SAVE_HDR_TO_12_BIT = depth == 12
    try:
        heif.save(path, quality=-1, chroma=444, **save_options)  # lossless: values survive
    finally:
        pillow_heif.options.SAVE_HDR_TO_12_BIT = False
    return path


@pytest.mark.parametrize(("depth", "profile"), [(10, True), (10, False), (12, True)])
def test_a_deep_heic_is_decoded_once_and_reads_as_its_second_decode_did(tmp_path, decodes,
                                                                       depth, profile):
    icc = {"icc_profile": display_p3()} if profile else {}
    path = _heic(tmp_path / "sky.heic", _sky(depth), depth, **icc)
    decodes.clear()
    loaded = load_image(path)
    # Was ["RGB", "RGB;16"]: the plugin's 8-bit decode, then heif_depth's at 16 bits.
    assert decodes == ["RGB;16"]
    assert loaded.pixels.dtype == np.float32 and loaded.pixels.shape == (HEIGHT, WIDTH, 3)
    assert f"{depth}-bit color read at its depth (scaled by its white, {depth} bits)" in \
        loaded.notes and "8 bits" not in " ".join(loaded.notes)
    # heif_depth's own decode of the file (the way the loader read it before): the same floats.
    again = heif_depth.at_full_depth(HEIF_FORMAT, loaded.pixels, loaded.notes,
                                     path.read_bytes())
    assert again is not None and np.array_equal(again.pixels, loaded.pixels)
    assert np.unique(loaded.pixels[:1, :, 2]).size == WIDTH  # every level of the sky kept


def test_a_12_bit_heic_keeps_its_4096_levels(tmp_path, decodes):
    ramp = np.arange(4096, dtype=np.uint16).reshape(32, 128) << 4
    path = _heic(tmp_path / "ramp.heic", np.repeat(ramp[..., None], 3, axis=2), 12)
    decodes.clear()
    loaded = load_image(path)
    assert decodes == ["RGB;16"] and loaded.pixels.dtype == np.float32
    np.testing.assert_allclose(loaded.pixels[..., 1].ravel(), np.arange(4096) / 4095, atol=1e-6)


def test_a_10_bit_gray_heic_is_decoded_once(tmp_path, decodes):
    gray = np.arange(1024, dtype=np.uint16).reshape(16, 64) << 6
    path = _heic(tmp_path / "gray.heic", gray)
    decodes.clear()
    loaded = load_image(path)
    assert decodes == ["I;16"]  # was ["I;16", "I;16"]
    np.testing.assert_allclose(loaded.pixels.ravel(), np.arange(1024) / 1023, atol=1e-6)


def test_an_8_bit_heic_is_decoded_once_at_8_bits_as_before(tmp_path, decodes):
    pixels = np.random.default_rng(2).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    pillow_heif.from_pillow(Image.fromarray(pixels)).save(tmp_path / "plain.heic", quality=-1,
                                                          chroma=444)
    decodes.clear()
    loaded = load_image(tmp_path / "plain.heic")
    assert decodes == ["RGB"]
    heif = pillow_heif.open_heif(tmp_path / "plain.heic")  # pillow-heif's own decode
    assert loaded.pixels.dtype == np.uint8 and np.array_equal(loaded.pixels, heif[0])


def test_a_profile_not_followed_is_decoded_once_at_8_bits_with_its_note(tmp_path, decodes):
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    path = _heic(tmp_path / "lab.heic", _sky(10), icc_profile=lab)
    decodes.clear()
    loaded = load_image(path)
    assert decodes == ["RGB"]  # was ["RGB", "RGB;16"]: a 16-bit decode then not used
    assert loaded.pixels.dtype == np.uint8
    assert "10-bit color read at 8 bits a channel" in " ".join(shown_notes(loaded.notes))


def test_a_callers_own_image_open_meets_pillow_heifs_plugin_as_before(tmp_path, decodes):
    path = _heic(tmp_path / "sky.heic", _sky(10), icc_profile=display_p3())
    load_image(path)  # the loader's plugin registered beside pillow-heif's
    pillow_heif.register_heif_opener()  # a caller's own registration, after the loader's
    decodes.clear()
    with Image.open(path) as image:  # a caller's, outside the loader: 8 bits, as before
        assert image.format == "HEIF" and np.asarray(image).dtype == np.uint8
    assert decodes == ["RGB"] and not hasattr(image, "deep_decode")
    decodes.clear()
    assert load_image(path).pixels.dtype == np.float32 and decodes == ["RGB;16"]


def test_a_cut_short_10_bit_heic_is_a_load_error_not_a_crash(tmp_path):
    whole = _heic(tmp_path / "sky.heic", _sky(10)).read_bytes()
    with pytest.raises(ImageLoadError) as error:
        load_image(whole[: len(whole) - 200], name="cut.heic")
    assert "cut.heic" in str(error.value)


@pytest.mark.parametrize("depth", [10, 12])
def test_uint16_values_convert_to_the_same_floats_as_their_levels(depth):
    converter = srgb_converter(display_p3())
    values = np.random.default_rng(depth).integers(0, 1 << 16, (40, 50, 3)).astype(np.uint16)
    values[0, :3] = 65535  # at and above white
    top = (1 << depth) - 1
    levels = np.minimum(values >> (16 - depth), top)
    out = np.empty(values.shape, np.float32)
    converter.from_uint16(values, depth, out)
    assert np.array_equal(out, converter.from_levels(levels, top))


def test_srgbs_curve_in_place_gives_the_floats_of_the_formula():
    linear = np.random.default_rng(3).random((64, 64, 3), dtype=np.float32)
    linear[0, :, 0] = np.linspace(0, 0.004, 64, dtype=np.float32)  # both sides of the knee
    formula = np.where(linear <= 0.0031308, np.float32(12.92) * linear,
                       np.float32(1.055) * np.power(linear, np.float32(1 / 2.4))
                       - np.float32(0.055))
    out = np.empty_like(linear)
    assert _srgb_encode(linear, out) is out
    assert out.dtype == np.float32 and np.array_equal(out, formula)
    assert np.array_equal(_srgb_encode(linear), formula)


def test_bytes_and_file_objects_read_deep_too():
    values = _sky(10)
    buffer = io.BytesIO()
    heif = pillow_heif.from_bytes(mode="RGB;16", size=(WIDTH, HEIGHT), data=values.tobytes())
    heif.save(buffer, quality=-1, chroma=444)
    from_bytes = load_image(buffer.getvalue())
    from_file = load_image(io.BytesIO(buffer.getvalue()))
    assert from_bytes.pixels.dtype == np.float32
    assert np.array_equal(from_bytes.pixels, from_file.pixels)
