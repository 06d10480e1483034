"""Hints on the Eastern Front that named the Soviet republic for the years of German and
Romanian occupation (the hintleft audit, 2026-12): "Kyiv 1943" read the Ukrainian SSR,
"Brest 1942" the Byelorussian SSR, "Riga 1941" the Latvian SSR. Who held the place is now
recorded by city and zone with the month it changed hands (Kyiv 19 Sep 1941 - 6 Nov 1943),
and a single year is given to whoever held it most of that year's days
(`context/year_holdings.py`).

Through `python -m context` as a user runs it, and through the encoder directly.
"""

from __future__ import annotations

import pytest

from context.encoder import ContextEncoder
from tests.hint_helpers import context_cli, hints_encoder, region_name

NAZI_GERMANY = "Q7318"


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    return hints_encoder()


@pytest.mark.parametrize("hint", ["Kyiv 1943", "Київ 1943"])
def test_cli_kyiv_1943_is_in_the_reichskommissariat_ukraine(hint):
    region = context_cli(hint)["region"]
    assert region["name"] == ("Kyiv, Generalbezirk Kiew (Reichskommissariat Ukraine), "
                              "Nazi Germany")
    assert [h["wikidata"] for h in region["hierarchy"] if h["kind"] == "polity"] == [
        NAZI_GERMANY]
    assert region["modern_iso"] == "UA"
    said = " ".join(e["what"] for e in region["evidence"])
    # The ten months of 1943 under German rule decide; the Soviet weeks are said.
    assert "Battle_of_Kiev_(1941)" in said
    assert "also overlaps Ukrainian SSR (1943-11-06 to 1991-08-24)" in said


def test_cli_brest_1942_is_occupied_not_the_byelorussian_ssr():
    region = context_cli("Brest, Belarus 1942")["region"]
    assert region["name"] == "Brest, Nazi Germany"
    polities = [h["name"] for h in region["hierarchy"] if h["kind"] == "polity"]
    assert polities == ["Nazi Germany"]
    assert region["modern_iso"] == "BY"


def test_kyiv_changed_hands_on_the_day(encoder):
    assert [region_name(encoder, h) for h in (
        "Kyiv, August 1941", "Kyiv, October 1941", "Kyiv, October 1943",
        "Kyiv, December 1943", "Kyiv 1950")] == [
        "Kyiv, Ukrainian SSR, USSR",
        "Kyiv, Generalbezirk Kiew (Reichskommissariat Ukraine), Nazi Germany",
        "Kyiv, Generalbezirk Kiew (Reichskommissariat Ukraine), Nazi Germany",
        "Kyiv, Ukrainian SSR, USSR",
        "Kyiv, Ukrainian SSR, USSR"]


def test_kharkiv_changed_hands_four_times(encoder):
    german = "Kharkiv, German military administration (Army Group South rear area), Nazi Germany"
    assert [region_name(encoder, f"Kharkov, {m} 1943") for m in (
        "January", "February", "March", "June", "September")] == [
        german, "Kharkiv, Ukrainian SSR, USSR", german, german, "Kharkiv, Ukrainian SSR, USSR"]


