"""Words of a hint that are no date (the hintplaces audit, 2026-12): a person's age written
like a decade ("in her mid-50s", "his early sixties", "aged 30s") gives no era and is
reported as not used; a period's name that is also a common word ("wende", a German verb;
"titanic") counts only capitalised.

Through `python -m context` as a user runs it, and through the readers directly.
"""

from __future__ import annotations

import pytest

from context.encoder import ContextEncoder
from context.temporal import find_dates
from tests.hint_helpers import context_cli, hints_encoder


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    return hints_encoder()


def _era(encoder: ContextEncoder, hint: str) -> tuple[int, int] | None:
    era = encoder(None, hint=hint).era
    return (era.start, era.end) if era else None


def test_cli_an_age_in_digits_is_no_decade_and_is_reported():
    out = context_cli("Paris in her mid-50s 1950")
    assert (out["era"]["start"], out["era"]["end"], out["era"]["confidence"]) == (1950, 1950,
                                                                                 0.9)
    assert "'her mid-50s (an age)'" in out["unknown"]["hint_words"]


@pytest.mark.parametrize("text", [
    "in her mid-50s", "in his early sixties", "aged 30s", "my late 40s", "their early 20s",
    "His Mid-Fifties", "aged about 40s", "in her teens",
])
def test_ages_read_as_no_date(text):
    assert find_dates(text) == []


@pytest.mark.parametrize("text, span", [
    ("the late 40s", (1946, 1949)), ("mid-fifties Tokyo", (1953, 1956)),
    ("early 1950s", (1950, 1953)), ("Rome, early sixties", (1960, 1963)),
])
def test_decades_without_a_person_stay_decades(text, span):
    assert [(d.start, d.end) for d in find_dates(text)] == [span]


def test_an_age_beside_a_place_gives_the_place_and_no_era(encoder):
    ctx = encoder(None, hint="Father in his late 40s, London")
    assert ctx.era is None and ctx.region.name.startswith("London")
    assert "'his late 40s (an age)'" in ctx.unknown["hint_words"]


def test_an_age_alone_is_no_cue(encoder):
    ctx = encoder(None, hint="Aunt Mary in his early sixties")
    assert ctx.era is None and ctx.region is None
    assert "no year, period or place found" in ctx.unknown["hint"]


@pytest.mark.parametrize("hint, era", [
    ("Leipzig, ich wende mich ab, 1970", (1970, 1970)),  # "wende" the verb
    ("a titanic effort, Berlin 1950", (1950, 1950)),
    ("Wende Leipzig", (1989, 1990)),  # the period, capitalised
    ("LEIPZIG WENDE", (1989, 1990)),  # and in capitals, as a sign
    ("Titanic 1912", (1912, 1912)),
    ("The Thaw, Moscow", (1953, 1964)),
    ("Prohibition era Chicago", (1920, 1933)),  # a lower-case word may follow
])
def test_common_word_periods_count_only_capitalised(encoder, hint, era):
    assert _era(encoder, hint) == era
