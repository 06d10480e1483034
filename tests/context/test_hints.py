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
