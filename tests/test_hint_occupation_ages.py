"""A decade's short form right after a person may be the person's age (the hintleft audit,
2026-12): "my mum, early 50s" read 1950-1953 at full confidence. Now such a decade is read
at `MAYBE_AGE_CONFIDENCE` with evidence that says it may be an age, and beside a date of
other years it is the age ("Uncle Jim, late 30s, Kyiv 1943" is 1943). A form only a decade
takes ("the early 1950s", "early '50s") and a decade after no person ("early 50s Leeds")
read as before; "in her early 50s" stays an age (`temporal.find_ages`).

Through `python -m context` as a user runs it, and through the encoder directly.
"""

from __future__ import annotations

import pytest

from context.encoder import ContextEncoder
from context.person_ages import MAYBE_AGE_CONFIDENCE
from tests.hint_helpers import context_cli, era_reading, hints_encoder


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    return hints_encoder()


def test_cli_my_mum_early_50s_says_it_may_be_an_age():
    era = context_cli("my mum, early 50s")["era"]
    assert (era["start"], era["end"]) == (1950, 1953)
    assert era["confidence"] == pytest.approx(0.4)
    [evidence] = era["evidence"]
    assert evidence["what"] == ('decade "early 50s" in hint; may be an age (after "mum"): '
                                'write "the 1950s" for the decade or "aged 50s" for an age')
    assert evidence["score"] == pytest.approx(0.4)


def test_cli_an_age_beside_a_year_gives_the_year_and_is_said():
    out = context_cli("Uncle Jim, late 30s, Kyiv 1943")
    assert (out["era"]["start"], out["era"]["end"]) == (1943, 1943)
    assert out["era"]["confidence"] == pytest.approx(0.9)
    assert "'late 30s (an age beside the date)'" in out["unknown"]["hint_words"]


def test_decades_after_a_person_and_unambiguous_decades(encoder):
    maybe = round(MAYBE_AGE_CONFIDENCE, 2)
    assert {h: era_reading(encoder, h) for h in (
        "my mum, early 50s", "Dad, late 40s, Leeds", "my dad, early fifties",
        "Aunt Mary, 70s, Paris", "Grandma (mid-60s)", "early 50s Leeds", "early 50s",
        "the early 1950s, my mum", "my mum, early '50s", "my mum, 1950s",
        "Dad's car, 50s", "Mum in her early 50s", "grandad in his 60s",
        "my mum, early 50s, 1952", "my mum, early 50s, 1962")} == {
        "my mum, early 50s": (1950, 1953, maybe, True),
        "Dad, late 40s, Leeds": (1946, 1949, maybe, True),
        "my dad, early fifties": (1950, 1953, maybe, True),
        "Aunt Mary, 70s, Paris": (1970, 1979, maybe, True),
        "Grandma (mid-60s)": (1963, 1966, maybe, True),
        # no person before it, or a form only a decade takes: a decade, as before
        "early 50s Leeds": (1950, 1953, 0.8, False),
        "early 50s": (1950, 1953, 0.8, False),
        "the early 1950s, my mum": (1950, 1953, 0.8, False),
        "my mum, early '50s": (1950, 1953, 0.8, False),
        "my mum, 1950s": (1950, 1959, 0.8, False),
        "Dad's car, 50s": (1950, 1959, 0.8, False),
        # an age for certain (temporal.find_ages): no date at all
        "Mum in her early 50s": None,
        "grandad in his 60s": None,
        # a year inside the decade agrees with it; one outside says the decade is the age
        "my mum, early 50s, 1952": (1952, 1952, 0.9, True),
        "my mum, early 50s, 1962": (1962, 1962, 0.9, False),
    }
