"""Dates as historians, archives and families write them, in the languages hints come in:
each reads to the span a historian would give it, and what is not a date stays unread."""

import argparse
import json

import pytest

from context.cli import add_context_parser, run_context_command
from context.hints import normalize_caption
from context.temporal import find_dates


@pytest.mark.parametrize("text,kind,span", [
    # decades read as one year before
    ("Berlin 1930er", "decade", (1930, 1939)),
    ("1930er Jahre", "decade", (1930, 1939)),
    ("Ende der 1940er Jahre", "decade", (1946, 1949)),
    ("années 1930", "decade", (1930, 1939)),
    ("fin des années 1940", "decade", (1946, 1949)),
    ("década de 1950", "decade", (1950, 1959)),
    ("1940ies", "decade", (1940, 1949)),
    ("1910-ті роки", "decade", (1910, 1919)),
    # decades not read at all before
    ("Anfang der 60er", "decade", (1960, 1963)),
    ("Mitte der 50er Jahre", "decade", (1953, 1956)),
    ("années 30", "decade", (1930, 1939)),
    ("début des années 60", "decade", (1960, 1963)),
    ("años 50", "decade", (1950, 1959)),
    ("finales de los años 40", "decade", (1946, 1949)),
    ("principios de los 60", "decade", (1960, 1963)),
    ("anni '30", "decade", (1930, 1939)),
    ("anni Trenta", "decade", (1930, 1939)),
    ("primi anni '60", "decade", (1960, 1963)),
    ("lata 30.", "decade", (1930, 1939)),
    ("koniec lat 40.", "decade", (1946, 1949)),
    ("lata trzydzieste", "decade", (1930, 1939)),
    ("30. léta", "decade", (1930, 1939)),
    ("v 30. letech", "decade", (1930, 1939)),
    ("30-ті роки", "decade", (1930, 1939)),
    ("тридцатые годы", "decade", (1930, 1939)),
    ("the fifties", "decade", (1950, 1959)),
    ("the late forties", "decade", (1946, 1949)),
    ("40ies", "decade", (1940, 1949)),
    ("195-", "decade", (1950, 1959)),
    # qualifiers that were dropped before
    ("початок 1960-х", "decade", (1960, 1963)),
    ("кінець 1940-х", "decade", (1946, 1949)),
    ("нач. 1950-х", "decade", (1950, 1953)),
    ("mid-1950s", "decade", (1953, 1956)),
    ("кон. XIX в.", "century", (1866, 1899)),
    # centuries
    ("19. Jahrhundert", "century", (1800, 1899)),
    ("Ende des 19. Jahrhunderts", "century", (1866, 1899)),
    ("fin du XIXe siècle", "century", (1866, 1899)),
    ("finales del siglo XIX", "century", (1866, 1899)),
    ("XIX secolo", "century", (1800, 1899)),
    ("fine Ottocento", "century", (1866, 1899)),
    ("fine '800", "century", (1866, 1899)),
    ("XIX wiek", "century", (1800, 1899)),
    ("konec 19. století", "century", (1866, 1899)),
    ("кінець XIX століття", "century", (1866, 1899)),
    ("19--", "century", (1900, 1999)),
    ("XIX-XX вв.", "century", (1800, 1999)),
    ("конец XIX – начало XX века", "century", (1866, 1933)),
    ("на рубеже XIX-XX веков", "century", (1895, 1905)),
    # "about 1910" read as exactly 1910 before
    ("um 1910", "circa", (1905, 1915)),
    ("vers 1910", "circa", (1905, 1915)),
    ("hacia 1910", "circa", (1905, 1915)),
    ("intorno al 1910", "circa", (1905, 1915)),
    ("około 1910", "circa", (1905, 1915)),
    ("kolem roku 1910", "circa", (1905, 1915)),
    ("близько 1910", "circa", (1905, 1915)),
    ("cca 1910", "circa", (1905, 1915)),
    ("1910?", "circa", (1905, 1915)),
    # ranges
    ("1910s-20s", "range", (1910, 1929)),
    ("1950-1960s", "range", (1950, 1969)),
    ("1920-30s", "range", (1920, 1939)),
    ("1890-1900-е гг.", "range", (1890, 1909)),
    ("1890-е – 1900-е", "range", (1890, 1909)),
    ("60-70-е", "range", (1960, 1979)),
    ("1950/51", "range", (1950, 1951)),
    ("von 1905 bis 1910", "range", (1905, 1910)),
    ("entre 1905 y 1910", "range", (1905, 1910)),
    # two-digit years and archive dates
    ("summer of '69", "short", (1969, 1969)),
    ("May '45", "date", (1945, 1945)),
    ("1916 Aug. 3", "date", (1916, 1916)),
    # open windows, read as exactly the year before
    ("before 1917", "before", (1826, 1917)),
    ("до 1917 г.", "before", (1826, 1917)),
    ("nach 1945", "after", (1945, 2029)),
])
def test_date_expressions_in_nine_languages(text, kind, span):
    (d,) = find_dates(text)
    assert (d.kind, (d.start, d.end)) == (kind, span)


def test_an_archive_date_keeps_its_month():
    (d,) = find_dates("Detroit, Mich., 1916 Aug. 3")
    assert d.month == 8


