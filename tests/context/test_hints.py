import pytest

from context.hints import normalize_caption


@pytest.mark.parametrize("name,words", [
    ("deoldify__1860sSamauris.jpg", "1860s Samauris"),
    ("ddcolor__Detroit_circa_1915.jpg", "Detroit circa 1915"),
    ("deoldify__ChinaOpiumc1880.jpg", "China Opium c. 1880"),
    ("deoldify__NYStreetClean1906.jpg", "NY Street Clean 1906"),
    ("deoldify__AustriaHungaryWomen1890s.jpg", "Austria Hungary Women 1890s"),
    ("Kazan, 1950s", "Kazan, 1950s"),
])
def test_normalize_caption(name, words):
    assert normalize_caption(name) == words


def test_a_name_broken_over_two_lines_is_read_across_them(gazetteer):
    from context.hints import places_across_lines

    upper, below = (10, 10, 100, 40), (20, 42, 110, 72)
    found = places_across_lines([("дальний", upper), ("Восток", below)], gazetteer)
    assert [c.ident for c in found] == ["far_east"]
    assert "across two lines" in found[0].evidence.what
    # only the line right below: not one beside it, not one far under it
    assert places_across_lines([("дальний", upper), ("Восток", (200, 42, 300, 72))],
                               gazetteer) == []
    assert places_across_lines([("дальний", upper), ("Восток", (20, 140, 110, 170))],
                               gazetteer) == []
    # names within one line are that line's, not read again
    assert places_across_lines([("Крым", upper), ("1973", below)], gazetteer) == []
