"""Dates as archives catalogue them (EDTF, the cataloguer's brackets and abbreviations) read
to the span an archivist would give them, in a hint, a caption and a caption's field; and the
forms already read, and what is no date, unchanged."""

import pytest

from context import Caption, ContextConfig, ContextEncoder
from context.hints import normalize_caption
from context.temporal import find_dates


def _read(text: str) -> list[tuple[str, int, int]]:
    return [(d.kind, d.start, d.end) for d in find_dates(text)]


@pytest.mark.parametrize("text,expected", [
    # EDTF: approximate and uncertain, unspecified digits, months, intervals, sets
    ("1950~", ("circa", 1945, 1955)),
    ("1950%", ("circa", 1945, 1955)),
    ("~1950", ("circa", 1945, 1955)),
    ("195X", ("decade", 1950, 1959)),
    ("195u", ("decade", 1950, 1959)),
    ("19XX", ("century", 1900, 1999)),
    ("1950-06", ("date", 1950, 1950)),
    ("1950-06-XX", ("date", 1950, 1950)),
    ("1950-XX-XX", ("year", 1950, 1950)),
    ("1950-06/1950-08", ("range", 1950, 1950)),
    ("1950-06-15/1950-06-20", ("range", 1950, 1950)),
    ("1920?/1925", ("range", 1920, 1925)),
    ("[1950..1960]", ("range", 1950, 1960)),
    ("[1950,1952]", ("range", 1950, 1952)),
    ("{1950,1952}", ("range", 1950, 1952)),
    ("..1917", ("before", 1826, 1917)),
    ("../1917", ("before", 1826, 1917)),
    ("[..1917]", ("before", 1826, 1917)),
    ("1917/..", ("after", 1917, 2029)),
    ("[1917..]", ("after", 1917, 2029)),
    ("1950~1960", ("range", 1950, 1960)),  # a range as Japanese captions write it
    # catalogue brackets and abbreviations
    ("1920?-1925", ("range", 1920, 1925)),
    ("1920 ca.", ("circa", 1915, 1925)),
    ("1920 [ca.]", ("circa", 1915, 1925)),
    ("[not before 1920]", ("after", 1920, 2029)),
    ("no later than 1920", ("before", 1826, 1920)),
    ("nicht vor 1920", ("after", 1920, 2029)),
    ("terminus post quem 1920", ("after", 1920, 2029)),
    ("Smith, John, fl. 1900", ("floruit", 1890, 1910)),
    ("fl. 1890-1910", ("floruit", 1890, 1910)),
])
def test_catalogue_dates(text, expected):
    assert _read(text) == [expected]


def test_a_catalogue_month_is_kept():
    assert [d.month for d in find_dates("1950-06-XX")] == [6]
    assert [d.month for d in find_dates("Tver 1950-06")] == [6]


@pytest.mark.parametrize("text,expected", [
    # read so before, and still
    ("[ca. 1920]", [("circa", 1915, 1925)]),
    ("[192-?]", [("decade", 1920, 1929)]),
    ("[between 1910 and 1920?]", [("range", 1910, 1920)]),
    ("c1920", [("circa", 1915, 1925)]),
    ("1920s?", [("decade", 1920, 1929)]),
    ("[1935 or 1936]", [("range", 1935, 1936)]),
    ("1950?", [("circa", 1945, 1955)]),
    ("1950/1960", [("range", 1950, 1960)]),
    ("1905-06", [("range", 1905, 1906)]),  # two years, as catalogues write them: not June
    ("1941 - 1945", [("range", 1941, 1945)]),
    ("before 1920", [("before", 1826, 1920)]),
    # no date at all
    ("n.d.", []), ("s.d.", []), ("o.J.", []), ("б.г.", []),
    # sizes and page numbers are no decade
    ("Format 180 x 240 mm", []), ("180x240", []), ("Seite 195 u. 196", []),
    ("in 1917...", [("year", 1917, 1917)]),
    ("Miami, Fl. 1935", [("year", 1935, 1935)]),  # Florida, not floruit
])
def test_forms_read_before_and_no_dates_are_unchanged(text, expected):
    assert _read(text) == expected


@pytest.mark.parametrize("name,expected", [
    ("Kazan_195X.jpg", ("decade", 1950, 1959)),  # a file name's "195X" comes as "195 X"
    ("Kazan_19XX.jpg", ("century", 1900, 1999)),
])
def test_unspecified_digits_in_a_file_name(name, expected):
    assert _read(normalize_caption(name)) == [expected]


def test_writing_in_the_photo_reads_no_catalogue_form():
    # "~1950" or "1950-06" on a sign is no catalogue's date
    assert [d.kind for d in find_dates("Kazan 1950-06", typed=False)] == ["year"]


@pytest.fixture(scope="module")
def encoder():
    return ContextEncoder(ContextConfig(use_ocr=False, embed=False))


def test_an_approximate_edtf_date_in_a_field_is_circa_with_its_field(encoder):
    ctx = encoder(None, captions=[Caption("1950~", "xmp:dc:date")])
    assert (ctx.era.start, ctx.era.end) == (1945, 1955)
    assert [e.origin for e in ctx.era.evidence] == ["xmp:dc:date"]


def test_not_after_is_a_window_before_and_names_the_state_of_then(encoder):
    # "not after 1916" was read as "after 1916" (the words inside it): no state named
    ctx = encoder(None, hint="Kazan, not after 1916")
    assert ctx.era is None
    assert ctx.region.name == "Kazan, Kazan Governorate, Russian Empire"
    assert encoder(None, hint="Kazan, not before 1916").region.name == "Kazan"


@pytest.mark.parametrize(("line", "kept", "dated"), [
    ("1950-06", True, True), ("1950~", True, True), ("[1950..1960]", True, True),
    ("195X", False, False), ("1941-45", False, True)])
def test_lines_read_in_the_photo_are_judged_as_before_the_catalogue_forms(line, kept, dated):
    # The catalogue's forms are typed text's: a sign's "1950-06" became a "date", which the
    # reader of photo lines dropped, and "195X" dated a sign by itself.
    from context.digits import shows_year
    from context.kept_readings import _worth_keeping

    assert (_worth_keeping(line), shows_year(line)) == (kept, dated)
