"""Spain's periods are the country's (configs/context/place_periods.csv, `spain`), so every
Spanish city reads the state of its year, as Mongolia's towns do; Madrid keeps its own rows
(it held out for the Republic until 1939-03-28).

Before, only the curated city `madrid` had Spain's periods: "Barcelona 1940" and "Seville
1950" read "Spain" with no polity, and retrieval could not reach Francoist Spain's flag.
"""

from __future__ import annotations

import pytest

from tests.hint_helpers import hints_encoder


@pytest.fixture(scope="module")
def encoder():
    return hints_encoder()


def _polities(ctx) -> list[str]:
    return [p.name for p in ctx.region.hierarchy if p.kind == "polity"]


@pytest.mark.parametrize(("hint", "polity"), [
    ("Barcelona 1940", "Francoist Spain"),
    ("Seville 1950", "Francoist Spain"),
    ("Bilbao 1970", "Francoist Spain"),
    ("Seville 1933", "Second Spanish Republic"),
    ("Barcelona 1873", "First Spanish Republic"),
    ("Barcelona 1920", "Kingdom of Spain (to 1931)"),
    ("Bilbao 1990", "Spain"),
    ("Spain 1950", "Francoist Spain"),
    ("Madrid 1935", "Second Spanish Republic"),
    ("Madrid 1938", "Second Spanish Republic"),  # Madrid's own rows: it fell in 1939
])
def test_a_spanish_city_reads_the_state_of_its_year(encoder, hint, polity):
    assert _polities(encoder(None, hint=hint)) == [polity]


def test_the_civil_war_years_name_both_sides_and_choose_neither(encoder):
    # A town without its own rows (the principal cities have theirs:
    # test_spain_civil_war_sides.py) keeps the country's two zones.
    region = encoder(None, hint="Albacete 1937").region
    assert set(_polities(encoder(None, hint="Albacete 1937"))) == {
        "Second Spanish Republic", "Francoist Spain"}
    assert region.name == "Albacete, Second Spanish Republic / Francoist Spain"
    assert "held at once" in " ".join(e.what for e in region.evidence)
