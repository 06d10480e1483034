import pytest


@pytest.mark.parametrize("place,era,name,iso", [
    ("kazan", (1950, 1950), "Kazan, Tatar ASSR, USSR", "SUHH"),
    ("kazan", (1910, 1910), "Kazan, Kazan Governorate, Russian Empire", None),
    ("kazan", None, "Kazan, Republic of Tatarstan, Russian Federation", "RU-TA"),
    ("berlin", (1945, 1945), "Berlin, Allied-occupied Germany", None),
    ("berlin", (1900, 1900), "Berlin, German Empire", None),
    ("paris", (1880, 1889), "Paris, French Third Republic", "FR"),
    ("saint_petersburg", (1930, 1930), "Saint Petersburg, Russian SFSR, USSR", "SUHH"),
    ("cork", (1905, 1905), "Cork, United Kingdom of Great Britain and Ireland", "GB"),
    ("prague", (1950, 1950), "Prague, Czechoslovakia", "CSHH"),
    ("istanbul", (1900, 1900), "Istanbul, Ottoman Empire", None),
    ("beijing", (1900, 1900), "Beijing, Qing dynasty", None),
])
def test_place_resolves_to_polity_of_the_era(gazetteer, place, era, name, iso):
    res = gazetteer.resolve(place, era)
    assert res.name == name
    assert res.iso == iso


def test_hierarchy_of_kazan_1950(gazetteer):
    res = gazetteer.resolve("kazan", (1950, 1950))
    assert [h.name for h in res.hierarchy] == ["Kazan", "Tatar ASSR", "Russian SFSR", "USSR"]
    assert res.wikidata == "Q900" and res.modern_iso == "RU"


def test_divided_berlin_is_reported_as_ambiguous(gazetteer):
    res = gazetteer.resolve("berlin", (1960, 1969))
    assert "East Germany / West Germany" in res.name
    assert res.note.startswith("ambiguous")


def test_find_mentions_russian_inflection_and_acronyms(gazetteer):
    found = gazetteer.find("Да здравствует СССР! В Москве")
    assert [(m.kind, m.id) for m in found] == [("polity", "ussr"), ("place", "moscow")]
    assert gazetteer.find("join us in the park") == []  # "us" is not the USA
    assert [m.id for m in gazetteer.find("Join the US army")] == ["usa"]


def test_historical_name_carries_its_years(gazetteer):
    (m,) = gazetteer.find("Leningrad")
    assert (m.id, m.start, m.end) == ("saint_petersburg", 1924, 1991)


def test_pycountry_historic_countries_are_known(gazetteer):
    ids = {m.id for m in gazetteer.find("Czechoslovakia and Yugoslavia and Zaire")}
    assert {"czechoslovakia", "sfr_yugoslavia"} <= ids
    assert any(i.startswith("iso_zr") for i in ids)


def test_every_table_row_has_a_source(gazetteer):
    assert all(p.source for p in gazetteer.polities.values())
    assert all(p.source for p in gazetteer.places.values())
    assert all(p.source for p in gazetteer.periods.values())
