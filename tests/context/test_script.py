import pytest

from context.config import ContextConfig
from context.script import (
    LANGUAGE_MIN_LETTERS,
    claimed_language,
    cyrillic_language_scores,
    dominant_script,
    load_languages,
    load_scripts,
    words_of,
)

DATA = ContextConfig().data_dir


@pytest.mark.parametrize("text,code", [
    ("Boulangerie du Marché", "Latn"), ("Да здравствует", "Cyrl"), ("Καλημέρα", "Grek"),
    ("שלום ירושלים", "Hebr"), ("مرحبا بكم", "Arab"), ("თბილისი", "Geor"), ("Երևան", "Armn"),
])
def test_unicode_fallback(text, code):
    assert dominant_script(text, load_scripts(DATA))[0] == code


def test_no_letters_no_script():
    assert dominant_script("1937 — 12.05", load_scripts(DATA)) == (None, 0.0)


@pytest.mark.parametrize("text,lang", [
    ("Казан шәһәре үзәгендә яңа мәктәп ачылды", "tat"),
    ("Київ — столиця України, місто на Дніпрі", "ukr"),
    ("Мінск — горад, дзе жыве шмат людзей і ўсё", "bel"),
    ("Алматы қаласы және оның көшелері", "kaz"),
    ("Москва — столица нашей страны, это город", "rus"),
])
def test_cyrillic_language(text, lang):
    scores = cyrillic_language_scores(text, load_languages(DATA))
    assert max(scores, key=scores.get) == lang


def test_language_scores_need_cyrillic():
    assert cyrillic_language_scores("Paris 1880", load_languages(DATA)) == {}


def test_latin_lookalikes_in_cyrillic_text_count_as_cyrillic():
    # The Cyrillic model often returns Latin i for Ukrainian/Belarusian і.
    langs = load_languages(DATA)
    scores = cyrillic_language_scores("Слава працi i мiру", langs)
    assert max(scores, key=scores.get) in ("ukr", "bel")
    assert words_of("Paris 1880 Café") == {"paris", "café"}  # Latin text is left alone


def test_language_model_confidence_moves_the_decision():
    # Kazakh without ғ қ ұ і: its letters (ә ң) lean Tatar. How well each language's
    # Tesseract model reads the line tells them apart: each language loses MODEL_WEIGHT x
    # its model's distance to the best one; a language without a model loses nothing.
    langs = load_languages(DATA)
    text = "Жаңа нан әр таңертең сатылады"
    cues_only = cyrillic_language_scores(text, langs)
    assert max(cues_only, key=cues_only.get) == "tat"
    conf = {"rus": 0.92, "ukr": 0.88, "bel": 0.91, "kaz": 0.96, "tat": 0.80}
    scores = cyrillic_language_scores(text, langs, conf)
    assert max(scores, key=scores.get) == "kaz" and scores["kaz"] > 0.9
    without_tatar_model = cyrillic_language_scores(
        text, langs, {k: v for k, v in conf.items() if k != "tat"})
    assert max(without_tatar_model, key=without_tatar_model.get) == "tat"


# Measured on a felt-tip slide title ("Военно-грузинская дорога"): no model reads it (all
# under 0.3), and Tatar, which has no usable model and so loses nothing, won at 0.75.
UNREAD = {"rus": 0.167, "ukr": 0.181, "bel": 0.251, "kaz": 0.211}


def test_model_floor_drops_the_comparison_of_models_that_read_nothing():
    langs = load_languages(DATA)
    text = "Военно-грузинская дорога"
    free = {"unread_needs_tells": False}  # the floor alone, as before that rule
    compared = cyrillic_language_scores(text, langs, UNREAD, model_floor=0.0, **free)
    assert max(compared, key=compared.get) == "tat" and compared["tat"] > 0.7
    floored = cyrillic_language_scores(text, langs, UNREAD, model_floor=0.5, **free)
    assert floored == cyrillic_language_scores(text, langs, None, model_floor=0.5, **free)
    assert floored["tat"] < 0.5
    # Above the floor the models still decide (test_language_model_confidence_...).
    sure = {k: v + 0.6 for k, v in UNREAD.items()}
    above = cyrillic_language_scores(text, langs, sure, model_floor=0.5, **free)
    assert above == pytest.approx(compared)


def test_missing_telling_letters_cost_more_where_they_are_common():
    langs = load_languages(DATA)
    text = "Путешествие по дороге домой"  # no і ї є ґ, no ә ө ү, no ы э ъ ё щ either
    plain = cyrillic_language_scores(text, langs, tell_absence=False)
    weighed = cyrillic_language_scores(text, langs, tell_absence=True)
    assert weighed["rus"] > plain["rus"]
    assert weighed["ukr"] / weighed["rus"] < plain["ukr"] / plain["rus"]
    # A telling letter that shows is not missing: Ukrainian keeps its score against Russian.
    shown = "Подорож до Києва"
    a = cyrillic_language_scores(shown, langs, tell_absence=False)
    b = cyrillic_language_scores(shown, langs, tell_absence=True)
    assert max(b, key=b.get) == max(a, key=a.get) == "ukr"


def test_a_language_without_a_model_needs_a_letter_of_its_own():
    langs = load_languages(DATA)
    text = "Военно-грузинская дорога"  # no ә ө ү җ ң һ: nothing says Tatar
    free = cyrillic_language_scores(text, langs, UNREAD, unread_needs_tells=False)
    assert max(free, key=free.get) == "tat"  # it lost nothing while every model read poorly
    held = cyrillic_language_scores(text, langs, UNREAD, unread_needs_tells=True)
    assert held["tat"] == 0.0 and set(held) == set(free)
    assert sum(held.values()) == pytest.approx(1.0)
    # With a Tatar letter it competes again, and without the models nothing is left out.
    tatar = "Казан шәһәре"
    assert cyrillic_language_scores(tatar, langs, UNREAD, unread_needs_tells=True)["tat"] > 0.5
    assert cyrillic_language_scores(text, langs, None, unread_needs_tells=True)["tat"] > 0.0


def test_a_language_is_claimed_only_from_enough_cyrillic_letters():
    """A bare place name ("Кавказ") names no language; a sentence does, at 0.5 or more."""
    langs = load_languages(DATA)
    short, long = "Кавказ 1979", "Москва — столица нашей страны, это город"
    assert LANGUAGE_MIN_LETTERS > 6  # "Кавказ" has 6
    sure = {"ukr": 0.7, "rus": 0.3}  # the models read "Кавказ" a little better in Ukrainian
    assert claimed_language(sure, short) is None
    assert claimed_language(sure, short, 0) == ("ukr", 0.7)
    lang, p = claimed_language(cyrillic_language_scores(long, langs), long)
    assert lang == "rus" and p >= 0.5
    assert claimed_language({"rus": 0.4, "ukr": 0.35, "bel": 0.25}, long) is None
    assert claimed_language({}, long) is None
