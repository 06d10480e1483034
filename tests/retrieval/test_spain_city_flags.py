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
