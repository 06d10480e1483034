import json

import pytest

from retrieval.types import Exemplar, NamedColor, RegionRef


def _exemplar(**kw):
    base = {"id": "x", "kind": "flag", "title": "T", "start": 1900, "end": 1910,
            "regions": (RegionRef("USSR", "Q15180", "SUHH", "ussr"),),
            "colors": (NamedColor("red", "#CC0000", "field"),), "source": "https://example.org",
            "license": "CC0", "image": "images/x.png"}
    return Exemplar(**{**base, **kw})


def test_json_round_trip():
    e = _exemplar()
    again = Exemplar.from_dict(json.loads(json.dumps(e.to_dict())))
    assert again == e
    assert again.colors[0].rgb == (204, 0, 0)


def test_unknown_keys_are_listed():
    with pytest.raises(ValueError, match="valid keys"):
        Exemplar.from_dict({**_exemplar().to_dict(), "colour": []})


@pytest.mark.parametrize("kw, message", [
    ({"kind": "poster"}, "kind"), ({"start": 1950, "end": 1900}, "after end"),
    ({"source": " "}, "source"),
])
def test_bad_records_say_what_to_fix(kw, message):
    with pytest.raises(ValueError, match=message):
        _exemplar(**kw)


def test_bad_hex_color():
    with pytest.raises(ValueError, match="#RRGGBB"):
        NamedColor("red", "CC0000")


def test_region_keys():
    assert RegionRef("Tatar ASSR").match_keys() == ("name:tatar assr",)
    assert RegionRef("USSR", "q15180", "suhh").match_keys() == ("Q15180", "iso:SUHH", "name:ussr")
