"""A former name read as a hint: a big city's former name stays that city in the decades
after the rename ("Breslau 1960" is Wrocław, not Breslau, Ontario), unless the text names
the other town's country or province; a town nearly as big, or one in the city's own
country, keeps the name (context/former_names.py)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("hint,name", [
    ("Breslau 1960", "Wrocław, Polish People's Republic"),  # 672,545 people; Ontario's 5,053
    ("Posen 1930", "Poznań, Poznań Voivodeship, Second Polish Republic"),
    ("Memel 1960", "Klaipėda, Lithuanian SSR, USSR"),
    ("Smyrna 1960", "İzmir, Turkey"),
    ("Madras 2000", "Chennai, India"),
])
def test_a_big_citys_former_name_stays_the_city_after_the_rename(bare_encoder, hint, name):
    assert bare_encoder(None, hint=hint).region.name == name


@pytest.mark.parametrize("hint,modern", [
    ("Breslau 2010", "CA"),  # 65 years on: the town of that name today
    ("Port Arthur 1990", "US"),  # Port Arthur, Texas, 55,340 against Lüshunkou's 82,345
    ("Gold Coast 1990", "AU"),  # Ghana was a country, no city
    ("Kuybyshev 2000", "RU"),  # the town in Novosibirsk Oblast, in Samara's own country
])
def test_otherwise_out_of_its_period_the_town_called_so_today(bare_encoder, hint, modern):
    region = bare_encoder(None, hint=hint).region
    assert region.modern_iso == modern
    assert not region.name.startswith("Samara")


@pytest.mark.parametrize("hint,name", [
    ("Breslau, Ontario 1960", "Breslau, Canada"),
    ("Breslau 1960 Ontario", "Breslau, Canada"),
    ("Breslau, Canada 1960", "Breslau, Canada"),
    ("Canton, Ohio 1930", "Ohio, United States"),
    ("Canton of Bern 1950", "Bern, Switzerland"),
    ("Gold Coast, Queensland 1950", "Gold Coast, Australia"),
])
def test_a_former_name_beside_a_place_abroad_is_the_town_there(bare_encoder, hint, name):
    assert bare_encoder(None, hint=hint).region.name == name


@pytest.mark.parametrize("hint,name", [
    ("Breslau 1930, Germany", "Wrocław, Province of Lower Silesia, Weimar Republic"),
    ("Salisbury Rhodesia 1960", "Zimbabwe"),  # a city before the former name is no sign
])
def test_the_former_states_country_or_a_town_before_it_keeps_the_former_name(
        bare_encoder, hint, name):
    assert bare_encoder(None, hint=hint).region.name == name


@pytest.mark.parametrize("hint,name", [
    ("Canton 1930", "Guangzhou, Republic of China (1912–1949)"),
    ("Angora 1925", "Ankara, Turkey"),
    ("Angora 1920", "Ankara, Ottoman Empire"),
    ("CANTON 1930", "Guangzhou, Republic of China (1912–1949)"),
])
def test_canton_and_angora_are_their_cities(bare_encoder, hint, name):
    assert bare_encoder(None, hint=hint).region.name == name


@pytest.mark.parametrize("hint", ["angora wool sweater 1925", "the canton of ticino 1950"])
def test_canton_and_angora_as_words_are_no_place_abroad(bare_encoder, hint):
    region = bare_encoder(None, hint=hint).region
    assert region is None or region.modern_iso not in ("CN", "TR")


def test_a_typed_province_picks_the_town_of_its_country(bare_encoder):
    """Ontario is also a city in California: beside Breslau, only in Canada, it is the
    province (context/broad_places.BroadLinker.find)."""
    ctx = bare_encoder(None, hint="Kitchener, Ontario 1950")
    assert ctx.region.modern_iso == "CA"
