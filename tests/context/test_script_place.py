"""Writing in a script written almost only in one country names that country, never its
capital, at the script's confidence times the share of such photos taken there
(context/script_place.py; configs/context/scripts.json `place`, `place_share`)."""

from __future__ import annotations

import pytest

from context.config import ContextConfig
from context.hints import read_cues
from context.script import load_scripts
from context.script_place import script_places
from context.types import Script, TextLine

SCRIPTS = load_scripts(ContextConfig().data_dir)
SIGNS = {"Geor": [TextLine("სასტუმრო ორიანტი", (0, 0, 90, 20), 0.9)],  # "Hotel Oriant"
         "Armn": [TextLine("Սուրբ Գրիգոր", (0, 0, 90, 20), 0.9)]}  # "St Gregory"


@pytest.mark.parametrize("code,name,place,confidence", [
    ("Geor", "Georgian", "georgia_country", 0.81),  # 0.9 x 0.9
    ("Armn", "Armenian", "armenia", 0.45),  # 0.9 x 0.5: a diaspora writes it too
])
def test_a_one_country_script_names_the_country(gazetteer, code, name, place, confidence):
    [found] = script_places(Script(code, name, 0.9), SCRIPTS, gazetteer, [], SIGNS[code])
    assert (found.ident, found.kind, found.source, found.confidence) == (
        place, "place", "ocr", confidence)
    assert found.depth == 1  # a country: a city read in the writing is more specific


@pytest.mark.parametrize("script", [
    Script("Cyrl", "Cyrillic", 0.99),  # many countries
    Script("Latn", "Latin", 0.99),
    Script("Geor", "Georgian", 0.4),  # the script itself is a guess
    None,
])
def test_other_scripts_and_unsure_readings_name_no_place(gazetteer, script):
    lines = [TextLine("Гастроном Hotel სასტუმრო", (0, 0, 90, 20), 0.9)]
    assert script_places(script, SCRIPTS, gazetteer, [], lines) == []


def test_a_few_letters_read_in_texture_name_no_place(gazetteer):
    lines = [TextLine("ჯი", (0, 0, 9, 9), 0.6), TextLine("ოთ", (20, 0, 29, 9), 0.6)]
    assert script_places(Script("Geor", "Georgian", 0.9), SCRIPTS, gazetteer, [], lines) == []


def test_a_place_in_the_hint_outranks_the_script(gazetteer):
    hint = read_cues("Moscow 1960", "hint", gazetteer, 5).places
    assert script_places(Script("Geor", "Georgian", 0.95), SCRIPTS, gazetteer,
                         list(hint), SIGNS["Geor"]) == []