@pytest.mark.parametrize("hint, region", [
    ("Odessa 1942", "Odesa, Transnistria Governorate, Kingdom of Romania"),
    ("Одесса 1943", "Odesa, Transnistria Governorate, Kingdom of Romania"),
    ("Odessa 1890s", "Odesa, Kherson Governorate, Russian Empire"),
    ("Dnipropetrovsk 1942",
     "Dnipro, Generalbezirk Dnjepropetrowsk (Reichskommissariat Ukraine), Nazi Germany"),
    ("Rivne 1942", "Rivne, Reichskommissariat Ukraine (its seat: Rowno), Nazi Germany"),
    ("Rivne 1935", "Rivne, Wołyń Voivodeship, Second Polish Republic"),
    ("Zhytomyr 1942", "Zhytomyr, Generalbezirk Shitomir (Reichskommissariat Ukraine), Nazi Germany"),
    ("Minsk 1942",
     "Minsk, Generalbezirk Weißruthenien (Reichskommissariat Ostland), Nazi Germany"),
    ("Grodno 1942", "Grodno, Bezirk Bialystok (attached to East Prussia), Nazi Germany"),
    ("Grodno 1935", "Grodno, Białystok Voivodeship, Second Polish Republic"),
    ("Bialystok 1940", "Białystok, Belostok Oblast, Byelorussian SSR, USSR"),
    ("Bialystok 1942", "Białystok, Bezirk Bialystok (attached to East Prussia), Nazi Germany"),
    ("Vitebsk 1943",
     "Vitebsk, German military administration (Army Group Centre rear area), Nazi Germany"),
    ("Smolensk 1942",
     "Smolensk, German military administration (Army Group Centre rear area), Nazi Germany"),
    ("Pskov 1943",
     "Pskov, German military administration (Army Group North rear area), Nazi Germany"),
    ("Novgorod 1942", ("Veliky Novgorod, German military administration (Army Group North "
                       "rear area), Nazi Germany")),
])
def test_eastern_front_cities_by_zone(encoder, hint, region):
    assert region_name(encoder, hint) == region


def test_the_soviet_republics_again_after_liberation(encoder):
    assert [region_name(encoder, h) for h in (
        "Minsk, June 1944", "Minsk, July 1944", "Минск 1960-е", "Smolensk 1950")] == [
        "Minsk, Generalbezirk Weißruthenien (Reichskommissariat Ostland), Nazi Germany",
        "Minsk, Byelorussian SSR, USSR", "Minsk, Byelorussian SSR, USSR",
        "Smolensk, Russian SFSR, USSR"]


def test_baltic_and_eastern_poland_1939_41(encoder):
    """The Soviet annexations (eastern Poland Sep 1939, the Baltic states Jun 1940,
    Bessarabia Jun 1940) and the German arrival in 1941, month by month."""
    ostland = "Riga, Generalbezirk Lettland (Reichskommissariat Ostland), Nazi Germany"
    assert [region_name(encoder, h) for h in (
        "Riga 1939", "Riga 1940", "Riga, May 1941", "Riga, August 1941", "Riga 1941",
        "Riga 1943", "Vilnius 1939", "Vilnius, September 1939", "Vilnius 1940", "Lviv 1940",
        "Chisinau 1942", "Kishinev 1940")] == [
        "Riga, Latvia", "Riga, Latvian SSR, USSR", "Riga, Latvian SSR, USSR", ostland,
        ostland, ostland, "Vilnius, Wilno Voivodeship, Second Polish Republic",
        "Vilnius, Soviet military occupation, USSR",
        "Vilnius, Lithuanian SSR, USSR", "Lviv, Ukrainian SSR, USSR",
        "Chișinău, Bessarabia Governorate (Romanian), Kingdom of Romania",
        "Chișinău, Moldavian SSR, USSR"]


def test_a_country_held_by_several_at_once_names_them_all(encoder):
    region = encoder(None, hint="Ukraine 1942").region
    assert region.name == ("Ukraine, Ukrainian SSR / Nazi Germany / General Government / "
                           "Kingdom of Romania")
    said = " ".join(e.what for e in region.evidence)
    assert "ambiguous: held at once by" in said
    assert "Nazi Germany (centre and Volhynia (Reichskommissariat Ukraine))" in said
    assert "Ukrainian SSR (Soviet-held east (unoccupied until 1942-07" in said
    assert "Kingdom of Romania (south-west between the Dniester and the Southern Bug" in said
    assert region_name(encoder, "Ukraine 1944") == "Ukraine, Ukrainian SSR, USSR"
    assert region_name(encoder, "Belarus 1943") == "Belarus, Nazi Germany / Byelorussian SSR"
    assert region_name(encoder, "Belarus 1935") == "Belarus, Byelorussian SSR, USSR"
