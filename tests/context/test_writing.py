"""Homoglyph repair, confusable years, short title years and tilted-line regions."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from context.config import ContextConfig
from context.hints import EraCandidate
from context.regions import crop_line, line_size, quad_angle
from context.temporal import find_dates
from context.types import Evidence
from context.writing import (
    checked_year,
    confusable_years,
    cyrillic_names,
    looks_disguised,
    names_in,
    place_names,
    repair_homoglyphs,
    repair_spelling,
    to_cyrillic,
)

NAMES = cyrillic_names(ContextConfig().data_dir)


def test_latin_look_alikes_of_a_cyrillic_place_are_turned_back():
    assert to_cyrillic("Kpbim") == "Крым"
    assert repair_homoglyphs("Mockba 1957", NAMES) == "Москва 1957"  # a gazetteer name
    assert repair_homoglyphs("Kpbim", NAMES) == "Крым"  # "pbi": no Latin word spells that
    assert repair_homoglyphs("Moiðoba-81", NAMES) == "Молдова-81"


def test_latin_words_stay_latin():
    for text in ("TOMATO", "Hollywood", "combine", "table", "Munich 1912", "Kazan"):
        assert repair_homoglyphs(text, NAMES) is None, text
    assert repair_homoglyphs("Крым", NAMES) is None  # already Cyrillic


def test_latin_words_are_not_near_spelled_into_cyrillic_places():
    """"Cafe Moka" was turned into "Cafe Москва": "Moka" is one edit from "москва" in
    look-alike letters, but it is a Latin word, in a line with another ("Cafe")."""
    names = place_names(ContextConfig().data_dir)
    assert repair_homoglyphs("Cafe Moka", names) is None
    assert repair_homoglyphs("Hotel Mockba", names) is None  # a Latin line
    assert "Москва" not in (repair_homoglyphs("Moka", names) or "")
    # a disguised name that is no Latin word is still turned back, alone or in a line
    assert repair_homoglyphs("Mockba", names) == "Москва"
    assert repair_homoglyphs("Kpbim 1973 r.", names) == "Крым 1973 r."


def test_latin_look_alikes_of_common_russian_words_are_turned_back():
    """Cursive look-alikes ("w" for ш, "u" for ш, "m" for т) and a word split at a letter
    gap: caught by the word list (context/words.py), not by the gazetteer."""
    assert repair_homoglyphs("Hawa", NAMES) == "Наша"
    assert repair_homoglyphs("Mapu pym,", NAMES) == "Маршрут,"
    assert repair_homoglyphs("Tonbko", NAMES) == "Только"
    # a Russian word must cover half the line's letters: one short word does not turn it
    assert repair_homoglyphs("Fess ane niro", NAMES) is None


def test_common_latin_words_stay_latin_with_the_word_list():
    # "TOMATO" turns into "ТОМАТО", rare in Russian and common in English
    for text in ("TOMATO", "HOTEL", "Park Hotel", "Berlin 1936", "Coca-Cola", "EXPO"):
        assert repair_homoglyphs(text, NAMES) is None, text
    # a word both write, more frequent in Russian, is taken as Russian (the margin is 0)
    assert repair_homoglyphs("Mama", NAMES) == "Мама"


def test_cyrillic_words_nearly_spelling_a_place_take_its_spelling():
    assert repair_spelling("Хорезм-1984", NAMES) is None  # already a name
    assert repair_spelling("ангышлак-1979", NAMES) == "мангышлак-1979"  # a letter lost
    assert repair_spelling("Посещение Нахичевани", NAMES) == "Посещение Нахичевань"
    # ordinary words and short words stay as read
    for text in ("Путешествие к родителям", "дорога", "Часть Ш."):
        assert repair_spelling(text, NAMES) is None, text


def test_yo_and_ye_are_one_letter_in_names():
    from context.gazetteer import load_gazetteer

    g = load_gazetteer(ContextConfig().data_dir)
    assert [m.id for m in g.find("Хорёзм-1984")] == ["khorezm"]
    assert [m.id for m in g.find("ХОРЕЗМ")] == ["khorezm"]


def test_confusable_decade_digits():
    assert confusable_years(1918) == [1978]
    assert confusable_years(1968) == [1908]
    assert confusable_years(1985) == []


def _ocr_year(year: int) -> EraCandidate:
    ev = Evidence("ocr", f'year "{year}" in the image', 0.3, f"{year}-{year + 15}")
    return EraCandidate(year, year + 15, 0.3, "ocr", "estimate", ev)


def test_a_confusable_year_is_weakened_or_swapped_by_other_evidence():
    weak = checked_year(_ocr_year(1918), [])
    assert weak.start == 1918 and weak.confidence == 0.15 and "1978" in weak.evidence.what
    caption = EraCandidate(1975, 1980, 0.8, "caption", "estimate",
                           Evidence("caption", "1975-1980", 0.8))
    swapped = checked_year(_ocr_year(1918), [caption])
    assert (swapped.start, swapped.end) == (1978, 1993)
    plain = _ocr_year(1985)
    assert checked_year(plain, [caption]) is plain


def test_a_title_year_after_a_dash():
    assert [(d.start, d.kind) for d in find_dates("Молдова-81")] == [(1981, "short")]
    assert [d.start for d in find_dates("Крым - 73 г.")] == [1973]
    assert find_dates("Ту-154") == []
    assert [(d.start, d.end) for d in find_dates("50-х годов")] == [(1950, 1959)]


def test_quad_angle_and_line_size():
    rising = np.array([[0, 10], [100, 0], [100, 10], [0, 20]])  # up to the right
    assert quad_angle(rising) > 0
    assert quad_angle(np.array([[0, 0], [100, 0], [100, 20], [0, 20]])) == 0
    assert line_size((0, 0, 100, 20), 1.0) == (100, 20)  # flat: the box as it is
    w, h = line_size((0, 0, 203, 52), 8.0)  # a 200 x 24 line tilted 8 degrees
    assert abs(w - 200) <= 3 and abs(h - 24) <= 3


def test_a_tilted_line_is_cut_out_level():
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 28)
    line = Image.new("L", (260, 40), 255)
    ImageDraw.Draw(line).text((5, 2), "Москва 1957", font=font, fill=0)
    tilted = line.rotate(8, Image.BILINEAR, expand=True, fillcolor=255)  # rises to the right
    box = (0, 0, tilted.width, tilted.height)
    level = crop_line(tilted.convert("RGB"), box, 8.0)
    assert level.height < 0.7 * tilted.height
    # The letters' rows: in the level cut, dark pixels fill a band close to the text height.
    rows = (np.asarray(level.convert("L")) < 128).any(axis=1)
    assert rows.sum() <= 40


def test_latin_readings_that_may_be_cyrillic_and_the_names_they_hide():
    assert looks_disguised("Aarecran 1973")  # every letter has a Cyrillic look-alike
    assert looks_disguised("Bapkouyp 1963 2.")
    assert not looks_disguised("Zakarpattia 1957")  # z, Z: no look-alike
    assert not looks_disguised("1973")  # no word
    assert names_in("Дагестан 1973", NAMES) == 1
    assert names_in("Байконур 1963 г.", NAMES) == 1
    assert names_in("Дагестап 1973", NAMES) == 1  # one edit in eight letters
    assert names_in("Пионеры собрали тонну", NAMES) == 0
    assert names_in("Aarecran", NAMES) == 0  # Latin letters name no Cyrillic place
