"""A place qualified by its region ("Norfolk, Virginia 1943") is the place of that name inside
the region (context/qualified_names.py), and a bare "Virginia" typed alone is the US state.

Before: "Norfolk, Virginia 1943" read the English county of Norfolk (and "Virginia" a town in
South Africa), "Alexandria, Virginia 1860" Alexandria in Egypt, "Paris, Texas 1950" Paris in
France, "Madrid, Iowa 1950" Madrid under Franco, "Virginia 1863" the South African town.
The unqualified names keep their reading (the guard list below).
"""

from __future__ import annotations

import pytest

from context.config import ContextConfig
from context.encoder import ContextEncoder
from context.gazetteer import load_gazetteer
from tests.hint_helpers import context_cli, hints_encoder, region_name


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    return hints_encoder()


def _polities(ctx) -> list[str]:
    return [p.name for p in ctx.region.hierarchy if p.kind == "polity"]


def _places(ctx) -> list[str]:
    return [p.name for p in ctx.region.hierarchy if p.kind != "polity"]


@pytest.mark.parametrize(("hint", "city", "polity"), [
    ("Norfolk, Virginia 1943", "Norfolk", "United States"),
    ("Alexandria, Virginia 1860", "Alexandria", "United States"),
    # Virginia's periods: the Confederacy from the secession (1861-04-17) to 1865-04-09
    ("Alexandria, Virginia 1862", "Alexandria", "Confederate States of America"),
    ("Paris, Texas 1950", "Paris", "United States"),
    ("Odessa, Texas 1950", "Odessa", "United States"),
    ("St. Petersburg, Florida 1950", "St. Petersburg", "United States"),
    ("Moscow, Idaho 1950", "Moscow", "United States"),
    ("Athens, Georgia 1950", "Athens", "United States"),
])
def test_a_city_qualified_by_its_state_is_the_city_in_that_state(encoder, hint, city, polity):
    ctx = encoder(None, hint=hint)
    assert _places(ctx)[0] == city
    assert _polities(ctx)[0] == polity
    assert ctx.region.modern_iso == "US"


@pytest.mark.parametrize(("hint", "state", "postal"), [
    ("Norfolk, Virginia 1943", "virginia", "VA"), ("Alexandria, Virginia 1860", "virginia", "VA"),
    ("Paris, Texas 1950", "texas", "TX"), ("Moscow, Idaho 1950", "iso:US-ID", "ID"),
])
def test_the_city_read_lies_in_the_state_named(hint, state, postal):
    g = load_gazetteer(str(ContextConfig().data_dir))
    city, named = g.find(hint, typed=True)
    assert named.id == state
    town = g.broad_index().by_id(city.id)  # the GeoNames city, with its state's postal code
    assert (town.country, town.admin1) == ("US", postal)


def test_a_town_the_index_lacks_reads_its_state_not_the_namesake_abroad(encoder):
    ctx = encoder(None, hint="Madrid, Iowa 1950")  # 2,500 people: under the index's floor
    assert ctx.region.name == "Iowa, United States"
    assert ctx.region.iso == "US-IA"


def test_a_curated_city_keeps_its_reading_when_its_state_is_named():
    g = load_gazetteer(str(ContextConfig().data_dir))
    ids = [m.id for m in g.find("Chicago, Illinois 1950", typed=True)]
    assert ids == ["chicago", "iso:US-IL"]  # not the GeoNames Chicago: the curated history
    ids = [m.id for m in g.find("Hollywood, Florida 1950", typed=True)]
    assert ids[0] != "los_angeles" and ids[1] == "florida"


def test_a_caption_reads_the_state_after_its_city():
    g = load_gazetteer(str(ContextConfig().data_dir))
    found = [(m.text, g.places[m.id].name) for m in g.find("Lincoln, Nebraska")]
    assert found == [("Lincoln", "Lincoln"), ("Nebraska", "Nebraska")]
    assert g.places[g.find("Lincoln, Nebraska")[0].id].within == "usa"


@pytest.mark.parametrize(("hint", "region"), [
    ("Norfolk 1943", "Norfolk, United Kingdom"),
    ("Madrid 1950", "Madrid, Francoist Spain"),
    ("Alexandria 1950", "Alexandria, Egypt"),
    ("Paris 1950", "Paris, France"),
    ("Athens 1950", "Athens, Greece"),
    ("Odessa 1950", "Odesa, Ukrainian SSR, USSR"),
    ("Alexandria, Egypt 1950", "Alexandria, Egypt"),
    ("Paris, France 1950", "Paris, France"),
    ("Kazan, Tatarstan 1950", "Kazan, Tatar ASSR, USSR"),
    ("Chicago, Illinois 1950", "Chicago, United States"),
    ("Virginia Woolf 1930", None),  # a person: no place
])
def test_unqualified_and_already_right_hints_keep_their_reading(encoder, hint, region):
    assert region_name(encoder, hint) == region


def test_virginia_alone_is_the_us_state(encoder):
    ctx = encoder(None, hint="Virginia 1863")
    assert ctx.region.iso == "US-VA"
    assert _polities(ctx)[0] == "Confederate States of America"
    assert "also Virginia (ZA" in ctx.region.evidence[0].what  # the town is said, not read


def test_virginia_city_nevada_is_in_the_us_not_the_state_of_virginia(encoder):
    ctx = encoder(None, hint="Virginia City, Nevada 1870")
    assert ctx.region.modern_iso == "US"
    assert "Virginia" not in _places(ctx)


@pytest.mark.slow
def test_cli_reads_norfolk_virginia_as_a_user_runs_it():
    region = context_cli("Norfolk, Virginia 1943")["region"]
    assert region["name"] == "Norfolk, United States"
    assert region["modern_iso"] == "US"
    assert [h["name"] for h in region["hierarchy"]] == ["Norfolk", "United States"]
