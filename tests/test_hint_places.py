"""Hints that named the wrong ruler, or one place of several silently (the hintplaces audit,
2026-12): France 1940-44 by zone (the German military administration in the north, Vichy
in the free south, Alsace-Moselle annexed), Manchukuo 1932-45 and the Kwantung Leased
Territory, and a big name typed alone that names several places ("Victoria 1952").

Through `python -m context` as a user runs it, and through the encoder directly.
"""

from __future__ import annotations

import pytest

from context.ambiguous_names import AMBIGUOUS_CONFIDENCE, alternatives, listed_readings
from context.encoder import ContextEncoder
from tests.hint_helpers import context_cli, hints_encoder, region_name


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    return hints_encoder()


def test_cli_paris_1942_is_under_the_german_military_administration():
    region = context_cli("Paris 1942")["region"]
    assert region["name"] == "Paris, Military Administration in France (occupied zone), Nazi Germany"
    polities = [h["name"] for h in region["hierarchy"] if h["kind"] == "polity"]
    assert polities == ["Nazi Germany"]
    assert region["modern_iso"] == "FR"


@pytest.mark.parametrize("hint, region", [
    ("Paris 1939", "Paris, French Third Republic"),
    ("Paris 1945", "Paris, France"),
    ("Paris sous l'occupation",
     "Paris, Military Administration in France (occupied zone), Nazi Germany"),
    ("Brittany 1943", "Brittany, Military Administration in France (occupied zone), Nazi Germany"),
    ("Bordeaux 1941", "Bordeaux, Military Administration in France (occupied zone), Nazi Germany"),
    ("Caen 1943", "Caen, Military Administration in France (occupied zone), Nazi Germany"),
    ("Lyon 1941", "Lyon, free zone (zone libre), Vichy France"),
    ("Marseille 1941", "Marseille, free zone (zone libre), Vichy France"),
    ("Vichy, March 1942", "Vichy, free zone (zone libre), Vichy France"),
    ("Strasbourg 1942", "Strasbourg, CdZ-Gebiet Elsass (annexed de facto), Nazi Germany"),
    ("Metz 1942", "Metz, CdZ-Gebiet Lothringen (annexed de facto), Nazi Germany"),
    ("Strasbourg 1900",
     ("Strasbourg, Reichsland Elsass-Lothringen (Bezirk Unterelsass and Oberelsass), "
      "German Empire")),
])
def test_france_by_zone(encoder, hint, region):
    assert region_name(encoder, hint) == region


def test_the_south_after_november_1942_names_vichy_and_the_occupier(encoder):
    region = encoder(None, hint="Lyon 1943").region
    assert region.name == "Lyon, Vichy France / Nazi Germany"
    notes = [e.what for e in region.evidence if e.source == "gazetteer"]
    assert any("held at once by Vichy France (government (the French State at Vichy))"
               in n and "Nazi Germany (military occupation" in n for n in notes)


def test_france_as_a_whole_in_1941_is_divided_into_its_zones(encoder):
    region = encoder(None, hint="France 1941").region
    note = next(e.what for e in region.evidence if e.what.startswith("ambiguous"))
    assert "Nazi Germany (north and Atlantic coast (occupied zone))" in note
    assert "Nazi Germany (Alsace-Moselle (annexed de facto))" in note
    assert "Vichy France (south (free zone to 1942-11-11; then occupied))" in note


def test_cli_manchuria_1935_is_manchukuo_not_the_town_manzhouli():
    region = context_cli("Manchuria 1935")["region"]
    assert region["name"] == "Manchuria, Manchukuo"
    assert region["modern_iso"] == "CN"


@pytest.mark.parametrize("hint, region", [
    ("Harbin 1938", "Harbin, Manchukuo"),
    ("Changchun 1940", "Changchun, Manchukuo"),
    ("Mukden 1935", "Shenyang, Manchukuo"),
    ("Qiqihar 1940", "Qiqihar, Manchukuo"),  # a GeoNames town of Heilongjiang
    ("Dalian 1935", "Dalian, Kwantung Leased Territory, Empire of Japan"),
    ("Harbin 1925", "Harbin, Republic of China (1912–1949)"),
    ("Harbin 1955", "Harbin, People's Republic of China"),
    ("Manchukuo 1937", "Manchukuo"),
])
def test_manchuria_by_year(encoder, hint, region):
    assert region_name(encoder, hint) == region


def test_hsinking_is_changchun_while_it_had_that_name(encoder):
    ctx = encoder(None, hint="Hsinking")
    assert ctx.region.name == "Changchun, Manchukuo"
    assert (ctx.era.start, ctx.era.end) == (1932, 1945)


def test_cli_victoria_alone_says_it_is_ambiguous():
    region = context_cli("Victoria 1952")["region"]
    assert region["confidence"] == AMBIGUOUS_CONFIDENCE
    what = region["evidence"][0]["what"]
    for other in ("Victoria (British Columbia)", "Victoria (state of Australia)",
                  "Victoria (capital of the Seychelles)"):
        assert other in what
    assert "read as Victoria, HK; add the country to choose" in what
    assert region["modern_iso"] == "HK"  # the reading is kept: eval.hint_cities unchanged


@pytest.mark.parametrize("hint, others", [
    ("Springfield 1930", ("Springfield (US-MA, 154,341 people)", "Springfield (US-IL")),
    ("Georgia 1950", ("Georgia (the country: the Georgian SSR 1921-1991)",)),
    ("Valencia 1950", ("Valencia (ES, 824,340 people)",)),
    ("Brest 1950", ("Brest (FR, 144,899 people)",)),
])
def test_other_ambiguous_names_say_so_alike(encoder, hint, others):
    region = encoder(None, hint=hint).region
    assert region.confidence == AMBIGUOUS_CONFIDENCE
    assert all(o in region.evidence[0].what for o in others)


@pytest.mark.parametrize("hint, region", [
    ("Victoria, British Columbia 1910", "Victoria (British Columbia), Canada"),
    ("Santiago 1960", "Santiago, Chile"),  # the Philippine one has 2% of its people
    ("Alexandria 1920", "Alexandria, Egypt"),  # Virginia's, 3%
    ("Frankfurt 1950", "Frankfurt am Main, West Germany"),  # an der Oder, 9%
    ("Athens 1950", "Athens, Greece"),  # Athens, Georgia: 19%
    ("Philadelphia 1950", "Philadelphia, United States"),  # Amman's old name: not its name
    ("Springfield, Illinois 1930", "Springfield, United States"),  # the state chooses
])
def test_a_dominant_or_qualified_name_stays_sure(encoder, hint, region):
    ctx = encoder(None, hint=hint)
    assert ctx.region.name == region and ctx.region.confidence == 0.9
    assert "ambiguous" not in ctx.region.evidence[0].what


def test_listed_readings_table(tmp_path):
    (tmp_path / "ambiguous_names.csv").write_text(
        "name,readings,source\nVictoria,Victoria (Hong Kong)|HK;Victoria (BC)|CA,x\n",
        encoding="utf-8")
    assert alternatives("Victoria", "gn:1", "HK", None, str(tmp_path)) == ("Victoria (BC)",)
    assert alternatives("Lyon", "gn:2", "FR", None, str(tmp_path)) == ()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "ambiguous_names.csv").write_text("name,readings,source\nVictoria,Victoria BC,x\n",
                                             encoding="utf-8")
    with pytest.raises(ValueError, match=r"reading 'Victoria BC' of 'Victoria' needs a country"):
        listed_readings(str(bad))
