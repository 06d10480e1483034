"""Colorizations as historians receive them: resized, turned, cropped, re-tinted, or given
in the wrong order. The check must say what it compared (and how it lined the images up)
or why it could not, never a lightness verdict on images that do not line up.

Real photos from ../shared/datasets (historical-bw, real-color-dev), tinted with PIL."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from colorizer.check.checker import CheckInputError
from colorizer.check.knowledge import class_name
from colorizer.model.colorspace import rgb_to_lab
from tests.check_helpers import tiny_checker
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def checker(shared_tiny_weights):
    return tiny_checker(shared_tiny_weights)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """A historical gray photo, a warm tint of it (lightness kept), and a real color photo."""
    if not SHARED.is_dir():
        pytest.skip("../shared/datasets is absent")
    shared_datasets = SHARED
    folder = tmp_path_factory.mktemp("handled")
    source = sorted((shared_datasets / "historical-bw").glob("*.jpg"))[3]
    gray = Image.open(source).convert("L")
    gray.thumbnail((320, 320))
    lum = np.asarray(gray, dtype=np.float64)
    tinted = Image.fromarray(np.clip(np.stack([lum * 1.08, lum * 0.98, lum * 0.85], -1),
                                     0, 255).astype(np.uint8))
    real = min((shared_datasets / "real-color-dev").glob("*.png"))
    color_photo = Image.open(real).convert("RGB")
    color_photo.thumbnail((320, 320))
    paths = {"gray": folder / "gray.png", "tinted": folder / "tinted.png",
             "real": folder / "real.png", "real_gray": folder / "real_gray.png"}
    gray.save(paths["gray"])
    tinted.save(paths["tinted"])
    color_photo.save(paths["real"])
    color_photo.convert("L").save(paths["real_gray"])
    return paths, gray, tinted, lum


def test_half_size_is_compared_after_resizing_and_says_so(checker, photos):
    paths, gray, tinted, _ = photos
    half = tinted.resize((gray.width // 2, gray.height // 2), Image.LANCZOS)
    report = checker(half, original=paths["gray"])
    assert report.luminance.matches and report.luminance.resized
    assert any("50% of the original's size" in note and "after resizing" in note
               for note in report.notes)


def test_turned_colorization_is_compared_after_turning(checker, photos):
    paths, _, tinted, _ = photos
    report = checker(tinted.rotate(90, expand=True), original=paths["gray"])
    assert report.luminance.matches
    assert any("quarter turn (counterclockwise)" in note for note in report.notes)
    assert not [f for f in report.findings if f.kind == "luminance"]


@pytest.mark.slow
def test_cropped_colorization_is_lined_up_and_another_shape_refused(checker, photos):
    paths, gray, tinted, _ = photos
    cropped = tinted.crop((0, 0, int(gray.width * 0.9), gray.height))  # refused before
    report = checker(cropped, original=paths["gray"])
    assert any("cropped (right 10% of the original cut off)" in note for note in report.notes)
    wider = Image.open(paths["real"]).convert("RGB").resize((int(gray.width * 1.4), gray.height))
    with pytest.raises(CheckInputError, match="40% wider.*could not be lined up.*without "
                                              "--original"):
        checker(wider, original=paths["gray"])


def test_same_file_twice_and_swapped_inputs_are_refused(checker, photos):
    paths = photos[0]
    with pytest.raises(CheckInputError, match="same file"):
        checker(paths["tinted"], original=paths["tinted"])
    same_gray = checker(paths["gray"], original=paths["gray"])  # a gray result, unchanged
    assert any("same file" in note for note in same_gray.notes)
    with pytest.raises(CheckInputError, match="look swapped"):
        checker(paths["real_gray"], original=paths["real"])


def test_color_photo_as_original_is_noted(checker, photos):
    paths = photos[0]
    report = checker(Image.open(paths["real"]).convert("RGB"), original=paths["real"].read_bytes())
    assert any("is a color image" in note for note in report.notes)


def test_uniform_cast_is_named(checker, photos):
    paths, _, _, lum = photos
    cast = np.clip(np.stack([lum * 0.6, lum * 1.1, lum * 1.3], -1), 0, 255).astype(np.uint8)
    report = checker(Image.fromarray(cast))
    cast_notes = [note for note in report.notes if "tint throughout" in note]
    assert cast_notes and ("one teal tint" in cast_notes[0] or "one blue tint" in cast_notes[0])
    plain = checker(paths["real"])
    assert not any("tint throughout" in note for note in plain.notes)


def test_srgb_blue_is_named_blue_not_purple():
    """A Soviet flag painted (0, 0, 204) was reported as "purple"."""
    import torch

    rgb = torch.tensor([0.0, 0.0, 0.8], dtype=torch.float64).view(1, 3, 1, 1)
    lab = tuple(float(v) for v in rgb_to_lab(rgb).flatten())
    assert class_name(0, lab) == "blue"


@pytest.mark.slow
def test_changed_lightness_says_which_way(checker, photos):
    """Before: "these were changed, retouched or come from another scan" for both."""
    paths, _, tinted, _ = photos
    from PIL import ImageEnhance

    brighter = checker(ImageEnhance.Brightness(tinted).enhance(1.25), original=paths["gray"])
    found = [f for f in brighter.findings if f.kind == "luminance"]
    assert found and "lighter overall" in found[0].message and "brightened" in found[0].message
    assert brighter.luminance.mean_signed > 0
    contrast = checker(ImageEnhance.Contrast(tinted).enhance(1.4), original=paths["gray"])
    found = [f for f in contrast.findings if f.kind == "luminance"]
    assert found and "moved both ways" in found[0].message


@pytest.mark.slow
def test_low_quality_jpeg_is_explained(checker, photos, tmp_path):
    from PIL import ImageEnhance

    paths, _, tinted, _ = photos
    jpeg = tmp_path / "low.jpg"
    tinted.save(jpeg, quality=10)
    report = checker(jpeg, original=paths["gray"])
    if report.luminance.matches:
        pytest.skip("this photo's JPEG blocks stay within the tolerance")
    assert any("is a JPEG" in note and "heavy compression" in note for note in report.notes)
    png = checker(ImageEnhance.Contrast(tinted).enhance(1.4), original=paths["gray"])
    assert not any("is a JPEG" in note for note in png.notes)


@pytest.mark.slow
def test_watermark_is_reported_where_it_is(checker, photos):
    """Before: "these were changed, retouched or come from another scan", box = the whole
    image, for a watermark in one corner."""
    from PIL import ImageDraw

    paths, _, tinted, _ = photos
    marked = tinted.copy()
    w, h = marked.size
    ImageDraw.Draw(marked).rectangle((w - 120, h - 40, w - 10, h - 10), fill=(255, 255, 255))
    report = checker(marked, original=paths["gray"])
    found = [f for f in report.findings if f.kind == "luminance"]
    assert found and "the difference is local" in found[0].message
    x0, y0, x1, y1 = found[0].box
    assert abs(x0 - (w - 120)) <= 4 and abs(y0 - (h - 40)) <= 4
    assert abs(x1 - (w - 9)) <= 4 and abs(y1 - (h - 9)) <= 4 and found[0].share < 0.1
