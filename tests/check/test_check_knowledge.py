"""The knowledge comparison: cloth colors against documented colors (no model needed)."""

from __future__ import annotations

import numpy as np

from colorizer.check.knowledge import (
    color_classes,
    contradictions,
    documented_colors,
    field_share,
    unexplained_gray,
)

SOVIET = documented_colors("ussr_state_flag", [
    {"name": "red", "srgb": "#CC0000", "role": "field"},
    {"name": "gold", "srgb": "#FFD700", "role": "emblem"}])
RSFSR = documented_colors("rsfsr_flag_1954", [
    {"name": "red", "srgb": "#CC0000", "role": "field"},
    {"name": "light blue", "srgb": "#1E90FF", "role": "hoist stripe"}])
FRANCE = documented_colors("france_tricolore", [
    {"name": "blue", "srgb": "#002395", "role": "stripe"},
    {"name": "white", "srgb": "#FFFFFF", "role": "stripe"},
    {"name": "red", "srgb": "#ED2939", "role": "stripe"}])
GERMAN_EMPIRE = documented_colors("german_empire_flag", [
    {"name": "black", "srgb": "#000000", "role": "stripe"},
    {"name": "white", "srgb": "#FFFFFF", "role": "stripe"},
    {"name": "red", "srgb": "#DD0000", "role": "stripe"}])
KHAKI = documented_colors("british_khaki", [{"name": "khaki", "srgb": "#C3B091",
                                              "role": "cloth"}])


def cloth(*parts: tuple[float, float, float, float]) -> np.ndarray:
    """(N, 3) L*a*b* pixels: (L, a, b, share) parts, 1000 pixels in all, a little noise."""
    rng = np.random.default_rng(0)
    rows = [np.tile([l_, a, b], (round(1000 * share), 1)) for l_, a, b, share in parts]
    return np.concatenate(rows) + rng.normal(0, 1.5, (sum(len(r) for r in rows), 3))


def test_roles_split_major_and_detail_colors():
    assert [c.major for c in SOVIET] == [True, False]
    assert [c.major for c in FRANCE] == [True, True, True]
    assert SOVIET[0].chroma > 60 and 30 < SOVIET[0].hue < 45  # sRGB red


def test_red_flag_with_gold_emblem_passes():
    assert contradictions(cloth((45, 62, 45, 0.85), (80, 5, 75, 0.15)), SOVIET, 0.05,
                          0.3, 35.0) == []


def test_blue_and_gray_soviet_flags_are_contradictions():
    blue = contradictions(cloth((45, 12, -42, 1.0)), SOVIET, 0.05, 0.3, 35.0)
    gray = contradictions(cloth((45, 0, 0, 1.0)), SOVIET, 0.05, 0.3, 35.0)
    assert blue and blue[0].seen_name == "blue" and blue[0].class_share > 0.9
    assert gray and gray[0].seen_name == "mid gray"


def test_a_contradiction_names_its_own_pixels():
    found = contradictions(cloth((45, 62, 45, 0.6), (45, -38, 28, 0.4)), FRANCE, 0.05, 0.3,
                           35.0)
    assert [c.seen_name for c in found] == ["green"]
    assert found[0].members.shape == (1000,) and found[0].members.sum() == 400


def test_a_detail_color_cannot_explain_a_whole_flag():
    # The RSFSR flag's light-blue hoist stripe explains a stripe, not a blue flag.
    assert contradictions(cloth((50, 62, 45, 0.75), (55, 5, -50, 0.25)), RSFSR, 0.05, 0.2,
                          35.0) == []
    assert contradictions(cloth((55, 5, -50, 1.0)), RSFSR, 0.05, 0.3, 35.0)


def test_tricolour_right_passes_and_green_stripe_is_found():
    right = cloth((25, 30, -60, 0.33), (95, 0, 0, 0.33), (50, 65, 40, 0.34))
    wrong = cloth((25, 30, -60, 0.33), (95, 0, 0, 0.33), (50, -38, 28, 0.34))
    assert contradictions(right, FRANCE, 0.05, 0.3, 35.0) == []
    found = contradictions(wrong, FRANCE, 0.05, 0.3, 35.0)
    assert [c.seen_name for c in found] == ["green"]


def test_khaki_has_a_wide_hue_tolerance_but_purple_is_not_khaki():
    assert contradictions(cloth((70, 8, 16, 1.0)), KHAKI, 0.05, 0.3, 35.0) == []
    assert contradictions(cloth((70, 38, -30, 1.0)), KHAKI, 0.05, 0.3, 35.0)


def test_color_classes_sort_grays_by_lightness():
    lab = np.array([[20, 0, 0], [50, 2, 1], [90, 1, -1], [50, 60, 40]], float)
    assert color_classes(lab).tolist()[:3] == [12, 13, 14]
    assert color_classes(lab)[3] < 12


def test_black_and_white_stripes_together_are_not_a_mid_gray():
    """Each gray pixel is judged by its own L*: the mean of a black stripe and a white one
    (L* ~52) would match neither, and the right flag was called "mid gray"."""
    right = cloth((20, 0, 0, 0.4), (85, 0, 0, 0.4), (45, 62, 45, 0.2))
    assert contradictions(right, GERMAN_EMPIRE, 0.05, 0.3, 35.0) == []
    # A mid gray the black and the white are both too far from is still one.
    found = contradictions(cloth((52, 0, 0, 0.8), (45, 62, 45, 0.2)), GERMAN_EMPIRE, 0.05,
                           0.3, 35.0)
    assert [c.seen_name for c in found] == ["mid gray"] and found[0].class_share == 0.8
    lab = cloth((20, 0, 0, 0.5), (52, 0, 0, 0.5))
    gray = color_classes(lab) >= 12
    assert unexplained_gray(lab, gray, GERMAN_EMPIRE).sum() == 500  # the L* 52 half


def test_a_gray_wall_spread_over_many_tones_is_not_a_gray_flag():
    wall = cloth(*[(l_, 0, 0, 0.125) for l_ in range(30, 62, 4)])  # L* 30..58, even
    assert field_share(wall[:, 0]) < 0.6
    assert contradictions(wall, SOVIET, 0.05, 0.3, 35.0, shade_l=25.0)  # gate off
    assert contradictions(wall, SOVIET, 0.05, 0.3, 35.0, shade_l=25.0, gray_field=0.6) == []
    flag = cloth((42, 0, 0, 0.7), (50, 0, 0, 0.3))  # one field, lighter on a fold
    assert field_share(flag[:, 0]) > 0.95
    found = contradictions(flag, SOVIET, 0.05, 0.3, 35.0, shade_l=25.0, gray_field=0.6)
    assert [c.seen_name for c in found] == ["mid gray"]


def test_field_share_counts_the_fullest_window():
    assert field_share(np.array([10.0, 12, 14, 60, 90])) == 0.6
    assert field_share(np.array([])) == 0.0
