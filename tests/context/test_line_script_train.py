"""context/line_script_train.py: lines drawn in runs of two faces, texts per class, samples
as the detector would hand them over, a balanced data set, and a short training that learns."""

import random
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import ImageFont

from context.line_script import LineScriptClassifier, LineScriptConfig
from context.line_script_train import (
    accuracy,
    dataset,
    draw_runs,
    font_pairs,
    line_text,
    sample,
    train,
)

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
POOLS = {"Cyrl": ["Москва", "дорога", "Крым"], "Latn": ["London", "street", "Paris"]}
TINY = LineScriptConfig(channels=(8, 16))


def _photos():
    rng = np.random.default_rng(0)
    return [(rng.random((120, 200)) * 80 + 90).astype(np.uint8) for _ in range(3)]


def test_draw_runs_takes_each_run_from_its_face():
    small, big = ImageFont.truetype(SANS, 30), ImageFont.truetype(MONO, 60)
    mixed = draw_runs("Крым 1973", small, big)
    assert mixed.mode == "L" and mixed.getbbox() is not None
    # the digits come from the big face, the Cyrillic letters from the small one
    assert mixed.width > draw_runs("Крым 1973", small, small).width + 40
    assert draw_runs("Крым", small, big).width == draw_runs("Крым", small, small).width
    assert draw_runs("   ", small, big).getbbox() is None


def test_line_text_per_class():
    rng = random.Random(1)
    for _ in range(50):
        none = line_text(rng, "none", POOLS)
        assert not any(ch.isalpha() for ch in none)
        cyr = line_text(rng, "Cyrl", POOLS)
        assert any("\u0400" <= ch <= "\u04ff" for ch in cyr)
        assert not any(ch.isascii() and ch.isalpha() for ch in line_text(rng, "Cyrl", POOLS))


def test_samples_are_small_gray_lines_and_the_data_set_is_balanced():
    rng, photos = random.Random(2), _photos()
    fonts = [(SANS, SANS)]
    for label in ("none", "Cyrl", "Latn"):
        img = sample(rng, label, fonts, POOLS, photos)
        assert img.mode == "L" and 12 <= img.height <= 40
    xs, ys = dataset(30, fonts, POOLS, photos, TINY, seed=0)
    assert xs.shape == (30, 1, 32, 160) and np.bincount(ys).tolist() == [10, 10, 10]
    assert np.isfinite(xs).all()


def test_font_pairs_hold_hand_faces_out(tmp_path: Path):
    for name in ("neucha", "pangolin"):
        for subset in ("cyrillic", "latin"):
            (tmp_path / f"{name}-{subset}-400-normal.woff").write_bytes(b"")
    seen, held = font_pairs(tmp_path, False), font_pairs(tmp_path, True)
    assert held == [(str(tmp_path / "pangolin-cyrillic-400-normal.woff"),
                     str(tmp_path / "pangolin-latin-400-normal.woff"))]
    hand = [p for p in seen if p[0].endswith(".woff")]
    assert hand and all("neucha" in p[0] for p in hand)
    assert len(hand) >= len(seen) // 2  # hand faces draw about half the lines


@pytest.mark.slow
def test_a_short_training_learns_the_classes():
    rng, photos, fonts = random.Random(3), _photos(), [(SANS, SANS)]
    xs, ys = dataset(240, fonts, POOLS, photos, TINY, seed=1)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny convolutions: more threads only wait on each other
    try:
        net = train(xs, ys, TINY, steps=100, batch=16, lr=5e-3, seed=0)
    finally:
        torch.set_num_threads(threads)
    clf = LineScriptClassifier(net, TINY)
    labels = [TINY.classes[i % 3] for i in range(45)]
    got = accuracy(clf, [sample(rng, lab, fonts, POOLS, photos) for lab in labels], labels)
    assert set(got) == {"none", "Cyrl", "Latn"}
    assert sum(got.values()) / 3 > 0.5  # chance is 1/3
