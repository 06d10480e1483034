import pytest

from context.config import ContextConfig
from context.script import cyrillic_language_scores, dominant_script, load_languages, load_scripts

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
