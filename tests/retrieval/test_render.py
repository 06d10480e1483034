import numpy as np
import pytest

from retrieval.render import draw_flag, render_flag, render_swatch, wave
from retrieval.types import NamedColor

TRICOLORE = {"ratio": [2, 3], "stripes": {"dir": "v", "colors": ["blue", "white", "red"]}}
COLORS = (NamedColor("blue", "#002395"), NamedColor("white", "#FFFFFF"),
          NamedColor("red", "#ED2939"))


def test_flat_flag_uses_the_documented_colors():
    img = np.asarray(draw_flag(TRICOLORE, COLORS, width=90))
    assert img.shape == (60, 90, 3)
    assert tuple(img[30, 10]) == (0, 35, 149)
    assert tuple(img[30, 45]) == (255, 255, 255)
    assert tuple(img[30, 80]) == (237, 41, 57)


def test_waved_flag_keeps_colors_on_average_and_is_deterministic():
    a = render_flag(TRICOLORE, COLORS, "fr")
    b = render_flag(TRICOLORE, COLORS, "fr")
    assert np.array_equal(np.asarray(a), np.asarray(b))
    x = np.asarray(a, dtype=np.float32)[..., :3]
    h = x.shape[0]
    hoist = x[h // 2 - 10:h // 2 + 10, 15:40].reshape(-1, 3).mean(0)
    assert np.abs(hoist - [0, 35, 149]).max() < 40  # shading, but still the blue
    assert not np.array_equal(np.asarray(a), np.asarray(render_flag(TRICOLORE, COLORS, "other")))


def test_waved_flag_marks_its_cloth_in_the_alpha_channel():
    # The direct color transfer leaves the gray ground out by this alpha; whatever reads the
    # image as RGB sees the same pixels as before.
    flag = render_flag(TRICOLORE, COLORS, "fr")
    assert flag.mode == "RGBA"
    alpha = np.asarray(flag.getchannel("A"))
    rgb = np.asarray(flag.convert("RGB"), dtype=np.float32)
    assert set(np.unique(alpha)) == {0, 255}
    h, w = alpha.shape
    assert alpha[h // 2, w // 2] == 255 and alpha[0, 0] == 0 and alpha[-1, -1] == 0
    assert 0.6 < (alpha == 255).mean() < 0.95  # the flag with its waving margin around it
    ground = rgb[alpha == 0]
    assert np.abs(ground - 128).mean() < 12  # the neutral gray ground
    assert np.array_equal(rgb, np.asarray(wave(draw_flag(TRICOLORE, COLORS), "fr")))


def test_undocumented_color_is_refused():
    with pytest.raises(ValueError, match="not among the entry's colors"):
        draw_flag({"field": "green"}, COLORS)


def test_unknown_shape_is_refused():
    with pytest.raises(ValueError, match="unknown design shape"):
        draw_flag({"field": "red", "elements": [{"shape": "unicorn"}]}, COLORS)


def test_swatch_mean_is_the_cloth_color():
    cloth = NamedColor("horizon blue", "#7CA2B8", "cloth")
    x = np.asarray(render_swatch({"cloth": "horizon blue"}, (cloth,), "hb"), dtype=np.float32)
    assert x.shape == (256, 256, 3)
    assert np.abs(x.reshape(-1, 3).mean(0) - [124, 162, 184]).max() < 8
    assert x.std() > 3  # textured, not a flat fill


def test_swatch_lower_part():
    cols = (NamedColor("coat", "#4F5F7F"), NamedColor("trousers", "#A8232B"))
    x = np.asarray(render_swatch({"cloth": "coat", "lower": "trousers"}, cols, "k"), np.float32)
    assert x[200:, :, 0].mean() > x[:100, :, 0].mean() + 50  # red trousers below
