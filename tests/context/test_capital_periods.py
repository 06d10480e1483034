"""A hint naming a capital reads the polity that held it in that year, for the capitals whose
country had no periods: Mongolia, Virginia (Richmond, the Confederacy's capital), North Korea,
Hanoi, Cuba and Madrid.

Before Mongolia was curated, Ulaanbaatar and every Mongolian town were GeoNames cities in
pycountry's Mongolia, a country with no periods: "Ulaanbaatar 1970" named no state, so the
People's Republic's flag was never retrieved. Virginia is curated without its bare name as an
alias (a curated alias is read everywhere: "Virginia Woolf", "Virginia City, Nevada"); its
GeoNames cities reach it through their admin1 code, the state's ISO 3166-2 code in the US.
"""

import pytest


def _polities(ctx):
    return [p.name for p in ctx.region.hierarchy if p.kind == "polity"]


@pytest.mark.parametrize(("hint", "polity"), [
    ("Ulaanbaatar 1910", "Qing dynasty"),  # Outer Mongolia under the Qing until December 1911
    ("Ulaanbaatar 1915", "Bogd Khanate of Mongolia"),
    ("Ulaanbaatar 1920", "Republic of China (1912–1949)"),  # the occupation of 1919-1921
    ("Ulaanbaatar 1923", "Bogd Khanate of Mongolia"),
    ("Ulaanbaatar 1970", "Mongolian People's Republic"),
    ("Ulan Bator 1960", "Mongolian People's Republic"),
    ("Ulaanbaatar 1995", "Mongolia"),
    ("Darkhan 1980", "Mongolian People's Republic"),  # a GeoNames city inside curated Mongolia
    ("Mongolia 1970", "Mongolian People's Republic"),
    ("Inner Mongolia 1950", "People's Republic of China"),  # not the Mongolian state
    ("Richmond 1863", "Confederate States of America"),
    ("Richmond, Virginia 1863", "Confederate States of America"),
    ("Lynchburg 1863", "Confederate States of America"),  # GeoNames city, admin1 "VA"
    ("Richmond 1950", "United States"),
    ("Richmond 1860", "United States"),
    ("Pyongyang 1930", "Empire of Japan"),  # Korea under Japanese rule
    ("Pyongyang 1960", "North Korea"),
    ("Hanoi 1950", "State of Vietnam"),
    ("Hanoi 1970", "Democratic Republic of Vietnam"),
    ("Havana 1900", "United States"),  # the military government of 1899-1902
    ("Havana 1960", "Cuba"),
    ("Madrid 1937", "Second Spanish Republic"),  # held by the Republic to March 1939
    ("Madrid 1940", "Francoist Spain"),
])
def test_a_capital_reads_the_polity_of_its_year(bare_encoder, hint, polity):
    ctx = bare_encoder(None, hint=hint)
    assert _polities(ctx)[:1] == [polity], (hint, ctx.region.name)


@pytest.mark.parametrize(("hint", "name"), [
    ("Richmond, British Columbia 1950", "Richmond, Canada"),
    ("Virginia City, Nevada 1870", "Nevada, United States"),
    ("Houston 1950", "Houston, United States"),
    ("Saigon 1970", "Ho Chi Minh City, Vietnam"),  # Vietnam has no periods: it was divided
    # Spain's periods are now the country's: every Spanish city (test_spain_periods.py)
    ("Barcelona 1940", "Barcelona, Francoist Spain"),
])
def test_places_outside_the_new_tables_read_as_before(bare_encoder, hint, name):
    assert bare_encoder(None, hint=hint).region.name == name


def test_a_person_named_virginia_is_no_place(bare_encoder):
    assert bare_encoder(None, hint="Virginia Woolf 1930").region is None


def test_mongolia_without_a_year_names_its_states_and_asks_for_one(gazetteer):
    res = gazetteer.resolve("mongolia_country", None)
    assert "give a year to choose" in res.note
    assert [c.polity for c in res.candidates] == [
        "Qing dynasty", "Bogd Khanate of Mongolia", "Republic of China (1912–1949)",
        "Bogd Khanate of Mongolia", "Mongolian People's Republic", "Mongolia"]
