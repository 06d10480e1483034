"""context/words.py: Russian words in Latin look-alike letters, by word frequency."""

from dataclasses import replace

from context.words import WordConfig, latin_zipf, russian_word, spellings, zipf


def test_spellings_try_the_cursive_look_alikes():
    assert "наша" in spellings("Hawa", 64)  # w: ш
    assert "маршрут" in spellings("Mapupym", 4096)  # u: ш, m: т
    assert spellings("Zebra", 64) == []  # Z has no look-alike
    assert len(spellings("mmmmmmmmmmmm", 100)) == 100  # capped


def test_russian_word_needs_a_common_russian_word_rarer_in_latin_languages():
    assert russian_word("Hawa") == "наша"
    assert russian_word("ropod") == "город"
    assert russian_word("TOMATO") is None  # томато: rare in Russian
    assert russian_word("Park") is None  # "рагк", "раик": no Russian words
    assert russian_word("man") is None  # "мап"/"тап": not Russian words; "man" is English
    assert russian_word("no") is None  # too short
    assert zipf("наша", "ru") > 4 and latin_zipf("tomato") > 3


def test_the_margin_keeps_a_word_common_in_both_languages_latin():
    # "Bac" spells "вас" (very common) and is a French word (rare): the chosen margin of 0
    # takes it as Russian; a margin of 2 would not.
    assert russian_word("Bac") == "вас"
    strict = replace(WordConfig(), margin=2.0)
    assert russian_word("Bac", strict) is None


def test_the_print_look_alikes_of_writing_are_the_first_of_each_words_look_alike():
    # writing.to_cyrillic turns a letter into its print look-alike; words.spellings tries
    # that one first. If the two maps drift apart, a name and a word would disagree.
    from context.words import LOOKALIKES
    from context.writing import _SINGLE

    assert {k: v for k, v in _SINGLE.items() if LOOKALIKES[k][0] != v} == {}
