"""context/line_script.py: line arrays, windows, strict safetensors round trip, and the
committed classifier on clear rendered lines."""

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw, ImageFont

from context.line_script import (
    DEFAULT_DIR,
    WEIGHTS,
    LineScriptClassifier,
    LineScriptConfig,
    build_net,
    line_array,
    windows,
)

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TINY = LineScriptConfig(channels=(4, 8))


def _line(text: str, size: int = 28, ink: int = 20, ground: int = 230) -> Image.Image:
    font = ImageFont.truetype(FONT, size)
    left, top, right, bottom = font.getbbox(text)
    img = Image.new("L", (right - left + 12, bottom - top + 12), ground)
    ImageDraw.Draw(img).text((6 - left, 6 - top), text, font=font, fill=ink)
    return img


def test_line_array_is_scaled_to_the_height_and_normalised():
    arr = line_array(_line("Москва 1975"), LineScriptConfig())
    assert arr.shape[0] == 32 and arr.shape[1] > 100
    assert abs(float(arr.mean())) < 1e-4 and 0.5 < float(arr.std()) < 1.0
    blank = line_array(Image.new("L", (120, 30), 128), LineScriptConfig())
    assert float(np.abs(blank).max()) == 0.0  # a blank crop stays flat


def test_windows_pad_a_short_line_and_cover_a_long_one_to_its_end():
    cfg = LineScriptConfig()
    short = windows(np.ones((32, 50), np.float32), cfg)
    assert short.shape == (1, 1, 32, 160) and short.sum() == 32 * 50
    assert short[0, 0, :, 55:105].min() == 1.0  # centred
    long = np.arange(32 * 400, dtype=np.float32).reshape(32, 400)
    got = windows(long, cfg)
    assert got.shape == (4, 1, 32, 160)  # starts 0, 80, 160, 240: the last ends at 400
    assert np.array_equal(got[-1, 0], long[:, 240:400])
    odd = windows(long[:, :350], cfg)  # 0, 80, 160 and one more, flush with the end
    assert odd.shape[0] == 4 and np.array_equal(odd[-1, 0], long[:, 190:350])


def test_save_and_strict_load_round_trip(tmp_path):
    net = build_net(TINY)
    LineScriptClassifier(net, TINY).save(tmp_path, {"version": "test"})
    back = LineScriptClassifier.from_pretrained(tmp_path)
    assert back.config == TINY
    for k, v in net.state_dict().items():
        assert torch.equal(back.net.state_dict()[k], v)
    probs = back.classify([_line("abc"), _line("где")])
    assert len(probs) == 2 and all(set(p) == {"none", "Cyrl", "Latn"} for p in probs)
    assert all(abs(sum(p.values()) - 1.0) < 1e-3 for p in probs)


def test_missing_weights_name_the_file_and_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="line_script_train"):
        LineScriptClassifier.from_pretrained(tmp_path)


def test_a_wrong_tensor_set_is_refused(tmp_path):
    from safetensors.torch import save_file

    other = {k: v for k, v in build_net(LineScriptConfig(channels=(4, 6))).state_dict().items()}
    save_file(other, str(tmp_path / WEIGHTS), {"config": '{"channels": [4, 8]}'})
    with pytest.raises(RuntimeError):
        LineScriptClassifier.from_pretrained(tmp_path)


@pytest.mark.skipif(not (DEFAULT_DIR / WEIGHTS).is_file(), reason="weights not trained")
def test_committed_classifier_tells_the_alphabets_apart():
    clf = LineScriptClassifier.from_pretrained()
    words = {"Ленинград-76": "Cyrl", "ДОРОГА ЖИЗНИ": "Cyrl", "Крым 1973 г.": "Cyrl",
             "дорога": "Cyrl", "Washington": "Latn", "Bridge Street": "Latn",
             "Moscow 1976": "Latn", "street": "Latn"}
    lines = [(_line(t, **colours), want) for t, want in words.items()
             for colours in ({}, {"ink": 240, "ground": 40})]
    probs = clf.classify([img for img, _ in lines])
    right = sum(max(("Cyrl", "Latn"), key=p.get) == want for p, (_, want) in zip(probs, lines))
    assert right >= 13  # of 16 clean printed lines (14 when trained; chance is 8)
    texture = Image.fromarray((np.random.default_rng(0).random((30, 160)) * 255).astype(np.uint8))
    assert clf.classify([texture])[0]["none"] > 0.5
