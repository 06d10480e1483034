"""Places written by the names of the photo's time: a curated former name, in its period,
is the place it named then (under the state of that year), not a town elsewhere that bears
the name today; out of its period, that town is meant. A withdrawn state's ISO 3166-3 code
names the country that took its place."""

import pytest

from eval.old_names import CASES, judge


@pytest.mark.parametrize("hint,name,modern", [
    ("Breslau 1930", "Wrocław, Province of Lower Silesia, Weimar Republic", "PL"),
    ("Danzig 1930", "Gdańsk, Free City of Danzig", "PL"),
    ("Stettin 1935", "Szczecin, Province of Pomerania, Nazi Germany", "PL"),
    ("Memel 1930", "Klaipėda, Klaipėda Region, Lithuania", "LT"),
    ("Smyrna 1910", "İzmir, Ottoman Empire", "TR"),
    ("Agram 1900", "Zagreb, Kingdom of Croatia-Slavonia, Austria-Hungary", "HR"),
    ("Port Arthur 1904", "Lüshunkou, Kwantung Leased Territory, Russian Empire", "CN"),
    ("Gold Coast 1950", "Ghana", "GH"),
])
def test_a_former_name_in_its_period_is_the_place_it_named(bare_encoder, hint, name, modern):
    region = bare_encoder(None, hint=hint).region
    assert (region.name, region.modern_iso) == (name, modern)
    assert region.evidence[0].what == f'place "{hint.rsplit(" ", 1)[0]}" in hint'


def test_an_undated_former_name_is_the_place_with_its_states_to_choose_from(bare_encoder):
    region = bare_encoder(None, hint="Breslau").region
    assert (region.name, region.modern_iso) == ("Wrocław", "PL")
    assert [c.polity for c in region.candidates][:4] == [
        "Kingdom of Prussia", "German Empire", "Weimar Republic", "Nazi Germany"]


@pytest.mark.parametrize("hint,modern", [
    ("Gold Coast 1990", "AU"),  # Queensland's city took the name in 1958
    ("Port Arthur 1990", "US"),  # Lüshun has not been Port Arthur since 1955
    ("Smyrna 1990", "US"),
])
def test_out_of_its_period_a_former_name_is_the_town_called_so_today(bare_encoder, hint,
                                                                   modern):
    ctx = bare_encoder(None, hint=hint)
    assert ctx.region.modern_iso == modern
    assert not ctx.conflicts  # the former name's window no longer fights the year


def test_out_of_its_period_with_no_such_town_the_former_name_stays_a_mismatch(bare_encoder):
    ctx = bare_encoder(None, hint="Leningrad 2000")
    assert ctx.region.modern_iso == "RU"
    assert [c.field for c in ctx.conflicts] == ["era"]


@pytest.mark.parametrize("hint,name,modern", [
    ("Zaire 1980", "Zaire, Republic of", "CD"),
    ("East Germany 1970", "East Germany", "DE"),
    ("Upper Volta 1970", "Upper Volta, Republic of", "BF"),
])
def test_a_gone_state_names_the_country_that_took_its_place(bare_encoder, hint, name, modern):
    region = bare_encoder(None, hint=hint).region
    assert (region.name, region.modern_iso) == (name, modern)


def test_iso_3166_3_successor_codes():
    from context.country_codes import successor_country

    assert successor_country("ZRCD") == "CD" and successor_country("BUMM") == "MM"
    assert successor_country("SUHH") is None  # the USSR: no single successor
    assert successor_country("YUCS") is None  # Serbia and Montenegro is gone too
    assert successor_country("DE") is None and successor_country(None) is None


def test_script_names_of_tbilisi_and_yerevan(bare_encoder):
    assert bare_encoder(None, hint="თბილისი 1920").region.modern_iso == "GE"
    region = bare_encoder(None, hint="Երևան 1960").region
    assert region.name == "Yerevan, Armenian SSR, USSR"


@pytest.mark.parametrize("hint", ["madras shirt 1965", "a batavia ware bowl, 1930"])
def test_a_former_name_is_a_proper_name_not_a_word(bare_encoder, hint):
    assert bare_encoder(None, hint=hint).region is None


def test_a_former_name_in_capitals_is_still_read(bare_encoder):
    assert bare_encoder(None, hint="MADRAS 1950").region.name == "Chennai, India"


def test_the_old_names_benchmark_holds(bare_encoder):
    """eval/old_names.py: every case (Canton and Angora are read as proper names, in their
    period)."""
    misses = [c.hint for c in CASES if not judge(c, bare_encoder(None, hint=c.hint).region).right]
    assert misses == []


@pytest.mark.slow
def test_cli_reads_breslau_1930_as_wroclaw_under_weimar_germany():
    import json
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "context", "--hint", "Breslau 1930",
                          "--no-embedding", "--indent", "0"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    region = json.loads(run.stdout)["region"]
    assert region["name"] == "Wrocław, Province of Lower Silesia, Weimar Republic"
    assert region["modern_iso"] == "PL"
