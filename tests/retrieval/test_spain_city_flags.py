"""Every Spanish city reaches Francoist Spain's flag in its years, not only Madrid: Spain's
periods are the country's (configs/context/place_periods.csv). Before, "Barcelona 1940" and
"Seville 1950" read "Spain" with no polity and got no flag."""

from __future__ import annotations

import pytest

from tests.retrieval.conftest import assert_own_flag_first


@pytest.mark.slow
@pytest.mark.parametrize("hint", ["Barcelona 1940", "Seville 1950", "Valladolid 1960"])
def test_a_spanish_city_under_franco_gets_francoist_spain_s_flag_first(
        curated_retriever, resolver, hint_context, hint):
    assert_own_flag_first(curated_retriever, resolver, hint_context, hint, "francoist_spain",
                          "francoist_spain_flag")


@pytest.mark.slow
@pytest.mark.parametrize("hint, polity, flag", [
    # Seville was the Nationalists' from July 1936; they flew red-yellow-red from August 1936
    # (the flag's years began in 1938 before: "Seville 1937" got no flag).
    ("Seville 1937", "francoist_spain", "francoist_spain_flag"),
    ("Zaragoza 1937", "francoist_spain", "francoist_spain_flag"),
    # Barcelona was the Republic's until January 1939 (it read both sides before, and got the
    # Nationalist flag).
    ("Barcelona 1938", "second_spanish_republic", "second_spanish_republic_flag"),
])
def test_a_city_in_the_civil_war_gets_the_flag_of_the_side_that_held_it(
        curated_retriever, resolver, hint_context, hint, polity, flag):
    assert_own_flag_first(curated_retriever, resolver, hint_context, hint, polity, flag)
