"""Colorizations as they are posted online: "before | after" composites, sepia prints and
colorizations of another photo, checked against the archive's original.

Before: a composite was lined up with the original by its gray half (the original against
itself: mean |delta L*| 0.0, "lightness matches") and its colors judged with half the image
gray; the note called the color half "a frame, border, caption strip or padding". Now the
colorization half is found, checked alone and named, and its findings placed in the
composite's pixels. Tiny images drawn here and the tiny generator."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from colorizer.check.checker import CheckInputError
from colorizer.pipeline.imageio import load_image
from tests.check_helpers import tiny_checker

GUTTER = 4


def scene(seed: int = 0, size: tuple[int, int] = (120, 90)) -> Image.Image:
    """A small color "photo": sky, a field, houses of several colors, film grain."""
    rng = np.random.default_rng(seed)
    w, h = size
    image = Image.new("RGB", size, (140, 165, 205))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(h * 0.55), w, h), fill=(105, 135, 70))
    for _ in range(7):
        x, y = int(rng.integers(0, w - 20)), int(rng.integers(int(h * 0.3), h - 20))
        color = [(170, 60, 50), (200, 190, 160), (90, 70, 50), (60, 80, 150)][rng.integers(4)]
        draw.rectangle((x, y, x + int(rng.integers(10, 24)), y + int(rng.integers(10, 20))),
                       fill=color)
        draw.polygon([(x - 2, y), (x + 12, y - 8), (x + 26, y)], fill=(120, 50, 40))
    grain = rng.normal(0, 5, (h, w, 1))
    return Image.fromarray(np.clip(np.asarray(image) + grain, 0, 255).astype(np.uint8))


def before_after(gray: Image.Image, color: Image.Image, vertical: bool = False,
                 gutter: int = GUTTER, fill: tuple[int, int, int] = (255, 255, 255),
                 color_first: bool = False) -> Image.Image:
    """The two side by side (or one above the other), `gutter` px of `fill` between."""
    w, h = color.size
    first, second = (color, gray.convert("RGB")) if color_first else (gray.convert("RGB"), color)
    size = (w, 2 * h + gutter) if vertical else (2 * w + gutter, h)
    canvas = Image.new("RGB", size, fill)
    canvas.paste(first, (0, 0))
    canvas.paste(second, (0, h + gutter) if vertical else (w + gutter, 0))
    return canvas


@pytest.fixture(scope="module")
def checker(shared_tiny_weights):
    return tiny_checker(shared_tiny_weights)


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("composite")
    color = scene()
    gray = color.convert("L")
    gray.save(folder / "gray.png")
    return folder, gray, color


def _loaded(image: Image.Image, tmp_path, name: str = "posted.png", **save) -> object:
    path = tmp_path / name
    image.save(path, **save)
    return load_image(path)


def find_composite(image):
    from colorizer.check.composite import find_composite  # new: the old code had no such step

    return find_composite(image)


def test_before_after_composite_is_checked_by_its_color_half(checker, photo):
    folder, gray, color = photo
    w, h = color.size
    composite = before_after(gray, color)
    report = checker(composite, original=folder / "gray.png")
    alone = checker(color, original=folder / "gray.png")
    # Before: lined up on the gray half (mean 0.0) and the color half called a frame.
    assert report.luminance.mean_abs == pytest.approx(alone.luminance.mean_abs)
    assert report.luminance.mean_abs > 0.05
    assert not any("frame, border" in note for note in report.notes)
    assert report.notes[0].startswith(f"the image ({2 * w + GUTTER}x{h}) is a before/after "
                                      "composite")
    assert f"only the colorization, on the right (x {w + GUTTER}-{2 * w + GUTTER}" in report.notes[0]
    data = report.to_dict()
    assert data["size"] == [2 * w + GUTTER, h]
    assert data["composite"]["colorization_box"] == [w + GUTTER, 0, 2 * w + GUTTER, h]
    assert data["composite"]["gray_box"] == [0, 0, w, h]
    # The same findings as the colorization alone, their boxes moved onto its half.
    assert [(f.kind, f.severity, f.message) for f in report.findings] == [
        (f.kind, f.severity, f.message) for f in alone.findings]
    for placed, own in zip(report.findings, alone.findings):
        if own.box is not None:
            assert placed.box == (own.box[0] + w + GUTTER, own.box[1],
                                  own.box[2] + w + GUTTER, own.box[3])
    # The likelihood map covers the whole composite, "likely" (1) over the gray half.
    assert report.likelihood.shape[1] > 1.9 * report.likelihood.shape[0] * w / h / 2
    assert np.all(report.likelihood[:, : report.likelihood.shape[1] // 3] == 1.0)


def test_a_brightened_colorization_in_a_composite_is_found(checker, photo):
    """Before: "no finding" (exit 0): its gray half matched the original."""
    folder, gray, color = photo
    w, h = color.size
    brighter = Image.fromarray(np.clip(np.asarray(color, dtype=np.int16) + 25, 0, 255)
                               .astype(np.uint8))
    report = checker(before_after(gray, brighter), original=folder / "gray.png")
    lightness = [f for f in report.findings if f.kind == "luminance"]
    assert len(lightness) == 1 and "lighter overall" in lightness[0].message
    assert lightness[0].box == (w + GUTTER, 0, 2 * w + GUTTER, h)  # the colorization half


def test_a_composite_without_original_checks_its_color_half_too(checker, photo):
    _, gray, color = photo
    report = checker(before_after(gray, color, vertical=True))
    assert "top and bottom" in report.notes[0] and "on the bottom" in report.notes[0]
    assert report.to_dict()["composite"]["colorization_box"] == [0, color.height + GUTTER,
                                                                 color.width,
                                                                 2 * color.height + GUTTER]


@pytest.mark.parametrize(("layout", "expected"), [
    ({}, ("side by side", "right")),
    ({"color_first": True}, ("side by side", "left")),
    ({"vertical": True}, ("top and bottom", "bottom")),
    ({"fill": (0, 0, 0), "gutter": 7}, ("side by side", "right")),
    ({"gutter": 0}, ("side by side", "right")),
])
def test_composites_are_found_in_each_layout(photo, tmp_path, layout, expected):
    _, gray, color = photo
    found = find_composite(_loaded(before_after(gray, color, **layout), tmp_path))
    assert found is not None and (found.layout, found.color_side) == expected
    x0, y0, x1, y1 = found.color_box
    assert (x1 - x0, y1 - y0) == color.size  # the panel exactly: gutter left out


def test_a_reposted_composite_is_found_resized_and_compressed(photo, tmp_path):
    _, gray, color = photo
    posted = before_after(gray, color).resize((488, 180), Image.LANCZOS)
    found = find_composite(_loaded(posted, tmp_path, "posted.jpg", quality=40))
    assert found is not None and found.color_side == "right"
    x0, _, x1, _ = found.color_box
    assert 236 <= x0 <= 252 and x1 >= 484


def test_ordinary_images_are_never_split(photo, tmp_path):
    _, gray, color = photo
    other = scene(seed=5)
    cases = {
        "a colorization": color,
        "a mirrored colorization": ImageOps.mirror(color),
        "gray beside color of another photo": before_after(other.convert("L"), color),
        "two colorizations side by side": before_after(color, color),
        "a sepia beside a sepia": before_after(_sepia(gray), _sepia(gray)),
        "a photo with a plain band across": _banded(color),
        "a landscape colored on one side only": _colored_on_the_left(),
    }
    for what, image in cases.items():
        assert find_composite(_loaded(image, tmp_path)) is None, what


def test_a_sepia_print_is_said_to_be_one_tint(checker, photo):
    folder, gray, _ = photo
    report = checker(_sepia(gray), original=folder / "gray.png")
    assert any("tint throughout" in note and "sepia or toned print" in note
               for note in report.notes), report.notes
    assert report.luminance.matches


def test_another_photo_of_another_shape_is_named_as_such(checker, photo):
    """Before: "their shapes differ ... cropped at a side" came first, the other photo last."""
    folder, _, _ = photo
    other = scene(seed=3, size=(120, 100))
    with pytest.raises(CheckInputError) as raised:
        checker(other, original=folder / "gray.png")
    message = str(raised.value)
    assert message.startswith("the colorization <image> and the original")
    assert "do not look like the same photo" in message
    assert "another shot of the same scene" in message and "without --original" in message
    assert "shapes differ" in message and "could not be lined up" in message


def _sepia(gray: Image.Image) -> Image.Image:
    lum = np.asarray(gray, dtype=np.float64)
    return Image.fromarray(np.clip(np.stack([lum * 1.07, lum * 0.95, lum * 0.78], -1),
                                   0, 255).astype(np.uint8))


def _banded(color: Image.Image) -> Image.Image:
    banded = color.copy()
    ImageDraw.Draw(banded).rectangle((0, 40, banded.width, 46), fill=(255, 255, 255))
    return banded


def _colored_on_the_left() -> Image.Image:
    """Sky over a field, every column alike but for a square on the left: its halves
    correlate (0.94) in lightness, one colored and one gray (a real colorization that
    found color on one side only), yet it is one photo."""
    gray = np.full((96, 128), 200, dtype=np.uint8)
    gray[48:] = 70
    gray[20:50, 30:70] = 130
    rgb = np.repeat(gray[..., None], 3, axis=2).astype(np.int16)
    rgb[:, :64] += np.array([-25, 0, 30], dtype=np.int16)  # blue sky and field, left only
    rgb[20:50, 30:70] = (170, 110, 90)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
