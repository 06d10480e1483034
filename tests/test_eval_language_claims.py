"""eval/language_claims.py: claims re-run on stored readings for each letter minimum, and the
written rule (right - wrong, the suite kept at 90%, ties to the smaller minimum), without OCR."""

from context.config import ContextConfig
from context.script import load_languages
from eval.language_claims import AGREE_LETTERS, MIN_LETTERS, choose, claim, sweep

LANGS = load_languages(ContextConfig().data_dir)
UKR_READS_BETTER = {"rus": 0.60, "ukr": 0.70, "bel": 0.55, "kaz": 0.50}


def _case(set_, truth, text, conf=None):
    return {"set": set_, "truth": truth, "text": text, "reading": (text, conf)}


def test_a_short_reading_names_a_language_only_below_the_minimum():
    reading = ("Кавказ", UKR_READS_BETTER)  # 6 letters, the models prefer Ukrainian
    assert claim(reading, LANGS, 0) == "ukr"
    assert claim(reading, LANGS, 8) is None
    assert claim(None, LANGS, 0) is None


def test_sweep_counts_right_wrong_and_none():
    cases = [_case("suite", "ukr", "Київ — столиця України, місто на Дніпрі"),
             _case("titles seed 1", "rus", "Кавказ", UKR_READS_BETTER)]
    rows = sweep(cases, LANGS)
    assert [r["min_letters"] for r in rows] == list(MIN_LETTERS)
    at0, at8 = rows[0], next(r for r in rows if r["min_letters"] == 8)
    assert (at0["right"], at0["wrong"], at0["none"], at0["score"]) == (1, 1, 0, 0)
    assert at0["wrong_claims"] == [["titles seed 1", "Кавказ", "ukr"]]
    assert (at8["right"], at8["wrong"], at8["none"], at8["score"]) == (1, 0, 1, 1)
    assert at8["suite_rate"] == 1.0


def test_rule_best_score_then_smaller_minimum_within_the_suite_bound():
    def row(n, score, suite=1.0):
        return {"min_letters": n, "score": score, "suite_rate": suite}
    rows = [row(0, 5), row(4, 7), row(8, 7), row(12, 9, suite=0.85)]
    assert choose(rows) == rows[1]  # 12 scores most but drops the suite below 90%


def test_agreement_sweep_drops_a_claim_only_the_models_make():
    """Under N letters a language is named only where the letters alone favour it too: a
    Russian title the Kazakh model happens to read best names none from N = 12 on."""
    kaz_reads_better = {"rus": 0.72, "ukr": 0.80, "bel": 0.75, "kaz": 0.91}
    reading = ("Армения год", kaz_reads_better)  # 10 letters, spelled alike in both
    assert claim(reading, LANGS, 8) == "kaz"
    assert claim(reading, LANGS, 8, 16) is None
    cases = [_case("titles seed 1", "rus", *reading),
             _case("suite", "ukr", "Київ — столиця України, місто на Дніпрі")]
    rows = sweep(cases, LANGS, "agree_letters")
    assert [r["agree_letters"] for r in rows] == list(AGREE_LETTERS)
    assert (rows[0]["wrong"], rows[0]["right"]) == (1, 1)  # 0: the encoder before
    assert all((r["wrong"], r["right"]) == (0, 1) for r in rows[1:])
    assert choose(rows)["agree_letters"] == 12  # ties go to the smaller N
