"""The choosing set for context/words.py: drawing a word and counting what the rule catches."""

import random

from context.words import WordConfig
from eval.homoglyph_words import ITALIC_FONTS, _draw, caught


def test_caught_counts_readings_with_a_disguised_russian_word():
    readings = ["Hawa", "Hotel", "Mapu, ropod", "TOMATO", ""]
    assert caught(readings, WordConfig()) == 2
    assert caught(readings, WordConfig(ru_floor=9.0)) == 0


def test_a_word_is_drawn_dark_on_light():
    img = _draw("маршрут", ITALIC_FONTS[0], random.Random(0)).convert("L")
    lo, hi = img.getextrema()
    assert hi == 255 and lo < 80  # white ground, dark letters
    assert img.width > img.height
