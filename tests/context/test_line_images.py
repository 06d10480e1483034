"""The two views of a text line handed to Tesseract (context/line_images.py)."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from context.line_images import LineView, build_strip, cleaned_line, light_text, plain_line

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _line(light_text: bool) -> tuple[Image.Image, np.ndarray]:
    """'KAZAN 1952' over a strong left-to-right ramp with speckle, and the letters' mask."""
    w, h = 360, 60
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).text((10, 8), "KAZAN 1952", font=ImageFont.truetype(FONT, 40), fill=255)
    rng = np.random.default_rng(0)
    ground = np.linspace(40, 200, w)[None, :] + rng.normal(0, 6, (h, w))
    letters = np.asarray(mask) > 128
    ink = 250.0 if light_text else 5.0
    img = np.where(letters, ink, ground).clip(0, 255).astype(np.uint8)
    return Image.fromarray(img).convert("RGB"), letters


def _black_share(view: Image.Image, letters: np.ndarray) -> tuple[float, float]:
    arr = np.asarray(view.resize((letters.shape[1], letters.shape[0]), Image.NEAREST)) < 128
    return float(arr[letters].mean()), float(arr[~letters].mean())


def test_cleaned_view_keeps_the_letters_black_and_drops_the_ground_for_both_polarities():
    for light in (True, False):
        crop, letters = _line(light)
        view = cleaned_line(crop, letters.shape[0], "light" if light else "dark")
        on_letters, on_ground = _black_share(view, letters)
        assert set(np.unique(np.asarray(view))) <= {0, 255}  # binarized
        assert on_letters > 0.8, (light, on_letters)
        assert on_ground < 0.05, (light, on_ground)


def test_plain_view_is_dark_on_light_at_the_asked_height():
    crop, letters = _line(True)
    view = plain_line(crop, height=40)
    assert view.height == 40 and view.mode == "L"
    arr = np.asarray(view.resize((letters.shape[1], letters.shape[0])), dtype=np.float32)
    assert arr[letters].mean() < arr[~letters].mean()  # light letters were inverted


def test_strip_stacks_lines_in_the_view_height():
    crop, _ = _line(True)
    strip, tops = build_strip(crop, [(0, 0, 180, 60), (180, 0, 360, 60)], LineView(24, "light"))
    assert tops == [14, 14 + 24 + 14]
    assert strip.height == 14 + 2 * (24 + 14)


def _textured(light_text: bool) -> tuple[Image.Image, np.ndarray]:
    """'KAZAN 1952' on a ground of both polarities (grass-like blotches, 120-200, the left
    third in shadow), as a felt-tip title on a photo, and the letters' mask. (The border's
    median below Otsu's threshold, the older polarity rule, takes its light letters for dark.)"""
    w, h = 360, 60
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).text((10, 8), "KAZAN 1952", font=ImageFont.truetype(FONT, 40), fill=255)
    rng = np.random.default_rng(1)
    blotches = Image.fromarray(rng.integers(120, 200, (h // 4, w // 4), dtype=np.uint8))
    ground = np.asarray(blotches.resize((w, h), Image.BICUBIC), dtype=np.float32)
    ground[:, : w // 3] *= 0.3
    letters = np.asarray(mask) > 128
    img = np.where(letters, 250.0 if light_text else 5.0, ground).clip(0, 255).astype(np.uint8)
    return Image.fromarray(img).convert("RGB"), letters


def test_light_text_is_told_on_a_ground_of_both_polarities():
    for light in (True, False):
        crop, _ = _textured(light)
        assert light_text(np.asarray(crop.convert("L"), dtype=np.float32)) is light


def test_plain_view_flattens_the_ground_to_white_and_keeps_the_letters_dark():
    for binarize in (False, True):
        crop, letters = _textured(True)
        view = plain_line(crop, height=60, binarize=binarize)
        arr = np.asarray(view.resize((letters.shape[1], letters.shape[0])), dtype=np.float32)
        assert arr[letters].mean() < 100, binarize  # the light letters, inverted: dark
        assert arr[~letters].mean() - arr[letters].mean() > 80, binarize
        if binarize:
            assert set(np.unique(np.asarray(view))) <= {0, 255}
            assert (arr[~letters] > 128).mean() > 0.8  # the ground: mostly white


def test_binarized_view_goes_into_the_strip():
    crop, _ = _textured(True)
    strip, _ = build_strip(crop, [(0, 0, 360, 60)], LineView(binarized=True))
    assert set(np.unique(np.asarray(strip))) <= {0, 255}
