"""Hints as people type them (the hintwords audit): `python -m context --no-embedding --hint
TEXT` gave no era for "mid-fifties Tokyo" (and said nothing of the unread words), the whole
Shōwa era (1926-1989) for "Showa 30 Osaka" with "30" called no date, no era for "Paris sous
l'occupation", "fin de siècle Vienna", "Wende Leipzig", "Soviet era Kyiv", "post-war Berlin",
no region for "WWII Normandy" or "ca.1900 Ellis Island", Kent and Ontario in the United States,
Köln and München in 1960 as "West Germany / East Germany", and the country Turkey for
"Thanksgiving turkey 1962". Each case keeps its evidence and span."""

from __future__ import annotations

import pytest

from context.config import ContextConfig
from context.encoder import ContextEncoder
from context.gazetteer import load_gazetteer
from context.hints import read_cues
from context.temporal import find_dates
from tests.hint_helpers import context_cli, hints_encoder


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    return hints_encoder()


def _read(encoder: ContextEncoder, hint: str) -> tuple[tuple[int, int] | None, str | None]:
    ctx = encoder(None, hint=hint)
    return ((ctx.era.start, ctx.era.end) if ctx.era else None,
            ctx.region.name if ctx.region else None)


def test_cli_reads_a_decade_word_with_its_span():
    out = context_cli("mid-fifties Tokyo")
    assert (out["era"]["start"], out["era"]["end"]) == (1953, 1956)
    evidence = out["era"]["evidence"][0]
    assert evidence["what"] == 'decade "mid-fifties" in hint' and evidence["span"] == [0, 11]
    assert out["region"]["name"] == "Tokyo, Japan"
    assert "hint_words" not in out["unknown"]


def test_cli_reads_a_japanese_era_year_and_keeps_the_era_as_the_place():
    out = context_cli("Showa 30 Osaka")
    assert (out["era"]["start"], out["era"]["end"]) == (1955, 1955)
    assert [e["what"] for e in out["era"]["evidence"]] == ['regnal year "Showa 30" in hint']
    assert out["region"]["name"] == "Osaka, Japan"
    assert "hint_words" not in out["unknown"]  # "30" was called no date


def test_cli_says_a_time_word_it_could_not_read():
    out = context_cli("Kriegszeit München")
    assert out["era"] is None
    assert out["unknown"]["hint_words"].startswith("not read as a date or place: 'Kriegszeit'")
    assert out["region"]["name"] == "Munich"  # the place is still used


@pytest.mark.parametrize("text, kind, years", [
    ("昭和三十年", "regnal year", (1955, 1955)),
    ("昭和30年代", "regnal decade", (1955, 1964)),
    ("Meiji 40", "regnal year", (1907, 1907)),
    ("Taishō 5", "regnal year", (1916, 1916)),
    ("民國38年", "regnal year", (1949, 1949)),
    ("Minguo 38", "regnal year", (1949, 1949)),
    ("B.E. 2490", "regnal year", (1947, 1947)),
    ("mid-fifties", "decade", (1953, 1956)),
    ("early sixties", "decade", (1960, 1963)),
])
def test_era_years_and_decade_words_are_dates(text, kind, years):
    (found,) = find_dates(text)
    assert (found.kind, (found.start, found.end), found.text) == (kind, years, text)


def test_an_age_and_a_year_past_its_era_are_no_dates(encoder):
    assert find_dates("in her mid-fifties") == [] and find_dates("Taisho 20") == []
    ctx = encoder(None, hint="Taisho 20 Kyoto")  # Taishō had 15 years: said, not guessed
    assert (ctx.era.start, ctx.era.end) == (1912, 1926)  # the era's name alone
    assert "'20'" in ctx.unknown["hint_words"]
    assert _read(encoder, "Aunt Mary in her mid-fifties, Munich") == (None, "Munich")


@pytest.mark.parametrize("hint, era, region", [
    ("Paris sous l'occupation", (1940, 1944),
     "Paris, Military Administration in France (occupied zone), Nazi Germany"),
    ("fin de siècle Vienna", (1880, 1900), "Vienna, Austria-Hungary"),
    ("Gründerzeit Berlin", (1870, 1914), "Berlin, German Empire"),
    ("Wende Leipzig", (1989, 1990), "Leipzig, East Germany"),
    ("Soviet era Kyiv", (1922, 1991), "Kyiv, Ukrainian SSR, USSR"),
    ("Nachkriegszeit Köln", (1945, 1955), "Cologne, West Germany"),
    ("戦後 東京", (1945, 1955), "Tokyo, Japan"),
    ("Prague Spring 1968", (1968, 1968), "Prague, Czechoslovakia"),
])
def test_named_periods_in_their_own_language(encoder, hint, era, region):
    assert _read(encoder, hint) == (era, region)


@pytest.mark.parametrize("hint, region", [
    ("WWII Normandy", "Normandy, Military Administration in France (occupied zone), Nazi Germany"),
    ("ca.1900 Ellis Island", "Ellis Island, United States"),
    ("Bavaria 1938", "Bavaria, Nazi Germany"),
    ("Kent 1918", "Kent, United Kingdom of Great Britain and Ireland"),
    ("Ontario farm 1920s", "Ontario, Canada"),
    ("Cornwall 1905", "Cornwall, United Kingdom of Great Britain and Ireland"),
    ("Victoria, British Columbia 1910", "Victoria (British Columbia), Canada"),
    ("Köln 1960", "Cologne, West Germany"),
    ("Dresden 1960", "Dresden, East Germany"),
    ("昭和30年東京にて", "Tokyo, Japan"),
])
def test_regions_landmarks_and_one_germany(encoder, hint, region):
    assert _read(encoder, hint)[1] == region


@pytest.mark.parametrize("hint, region", [
    ("Thanksgiving turkey 1962", None),
    ("Turkey dinner 1958", None),
    ("china tea set 1930", None),
    ("China tea set 1930", None),  # nor the town of China in Mexico
    ("in her jersey 1955", None),
    ("wine cork 1950", None),
    ("buffalo hunt 1880", None),
    ("Yorkshire terrier 1930", None),
    ("Turkey, 1958", "Turkey"),
    ("China 1930s", "China, Republic of China (1912–1949)"),
    ("Kent, Ohio 1970", "Kent, United States"),
])
def test_a_common_word_is_no_place(encoder, hint, region):
    assert _read(encoder, hint)[1] == region


def test_every_understood_part_keeps_its_evidence_span():
    gazetteer = load_gazetteer(str(ContextConfig().data_dir))
    cues = read_cues("Showa 30 Osaka", "hint", gazetteer)
    assert [(e.evidence.what, e.evidence.span, e.start, e.end) for e in cues.eras] == [
        ('regnal year "Showa 30" in hint', (0, 8), 1955, 1955)]
    assert sorted((p.evidence.what, p.evidence.span) for p in cues.places) == [
        ('period "Showa" in hint took place in Japan', (0, 5)),
        ('place "Osaka" in hint', (9, 14))]
    assert cues.unread == ()
