import pytest

from context.temporal import find_dates


@pytest.mark.parametrize("text,expected", [
    ("Detroit circa 1915", (1910, 1920)),
    ("ca 1900-1915", (1900, 1915)),
    ("February 1936. Nipomo", (1936, 1936)),
    ("1941-45", (1941, 1945)),
    ("between 1900 and 1915", (1900, 1915)),
    ("с 1941 по 1945 гг.", (1941, 1945)),
    ("в 1950-х годах", (1950, 1959)),
    ("50-х", (1950, 1959)),
    ("the 50s", (1950, 1959)),
    ("early 1950s", (1950, 1953)),
    ("late 1800s", (1866, 1899)),
    ("19th century", (1800, 1899)),
    ("mid-19th century", (1833, 1866)),
    ("конец XIX века", (1866, 1899)),
    ("начало XX в.", (1900, 1933)),
    ("около 1915 г.", (1910, 1920)),
    ("15 декабря 1931 года", (1931, 1931)),
    ("1920s-1930s", (1920, 1939)),
    ("в 1937 году", (1937, 1937)),
])
def test_date_expressions(text, expected):
    found = find_dates(text)
    assert len(found) == 1, found
    assert (found[0].start, found[0].end) == expected


def test_no_dates_in_plain_text():
    assert find_dates("a cat on a mat with 12 kittens") == []


def test_circa_width_is_configurable():
    (d,) = find_dates("circa 1915", circa_years=2)
    assert (d.start, d.end) == (1913, 1917)


@pytest.mark.parametrize("text, expected", [
    ("თბილისი, 1920-იანი წლები", (1920, 1929)), ("20-იან წლებში", (1920, 1929)),
    ("Երևան, 1960-ական թվականներ", (1960, 1969)), ("1930-ականներին", (1930, 1939)),
])
def test_georgian_and_armenian_decades(text, expected):
    """"Tbilisi, 1920-იანი" (the 1920s) was read as the year 1920."""
    (d,) = find_dates(text)
    assert (d.kind, d.start, d.end) == ("decade", *expected)
