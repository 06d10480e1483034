"""Tests for colorizer.pipeline.image_pixels through `load_image`: orientation, bit depth,
alpha, CMYK and ICC profiles, and color detection. Every input is generated at test time."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image, ImageCms

from colorizer.pipeline.image_pixels import unit_pixels
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from tests import icc_profiles
from tests.image_cases import (
    RED,
    asymmetric_rgb,
    encoded,
    exif_with_orientation,
    save,
)

# --- 1. EXIF orientation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "expected"),
    [
        (2, np.fliplr),
        (3, lambda a: np.rot90(a, 2)),
        (4, np.flipud),
        (5, lambda a: a.transpose(1, 0, 2)),
        (6, lambda a: np.rot90(a, -1)),  # 90 degrees clockwise
        (7, lambda a: np.rot90(a, 2).transpose(1, 0, 2)),
        (8, lambda a: np.rot90(a, 1)),
    ],
)
def test_exif_orientation_moves_pixels(tmp_path, orientation, expected):
    pixels = asymmetric_rgb()
    path = save(tmp_path, "o.png", Image.fromarray(pixels), exif=exif_with_orientation(orientation))
    loaded = load_image(path)
    want = expected(pixels)
    np.testing.assert_array_equal(np.rint(loaded.rgb * 255).astype(np.uint8), want)
    assert loaded.size == (want.shape[1], want.shape[0])
    assert f"EXIF orientation {orientation} applied" in loaded.notes


def test_exif_orientation_6_in_jpeg_swaps_size_and_moves_marker(tmp_path):
    pixels = np.full((8, 16, 3), 128, np.uint8)  # 16 wide, 8 high
    pixels[:, :8] = RED  # left half red
    path = save(
        tmp_path, "o.jpg", Image.fromarray(pixels), exif=exif_with_orientation(6), quality=95
    )
    loaded = load_image(path)
    assert loaded.size == (8, 16)
    # Rotated 90 degrees clockwise: the left half becomes the top half.
    np.testing.assert_allclose(loaded.rgb[3, 4], (1, 0, 0), atol=0.1)
    np.testing.assert_allclose(loaded.rgb[12, 4], 128 / 255, atol=0.1)
    assert "EXIF orientation 6 applied" in loaded.notes


def test_orientation_1_changes_nothing_and_adds_no_note(tmp_path):
    pixels = asymmetric_rgb()
    path = save(tmp_path, "o.png", Image.fromarray(pixels), exif=exif_with_orientation(1))
    loaded = load_image(path)
    np.testing.assert_array_equal(np.rint(loaded.rgb * 255).astype(np.uint8), pixels)
    assert not any("orientation" in note for note in loaded.notes)


# --- 2. 16-bit grayscale -------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16bit_ramp_scales_by_65535_without_clipping(tmp_path, suffix):
    ramp = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    image = Image.fromarray(ramp)
    assert image.mode == "I;16"
    loaded = load_image(save(tmp_path, f"ramp{suffix}", image))
    gray = loaded.rgb[..., 0].ravel()
    assert gray[0] == 0.0 and gray[-1] == 1.0
    assert np.all(np.diff(gray) > 0)  # monotone and all 65536 values distinct
    assert np.array_equal(loaded.rgb[..., 0], loaded.rgb[..., 2])
    assert loaded.source_mode == "I;16" and not loaded.is_color
    assert "16-bit grayscale scaled to [0,1]" in loaded.notes


def test_mode_I_with_16bit_values_scales_by_65535(tmp_path):
    values = np.array([[0, 1000], [40000, 65535]], dtype=np.int32)
    for source in (Image.fromarray(values), save(tmp_path, "i.tif", Image.fromarray(values))):
        loaded = load_image(source)
        assert loaded.source_mode == "I"
        np.testing.assert_allclose(loaded.rgb[..., 1], values / 65535, rtol=1e-6)
        assert "32-bit integer grayscale taken as 16-bit" in " ".join(loaded.notes)


def photo_8bit() -> Image.Image:
    """A JPEG read back as gray: 8-bit levels, darkest above 0 and brightest below 255 (so no
    range is told by its extremes)."""
    ramp = np.linspace(20, 230, 24 * 32).reshape(24, 32).astype(np.uint8)
    return Image.open(io.BytesIO(encoded(Image.fromarray(ramp), "JPEG", quality=90))).convert("L")


def test_mode_I_with_8bit_values_keeps_the_lightness_of_the_8bit_photo(tmp_path):
    # What a user gets from Image.open("x.jpg").convert("L").convert("I"): it came out black.
    gray = photo_8bit()
    want = lightness_of(load_image(gray))
    as_int = gray.convert("I")
    for source in (as_int, save(tmp_path, "i32.tif", as_int)):  # the CLI reads files
        loaded = load_image(source)
        assert loaded.source_mode == "I"
        torch.testing.assert_close(lightness_of(loaded), want, rtol=0, atol=1e-4)
        assert "32-bit integer grayscale taken as 8-bit" in " ".join(loaded.notes)


def test_mode_F_with_8bit_values_keeps_its_lightness_not_stretched_to_white():
    gray = photo_8bit()
    loaded = load_image(gray.convert("F"))  # 20..230: scaling by the maximum brightened it
    torch.testing.assert_close(lightness_of(loaded), lightness_of(load_image(gray)),
                               rtol=0, atol=1e-4)
    assert "32-bit float grayscale taken as 8-bit" in " ".join(loaded.notes)


def test_mode_F_in_0_1_is_kept_and_said():
    values = np.array([[0.0, 0.25], [0.5, 0.9]], dtype=np.float32)
    loaded = load_image(Image.fromarray(values, "F"))
    np.testing.assert_array_equal(loaded.rgb[..., 0], values)
    assert "32-bit float grayscale taken as [0,1]" in " ".join(loaded.notes)


def test_mode_F_in_0_1_resampled_past_1_stays_0_1_not_black():
    # A bicubic-resized [0, 1] float TIFF peaks a little above 1: it was taken as 0-255 and
    # scaled by 255, an all but black photo.
    values = np.array([[0.0, 0.25], [0.5, 1.03]], dtype=np.float32)
    loaded = load_image(Image.fromarray(values, "F"))
    np.testing.assert_allclose(loaded.rgb[..., 0], [[0.0, 0.25], [0.5, 1.0]])
    assert any("taken as [0,1]" in note and "1.03 clipped to white" in note
               for note in loaded.notes)


@pytest.mark.parametrize("mode", ["I", "F"])
def test_values_above_16bit_are_scaled_by_their_maximum_with_a_note(mode):
    values = np.array([[0, 50_000], [100_000, 200_000]], dtype=np.float32)
    image = Image.fromarray(values, "F").convert(mode)
    loaded = load_image(image)
    np.testing.assert_allclose(loaded.rgb[..., 0], values / 200_000, rtol=1e-6)
    assert any("scaled by its maximum" in note and "200000" in note for note in loaded.notes)


def test_mode_I_negative_values_are_clipped_with_a_note():
    loaded = load_image(Image.fromarray(np.array([[-5, 70000]], dtype=np.int32)))
    np.testing.assert_array_equal(loaded.rgb[0, :, 0], [0.0, 1.0])
    assert "negative grayscale values clipped to black" in loaded.notes


def test_a_dark_16bit_file_stays_dark():
    # "I;16" declares its 16 bits: values that all fit in 8 bits are a dark photo, not 8-bit.
    loaded = load_image(Image.fromarray(np.array([[0, 200]], dtype=np.uint16)))
    np.testing.assert_allclose(loaded.rgb[0, :, 0], [0.0, 200 / 65535], rtol=1e-6)


# --- 3. palette and alpha ------------------------------------------------------------------


def test_rgba_is_composited_on_white(tmp_path):
    pixels = np.array(
        [[[255, 0, 0, 0], [0, 0, 255, 255]], [[0, 0, 0, 128], [0, 255, 0, 255]]], np.uint8
    )
    loaded = load_image(save(tmp_path, "a.png", Image.fromarray(pixels, "RGBA")))
    np.testing.assert_allclose(loaded.rgb[0, 0], (1, 1, 1))  # fully transparent red -> white
    np.testing.assert_allclose(loaded.rgb[0, 1], (0, 0, 1))
    np.testing.assert_allclose(loaded.rgb[1, 0], 127 / 255, atol=1.5 / 255)  # half black
    assert loaded.source_mode == "RGBA"
    assert "alpha composited on white" in loaded.notes


def test_la_is_composited_on_white_and_stays_gray(tmp_path):
    image = Image.new("LA", (2, 1), (0, 0))
    image.putpixel((1, 0), (0, 255))
    loaded = load_image(save(tmp_path, "la.png", image))
    np.testing.assert_allclose(loaded.rgb[0, 0], (1, 1, 1))
    np.testing.assert_allclose(loaded.rgb[0, 1], (0, 0, 0))
    assert not loaded.is_color and "alpha composited on white" in loaded.notes


def test_premultiplied_la_image_is_composited_on_white_like_la():
    # A PIL image in "La" (premultiplied gray + alpha) from the Python API raised Pillow's
    # "conversion from La to L not supported" from deep inside the loader.
    straight = Image.new("LA", (3, 1), (0, 0))
    straight.putpixel((1, 0), (200, 255))
    straight.putpixel((2, 0), (200, 128))
    premultiplied = straight.convert("La")
    assert premultiplied.mode == "La"
    loaded = load_image(premultiplied)
    np.testing.assert_allclose(loaded.rgb, load_image(straight).rgb, atol=1 / 255)
    np.testing.assert_allclose(loaded.rgb[0, :2, 0], (1, 200 / 255), atol=1e-6)
    assert not loaded.is_color and "alpha composited on white" in loaded.notes


def test_a_lab_image_is_converted_without_a_note_about_its_lab_profile():
    # Pillow attaches a "Lab identity" ICC profile to LAB images; applied after the LAB -> RGB
    # conversion it "did not fit RGB pixels", a shown note about nothing wrong.
    rgb = Image.fromarray(np.stack([*np.meshgrid(np.arange(0, 256, 8), np.arange(0, 256, 8)),
                                    np.full((32, 32), 90)], -1).astype(np.uint8))
    lab = rgb.convert("LAB")
    loaded = load_image(lab)
    assert not any("ICC" in note for note in loaded.notes)
    assert loaded.is_color and "color input reduced to luminance" in loaded.notes
    difference = (lightness_of(loaded) - lightness_of(load_image(rgb))).abs().max()
    assert float(difference) < 1.0


def palette_image_with_transparent_index() -> Image.Image:
    image = Image.new("P", (2, 1))
    image.putpalette([0, 0, 0, *RED] + [0] * 762)
    image.putpixel((0, 0), 0)
    image.putpixel((1, 0), 1)
    image.info["transparency"] = 0
    return image


@pytest.mark.parametrize("suffix", [".png", ".gif"])
def test_palette_with_transparency_is_composited_on_white(tmp_path, suffix):
    image = palette_image_with_transparent_index()
    loaded = load_image(save(tmp_path, f"p{suffix}", image, transparency=0))
    np.testing.assert_allclose(loaded.rgb[0, 0], (1, 1, 1))
    np.testing.assert_allclose(loaded.rgb[0, 1], (1, 0, 0))
    assert loaded.source_mode == "P" and "alpha composited on white" in loaded.notes


def test_pa_image_is_composited_on_white():
    image = palette_image_with_transparent_index().convert("PA")
    assert image.mode == "PA"
    loaded = load_image(image)
    np.testing.assert_allclose(loaded.rgb[0], [(1, 1, 1), (1, 0, 0)])
    assert "alpha composited on white" in loaded.notes


def test_palette_without_transparency_converts_to_rgb(tmp_path):
    image = palette_image_with_transparent_index()
    del image.info["transparency"]
    loaded = load_image(save(tmp_path, "p.png", image))
    np.testing.assert_allclose(loaded.rgb[0], [(0, 0, 0), (1, 0, 0)])
    assert loaded.source_mode == "P" and loaded.is_color
    assert "alpha composited on white" not in loaded.notes


def test_opaque_alpha_adds_no_note(tmp_path):
    loaded = load_image(save(tmp_path, "a.png", Image.new("RGBA", (2, 2), (10, 10, 10, 255))))
    np.testing.assert_allclose(loaded.rgb, 10 / 255)
    assert "alpha composited on white" not in loaded.notes


# --- 4. CMYK and ICC profiles --------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "atol"), [(".jpg", 0.05), (".tif", 0.0)])
def test_cmyk_converts_to_plausible_srgb(tmp_path, suffix, atol):
    # One 8x8 block per ink so that JPEG blocks do not blend them.
    inks = [(255, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 255), (0, 255, 255, 0)]
    image = Image.new("CMYK", (32, 8))
    for i, ink in enumerate(inks):
        image.paste(ink, (8 * i, 0, 8 * i + 8, 8))
    loaded = load_image(save(tmp_path, f"cmyk{suffix}", image, quality=100))
    expected = [(0, 1, 1), (1, 1, 1), (0, 0, 0), (1, 0, 0)]  # cyan, white, black, red
    np.testing.assert_allclose(loaded.rgb[4, 4::8], expected, atol=atol)
    assert loaded.source_mode == "CMYK" and "CMYK converted to sRGB" in loaded.notes


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def test_embedded_icc_profile_goes_through_profile_to_profile(tmp_path, monkeypatch):
    calls = []
    original = ImageCms.profileToProfile

    def spy(*args, **kwargs):
        calls.append(kwargs.get("outputMode"))
        return original(*args, **kwargs)

    monkeypatch.setattr(ImageCms, "profileToProfile", spy)
    pixels = asymmetric_rgb()
    loaded = load_image(save(tmp_path, "icc.png", Image.fromarray(pixels), icc_profile=srgb_icc()))
    assert calls == ["RGB"]
    assert "embedded ICC profile 'sRGB built-in' converted to sRGB" in loaded.notes
    np.testing.assert_allclose(loaded.rgb, pixels / 255, atol=1.5 / 255)  # sRGB -> sRGB


@pytest.mark.parametrize(
    ("mode", "icc", "note_part"),
    [("RGB", b"not a profile", "unreadable"), ("L", None, "does not fit L pixels")],
)
def test_unusable_icc_profile_is_noted_not_fatal(tmp_path, mode, icc, note_part):
    fill = (77,) * len(mode)
    path = save(tmp_path, "icc.png", Image.new(mode, (3, 2), fill), icc_profile=icc or srgb_icc())
    loaded = load_image(path)
    np.testing.assert_allclose(loaded.rgb, 77 / 255)
    assert any(note_part in note and "taken as sRGB" in note for note in loaded.notes)



def _srgb_encoded(luminance: np.ndarray) -> np.ndarray:
    return np.where(luminance <= 0.0031308, 12.92 * luminance,
                    1.055 * luminance ** (1 / 2.4) - 0.055)


@pytest.mark.parametrize(
    ("profile", "luminance"),
    [(icc_profiles.dot_gain(), icc_profiles.dot_gain_luminance),
     (icc_profiles.gray_gamma(2.2), lambda v: v**2.2)],
    ids=["dot-gain-20", "gray-gamma-2.2"],
)
@pytest.mark.parametrize("suffix", [".tif", ".png"])
def test_16bit_gray_master_is_read_through_its_gray_profile(tmp_path, profile, luminance,
                                                            suffix):
    # A 16-bit gray master tagged "Dot Gain 20%" used to be read as sRGB gray, its profile
    # ignored: mid-gray 5.7 L* darker on average (11 at most) than a color-managed viewer
    # shows it. Now its values go through the profile, keeping 16 bits.
    ramp = np.linspace(0, 65535, 64 * 48).reshape(48, 64).astype(np.uint16)
    loaded = load_image(save(tmp_path, f"master{suffix}", Image.fromarray(ramp),
                             icc_profile=profile))
    assert loaded.pixels.dtype == np.float32  # not reduced to 8 bits on the way
    want = _srgb_encoded(luminance(ramp / 65535.0))
    np.testing.assert_allclose(loaded.pixels, want, atol=1e-3)
    assert any("applied to the 16-bit gray values" in note for note in loaded.notes)


def test_16bit_gray_with_an_rgb_profile_keeps_its_values_and_says_so(tmp_path):
    ramp = np.linspace(0, 65535, 32 * 8).reshape(8, 32).astype(np.uint16)
    loaded = load_image(save(tmp_path, "m.tif", Image.fromarray(ramp),
                             icc_profile=icc_profiles.adobe_rgb()))
    assert loaded.pixels.dtype == np.uint16 and np.array_equal(loaded.pixels, ramp)
    np.testing.assert_allclose(unit_pixels(loaded.pixels), ramp / 65535.0, atol=1e-6)
    assert any("not gray" in note and "profile ignored" in note for note in loaded.notes)


# --- 6. color detection --------------------------------------------------------------------


def test_color_input_is_flagged_and_noted(tmp_path):
    loaded = load_image(save(tmp_path, "c.png", Image.fromarray(asymmetric_rgb())))
    assert loaded.is_color and "color input reduced to luminance" in loaded.notes


def test_gray_stored_as_rgb_jpeg_is_not_color(tmp_path):
    gray = np.random.default_rng(1).integers(0, 256, (32, 32), dtype=np.uint8)
    rgb = np.repeat(gray[..., None], 3, axis=-1)
    loaded = load_image(save(tmp_path, "g.jpg", Image.fromarray(rgb), quality=75))
    assert loaded.source_mode == "RGB" and not loaded.is_color
    assert "color input reduced to luminance" not in loaded.notes


def test_faint_tint_below_tolerance_is_not_color_but_sepia_is():
    faint = np.full((4, 4, 3), 100, np.uint8)
    faint[..., 0] += 2
    assert not load_image(Image.fromarray(faint)).is_color
    sepia = np.full((4, 4, 3), (112, 66, 20), np.uint8)
    assert load_image(Image.fromarray(sepia)).is_color


