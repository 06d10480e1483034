"""eval/language_floor.py: the classifier re-run on stored readings, and the written rule
(most right, the suite kept at 90%, ties to the smaller change), without OCR."""

from context.config import ContextConfig
from context.script import load_languages
from eval.language_floor import SETTINGS, choose, decide, sweep

LANGS = load_languages(ContextConfig().data_dir)
UNREAD = {"rus": 0.167, "ukr": 0.181, "bel": 0.251, "kaz": 0.211}  # a felt-tip title


def _case(set_, truth, text, conf=None):
    return {"set": set_, "truth": truth, "text": text, "reading": (text, conf)}


def test_decide_follows_the_setting():
    reading = ("Военно-грузинская дорога", UNREAD)
    assert decide(reading, LANGS, False, 0.0) == "tat"
    assert decide(reading, LANGS, False, 0.5) != "tat"
    assert decide(None, LANGS, True, 0.0) is None  # nothing Cyrillic was read


def test_sweep_counts_per_set_and_lists_misses():
    cases = [_case("suite", "ukr", "Київ — столиця України"),
             _case("titles seed 1", "rus", "Военно-грузинская дорога", UNREAD)]
    rows = sweep(cases, LANGS)
    assert len(rows) == len(SETTINGS)
    first = rows[0]  # off, floor 0: the title is taken for Tatar
    assert first["right"] == {"suite": 1, "titles seed 1": 0} and first["suite_rate"] == 1.0
    assert first["misses"] == [["titles seed 1", "rus", "Военно-грузинская дорога", "tat"]]


def _row(tells, floor, total, suite_rate=1.0):
    return {"tell_absence": tells, "model_floor": floor, "total": total,
            "suite_rate": suite_rate}


def test_rule_most_right_then_smaller_change_and_the_suite_bound():
    rows = [_row(False, 0.0, 10), _row(False, 0.5, 12), _row(True, 0.0, 12)]
    assert choose(rows) == rows[1]  # a tie goes to tells off, then the lower floor
    rows = [_row(False, 0.0, 10), _row(True, 0.0, 14, suite_rate=0.85)]
    assert choose(rows) == rows[0]  # below the suite's 90%: not allowed
