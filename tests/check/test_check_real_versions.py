"""eval.check.real's wrong versions of a true photo: the colors change, its L* does not, and
the contact sheet shows each finding's box."""

from __future__ import annotations

import numpy as np
from PIL import Image

from colorizer.check.findings import Finding
from eval.check.real_sheet import contact_sheet
from eval.check.real_versions import hue_rotated, lab_of, red_to_blue


def flag_photo() -> Image.Image:
    """64x64: gray wall (sRGB 128) with a Soviet-red (#CC0000) 20x30 flag."""
    rgb = np.full((64, 64, 3), 128, np.uint8)
    rgb[10:30, 20:50] = (204, 0, 0)
    return Image.fromarray(rgb, "RGB")


def test_red_flag_recolored_blue_keeps_its_lightness():
    photo = flag_photo()
    recolored, mask = red_to_blue(photo)
    # The flag, but for its 4 corner pixels (opened with a cross), and nothing else.
    assert mask[10:30, 20:50].sum() == 20 * 30 - 4 and mask.sum() == 20 * 30 - 4
    before, after = lab_of(photo), lab_of(recolored)
    assert np.abs(after[..., 0] - before[..., 0]).max() < 0.6  # 8-bit rounding only
    hue = np.degrees(np.arctan2(after[15, 30, 2], after[15, 30, 1]))
    assert -90 < hue < -40  # blue (b* < 0), was red (hue ~40)
    assert np.array_equal(np.asarray(recolored)[40:], np.asarray(photo)[40:])  # wall untouched


def test_a_photo_without_red_gets_no_red_blue_version():
    assert red_to_blue(Image.new("RGB", (64, 64), (40, 90, 160))) is None


def test_hue_rotation_turns_hues_and_keeps_lightness():
    photo = flag_photo()
    turned = lab_of(hue_rotated(photo))
    before = lab_of(photo)
    assert np.abs(turned[..., 0] - before[..., 0]).max() < 0.6
    hue_before = np.degrees(np.arctan2(before[15, 30, 2], before[15, 30, 1]))
    hue_after = np.degrees(np.arctan2(turned[15, 30, 2], turned[15, 30, 1]))
    assert abs((hue_after - hue_before) % 360 - 120) < 8  # out-of-gamut chroma gives way


def test_contact_sheet_shows_each_finding(tmp_path):
    finding = Finding("blob", "low", "An isolated blue patch", {"color": "#1B203E"},
                      (20, 10, 50, 30), 0.15)
    path = tmp_path / "sheet.png"
    assert contact_sheet([("real-color-dev/x.jpg", {"image": flag_photo(),
                                                     "findings": [finding, finding]})], path) == 2
    sheet = Image.open(path)
    assert sheet.mode == "P" and sheet.width == 3 * (2 * 180 + 6 + 8)
    assert contact_sheet([], tmp_path / "none.png") == 0
