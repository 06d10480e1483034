"""Noise the real photos and hints made `chronochrome context` claim (the ctxleft audit,
2026-12), d: person words for the age reading were English only. A decade after a Russian,
Ukrainian, German, French or Polish person word read at full confidence even in the form
English shares ("Oma, late 60s", "бабушка, early 60s"), and German "in ihren 60ern" (her
sixties) read as the 1960s. Their own decade forms are decades only and stay so ("мама,
начало 50-х", "années 50", "lata 50.", "Anfang der 50er"); their ages read no date ("мама в
50 лет", "Anfang 50", "50 ans", "50 lat"). context/person_ages.py says which is which.
Through `python -m context` as a user runs it, and through a hints-only encoder."""

from __future__ import annotations

import pytest

from context.encoder import ContextEncoder
from context.person_ages import MAYBE_AGE_CONFIDENCE
from tests.hint_helpers import context_cli, era_reading, hints_encoder


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    return hints_encoder()


def test_cli_oma_late_60s_may_be_her_age():
    era = context_cli("Oma, late 60s")["era"]
    assert (era["start"], era["end"]) == (1966, 1969)
    assert era["confidence"] == pytest.approx(MAYBE_AGE_CONFIDENCE)
    assert 'may be an age (after "Oma")' in era["evidence"][0]["what"]


def test_english_decades_after_other_languages_person_words(encoder):
    maybe = round(MAYBE_AGE_CONFIDENCE, 2)
    assert {h: era_reading(encoder, h) for h in (
        "бабушка, early 60s", "мама Люда, 60s", "Babcia, early 60s", "maman, 60s",
        "Mutti, 50er", "Mutti, in den 50ern", "Oma, late 60s, 1975")} == {
        "бабушка, early 60s": (1960, 1963, maybe, True),
        "мама Люда, 60s": (1960, 1969, maybe, True),
        "Babcia, early 60s": (1960, 1963, maybe, True),
        "maman, 60s": (1960, 1969, maybe, True),
        # German "50er" bare after a person: the 1950s or her fifties
        "Mutti, 50er": (1950, 1959, maybe, True),
        "Mutti, in den 50ern": (1950, 1959, maybe, True),
        # a date of other years says when: the decade was her age
        "Oma, late 60s, 1975": (1975, 1975, 0.9, False),
    }


def test_german_possessive_is_an_age_only(encoder):
    assert era_reading(encoder, "Oma in ihren 60ern") is None
    assert era_reading(encoder, "Oma in ihren 60ern, Berlin 1975")[:2] == (1975, 1975)


def test_each_languages_own_decades_stay_decades_and_ages_read_no_date(encoder):
    assert {h: era_reading(encoder, h) for h in (
        "мама, начало 50-х", "мама в 50-х", "тато, 50-ті", "Vater, 50er Jahre",
        "Mutti, Anfang der 50er", "maman, années 50", "mama, lata 50.",
        "мама в 50 лет", "мама в 50 років", "Mutti, Anfang 50", "maman à 50 ans",
        "mama, 50 lat")} == {
        "мама, начало 50-х": (1950, 1953, 0.8, False),
        "мама в 50-х": (1950, 1959, 0.8, False),
        "тато, 50-ті": (1950, 1959, 0.8, False),
        "Vater, 50er Jahre": (1950, 1959, 0.8, False),
        "Mutti, Anfang der 50er": (1950, 1953, 0.8, False),
        "maman, années 50": (1950, 1959, 0.8, False),
        "mama, lata 50.": (1950, 1959, 0.8, False),
        "мама в 50 лет": None, "мама в 50 років": None, "Mutti, Anfang 50": None,
        "maman à 50 ans": None, "mama, 50 lat": None,
    }