@pytest.mark.parametrize("text", [
    "a woman in her forties",  # an age, not the 1940s
    "Madrid, los 60 soldados",  # sixty soldiers
    "ha 30 anni",  # thirty years old
    "um 10 Uhr",
    "Ту-154",
    "n.d.",  # a catalogue's "no date"
])
def test_numbers_that_are_not_dates_stay_unread(text):
    assert find_dates(text) == []


def test_a_qualifier_counts_only_in_its_own_language():
    # the Italian "fine" (late) must not narrow an English "fine 1950s car"
    (d,) = find_dates("a fine 1950s car")
    assert (d.start, d.end) == (1950, 1959)


def test_a_file_name_keeps_a_german_decade_whole():
    assert normalize_caption("Berlin_1930er_Jahre.jpg") == "Berlin 1930er Jahre"


@pytest.mark.parametrize("hint,era,confidence", [
    ("Paris années 30", (1930, 1939), 0.8),
    ("Berlin 1930er Jahre", (1930, 1939), 0.8),
    ("Zweiter Weltkrieg", (1939, 1945), 0.8),
    ("Seconde Guerre mondiale", (1939, 1945), 0.8),
    ("druga wojna światowa", (1939, 1945), 0.8),
    ("Друга світова війна", (1939, 1945), 0.8),
    ("1950s/60s", (1950, 1969), 0.85),
    ("summer of '69", (1969, 1969), 0.6),
    ("vers 1910", (1905, 1915), 0.75),
])
def test_hint_era(bare_encoder, hint, era, confidence):
    ctx = bare_encoder(None, hint=hint)
    assert (ctx.era.start, ctx.era.end, ctx.era.confidence) == (*era, confidence)
    assert "hint" not in ctx.unknown


def test_a_dated_place_is_resolved_in_its_time(bare_encoder):
    # before: no era, so Paris undated at 0.3
    ctx = bare_encoder(None, hint="Paris années 30")
    assert ctx.region.name == "Paris, French Third Republic" and ctx.region.confidence == 0.9


def test_before_a_year_is_a_window_not_the_year(bare_encoder):
    ctx = bare_encoder(None, hint="Kazan before 1917")
    assert ctx.era is None  # an open window is evidence, not an era (context/fusion.py)
    assert "open window (1826-1917)" in ctx.unknown["era"]


def test_ukrainian_great_patriotic_war_names_no_russia(bare_encoder):
    ctx = bare_encoder(None, hint="Велика Вітчизняна війна")
    assert (ctx.era.start, ctx.era.end) == (1941, 1945)
    assert ctx.region is None


@pytest.mark.parametrize("caption,era", [
    ("[19--]", (1900, 1999)),
    ("[195-?]", (1950, 1959)),
    ("[1910?]", (1905, 1915)),
    ("Berlin_1930er_Jahre.jpg", (1930, 1939)),
])
def test_archive_caption_era(bare_encoder, caption, era):
    ctx = bare_encoder(None, caption=caption)
    assert (ctx.era.start, ctx.era.end) == era


def test_cli_reads_a_german_decade(capsys):
    parser = argparse.ArgumentParser(prog="chronochrome")
    add_context_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["context", "--hint", "Berlin 1930er", "--no-ocr",
                              "--no-embedding", "--indent", "0"])
    assert run_context_command(args) == 0
    era = json.loads(capsys.readouterr().out)["era"]
    assert (era["start"], era["end"], era["confidence"]) == (1930, 1939, 0.8)


def test_writing_in_the_photo_reads_no_typed_only_forms(gazetteer):
    from context.hints import read_cues

    # "since 1946" on a shop sign dates the sign (from 1946, most likely soon after), as any
    # year on it does; a reader's stray dash or mark beside digits is no date
    (era,) = read_cues("Bakery since 1946", "ocr", gazetteer).eras
    assert (era.kind, era.start, era.end) == ("estimate", 1946, 1961)
    assert read_cues("195-", "ocr", gazetteer).eras == ()
    assert read_cues("'69", "ocr", gazetteer).eras == ()


@pytest.mark.parametrize("hint,unread", [
    ("Paris 30", ("30",)),  # a number that may be a decade, read as none
    ("Paris, 3O-е годы", ("3O-е",)),  # a letter O for a zero
    ("Paris années 30", ()),
    ("Kazan 1950s", ()),
])
def test_digits_read_as_no_date_are_listed(gazetteer, hint, unread):
    from context.hints import read_cues

    assert read_cues(hint, "hint", gazetteer).unread == unread


@pytest.mark.parametrize("hint,month,polity", [
    ("Berlin, kwiecień 1945", 4, "Nazi Germany"),  # was read as the year alone: occupied
    ("Berlin, 20. April 1945", 4, "Nazi Germany"),
    ("Berlin, 20 de abril de 1945", 4, "Nazi Germany"),
])
def test_a_month_in_any_language_places_the_photo_before_or_after_a_change(
        bare_encoder, hint, month, polity):
    ctx = bare_encoder(None, hint=hint)
    assert ctx.era.month == month
    assert ctx.region.name == f"Berlin, {polity}"
