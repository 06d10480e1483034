"""During the Spanish Civil War (1936-39) each principal Spanish city reads the side that held
it, by the dates of its rising or fall (configs/context/place_periods.csv, rows keyed by the
city's GeoNames id, as Madrid's are by its curated id): Seville Nationalist from the coup of
18 July 1936, Bilbao Republican until 19 June 1937, Barcelona until 26 January 1939.

Before, every Spanish city but Madrid read both sides and chose neither ("Seville 1937":
"Sevilla, Second Spanish Republic / Francoist Spain").
"""

from __future__ import annotations

import pytest

from tests.hint_helpers import hints_encoder

REPUBLIC, FRANCO = "Second Spanish Republic", "Francoist Spain"


@pytest.fixture(scope="module")
def encoder():
    return hints_encoder()


def _polities(encoder, hint: str) -> list[str]:
    return [p.name for p in encoder(None, hint=hint).region.hierarchy if p.kind == "polity"]


@pytest.mark.parametrize(("hint", "polity"), [
    ("Seville 1937", FRANCO),
    ("Zaragoza 1937", FRANCO),
    ("Burgos 1938", FRANCO),
    ("Cádiz, Spain 1937", FRANCO),  # alone, Cadiz is the larger Philippine city
    ("Pamplona 1937", FRANCO),
    ("Valladolid 1937", FRANCO),
    ("Córdoba, Spain 1937", FRANCO),
    ("Granada 1937", FRANCO),
    ("Barcelona 1937", REPUBLIC),
    ("Barcelona 1938", REPUBLIC),
    ("Valencia, Spain 1938", REPUBLIC),  # alone, Valencia is the Venezuelan city
    ("Bilbao 1936", REPUBLIC),
    ("Málaga 1936", REPUBLIC),
    ("Málaga 1938", FRANCO),  # fell on 8 February 1937
    ("Santander 1938", FRANCO),  # fell on 26 August 1937
    ("Madrid 1937", REPUBLIC),  # Madrid's own rows, as before
])
def test_a_principal_city_reads_the_side_that_held_it(encoder, hint, polity):
    assert _polities(encoder, hint) == [polity]


def test_the_year_of_a_city_s_fall_names_the_longer_holder_and_lists_both(encoder):
    region = encoder(None, hint="Bilbao 1937").region  # fell on 19 June 1937
    assert [p.name for p in region.hierarchy if p.kind == "polity"] == [FRANCO]
    assert {c.polity for c in region.candidates} == {REPUBLIC, FRANCO}


def test_a_month_before_the_fall_reads_the_republic(encoder):
    assert _polities(encoder, "Bilbao, May 1937") == [REPUBLIC]
    assert _polities(encoder, "Barcelona, December 1938") == [REPUBLIC]
    assert _polities(encoder, "Barcelona, March 1939") == [FRANCO]


def test_teruel_changed_hands_twice(encoder):
    assert _polities(encoder, "Teruel 1937") == [FRANCO]
    assert _polities(encoder, "Teruel, January 1938") == [REPUBLIC]  # taken 8 January 1938
    assert _polities(encoder, "Teruel, March 1938") == [FRANCO]  # retaken 22 February


@pytest.mark.parametrize(("hint", "polity"), [
    ("Seville 1933", REPUBLIC), ("Seville 1950", FRANCO), ("Barcelona 1920",
                                                           "Kingdom of Spain (to 1931)"),
    ("Bilbao 1990", "Spain"), ("Barcelona 1873", "First Spanish Republic"),
])
def test_the_city_s_rows_keep_spain_s_other_periods(encoder, hint, polity):
    assert _polities(encoder, hint) == [polity]
