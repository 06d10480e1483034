"""Issue #16 part 3: a place resolves to the polity that held it at the photo's date, with
the evidence shown; an undated place gives the candidates with their periods."""

import json

import pytest
from PIL import Image

from context.config import ContextConfig
from context.encoder import ContextEncoder
from context.types import SceneContext


@pytest.fixture(scope="module")
def encode():
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    image = Image.new("RGB", (32, 32), (128, 128, 128))
    return lambda hint: encoder(image, hint=hint)


@pytest.mark.parametrize("hint,name,polity,row", [
    ("Moscow 1976", "Moscow, Russian SFSR, USSR", "USSR", "Soviet_Union"),
    ("Berlin 1945", "Berlin, Allied-occupied Germany", "Allied-occupied Germany",
     "Allied-occupied_Germany"),
    ("Berlin, 20 April 1945", "Berlin, Nazi Germany", "Nazi Germany", "History_of_Berlin"),
    ("Khorezm 1984", "Khorezm, Uzbek SSR, USSR", "USSR", "Uzbek_Soviet_Socialist_Republic"),
    ("Khorezm, Uzbekistan 1984", "Khorezm, Uzbek SSR, USSR", "USSR",
     "Uzbek_Soviet_Socialist_Republic"),
    ("Kazan 1952", "Kazan, Tatar ASSR, USSR", "USSR",
     "Tatar_Autonomous_Soviet_Socialist_Republic"),
    ("Lviv 1971", "Lviv, Ukrainian SSR, USSR", "USSR", "Lviv"),
    ("Sarajevo 1914", "Sarajevo, Condominium of Bosnia and Herzegovina, Austria-Hungary",
     "Austria-Hungary", "Bosnian_crisis"),
])
def test_acceptance_hint_resolves_to_the_polity_of_its_date(encode, hint, name, polity, row):
    ctx = encode(hint)
    region = ctx.region
    assert region.name == name and region.hierarchy[-1].name == polity
    assert region.source == "hint" and region.confidence >= 0.9
    assert region.evidence[0].source == "hint" and region.evidence[0].what.startswith("place")
    gazetteer = [e for e in region.evidence if e.source == "gazetteer"]
    assert any(f"polity in {ctx.era.start}" in e.what and row in e.what for e in gazetteer)


def test_a_modern_country_name_in_a_dated_hint_is_the_territory(encode):
    ctx = encode("Khorezm, Uzbekistan 1984")
    assert (ctx.era.start, ctx.era.end) == (1984, 1984)  # not bounded to 1991- by "Uzbekistan"
    assert not ctx.conflicts
    assert 'place "Uzbekistan" in hint' in [e.what for e in ctx.region.evidence]
    assert encode("Ukraine 1971").region.name == "Ukraine, Ukrainian SSR, USSR"


def test_a_year_that_spans_a_change_of_rule_says_so(encode):
    region = encode("Berlin 1945").region
    assert any("Nazi Germany (1933-01-30 to 1945-05-08)" in e.what for e in region.evidence)
    assert [c.polity for c in region.candidates] == ["Nazi Germany", "Allied-occupied Germany"]


def test_undated_moscow_gives_candidates_not_todays_state(encode):
    ctx = encode("Moscow")
    region = ctx.region
    assert region.name == "Moscow" and region.iso is None
    assert [h.name for h in region.hierarchy] == ["Moscow"]
    assert region.confidence <= 0.3
    assert [(c.polity, c.start, c.end) for c in region.candidates] == [
        ("Tsardom of Russia", 1547, 1720), ("Russian Empire", 1721, 1917),
        ("Russian SFSR", 1917, 1921), ("Russian SFSR", 1922, 1991),
        ("Russian Federation", 1991, None)]
    assert any(e.what.startswith("held by Russian Empire 1721 to 1917 (https://")
               for e in region.evidence)
    data = json.loads(json.dumps(ctx.to_dict()))
    assert data["region"]["candidates"][3]["name"] == "Moscow, Russian SFSR, USSR"
    assert data["region"]["candidates"][4]["end"] is None
    assert SceneContext.from_dict(data) == ctx


def test_old_context_json_without_candidates_still_loads(encode):
    data = encode("Moscow 1976").to_dict()
    del data["region"]["candidates"]
    del data["era"]["month"]
    ctx = SceneContext.from_dict(data)
    assert ctx.region.candidates == () and ctx.era.month is None
