"""Occupied and border places: the polity a hint reads has exemplars of its own.

A historian's hint names a city ("Odessa 1942"); context reads the polity that held it then
(the Romanian Transnistria Governorate) and retrieval must return that polity's flag, with no
flag of another polity ranked above it. Version 4 of the curated base added the flags of the
polities that had none (Kingdom of Romania, Free City of Danzig, Manchukuo, ...), and the
gazetteer Tiraspol's own periods: east of the Dniester it was never part of Bessarabia.
"""

import numpy as np
import pytest

from tests.retrieval.conftest import flag_pixels, polity_ids

# (hint, the polity context must read, that polity's own fact)
POLITY_HINTS = [
    ("Odessa 1942", "kingdom_of_romania", "kingdom_of_romania_flag"),
    ("Tiraspol 1942", "kingdom_of_romania", "kingdom_of_romania_flag"),
    ("Chisinau 1942", "kingdom_of_romania", "kingdom_of_romania_flag"),
    ("Chernivtsi 1942", "kingdom_of_romania", "kingdom_of_romania_flag"),
    ("Bucharest 1970", "socialist_romania", "socialist_romania_flag"),
    ("Tiraspol 1960", "moldavian_ssr", "moldavian_ssr_flag_1952"),
    ("Danzig 1930", "free_city_of_danzig", "free_city_of_danzig_flag"),
    ("Harbin 1938", "manchukuo", "manchukuo_flag"),
    ("Bratislava 1942", "slovak_state", "slovak_state_flag"),
    ("Prague 1942", "protectorate_bohemia_moravia", "protectorate_bohemia_moravia_flag"),
    ("Zagreb 1943", "independent_state_of_croatia", "independent_state_of_croatia_flag"),
    ("Budapest 1930", "hungary", "hungary_tricolour"),
    ("Kaunas 1930", "lithuania", "lithuania_flag_1918"),
    ("Riga 1930", "latvia", "latvia_flag_1918"),
    ("Tallinn 1930", "estonia", "estonia_flag_1918"),
    ("Dublin 1930", "irish_free_state", "ireland_tricolour"),
]
FLAG_KINDS = ("flag", "ensign", "banner")


@pytest.mark.slow
@pytest.mark.parametrize(("hint", "polity", "fact"), POLITY_HINTS)
def test_the_polity_read_has_its_own_flag_and_no_other_polity_s_flag_above_it(
        curated_retriever, resolver, hint_context, hint, polity, fact):
    context = hint_context(hint)
    held_by = polity_ids(resolver, context)
    assert held_by and held_by[0] == polity, (hint, context.region.name)
    hits = curated_retriever(context, k=5, query_text=hint)
    ids = [h.id for h in hits]
    assert fact in ids, f"{hint}: {polity}'s own flag not among {ids}"
    year = context.era.start
    for hit in hits[:ids.index(fact)]:
        e = hit.exemplar
        regions = {r.gazetteer for r in e.regions}
        if e.kind in FLAG_KINDS:  # a flag above it must be of the same state or one above it
            assert regions & set(held_by), f"{hint}: {e.id} ({regions}) ranks above {fact}"
        assert e.start <= year <= e.end, f"{hint}: {e.id} ({e.start}-{e.end}) is of another era"


def test_tiraspol_1942_is_romanian_transnistria_not_bessarabia(hint_context):
    region = hint_context("Tiraspol 1942").region
    names = [h.name for h in region.hierarchy]
    assert names[:3] == ["Tiraspol", "Transnistria Governorate", "Kingdom of Romania"], names
    assert not any("Bessarabia" in n for n in names)


def test_tiraspol_1930_is_the_moldavian_assr_in_the_ukrainian_ssr(hint_context):
    region = hint_context("Tiraspol 1930").region
    names = [h.name for h in region.hierarchy]
    assert names == ["Tiraspol", "Moldavian ASSR", "Ukrainian SSR", "USSR"], names


def test_tiraspol_today_is_divided_between_moldova_and_the_breakaway_republic(hint_context):
    context = hint_context("Tiraspol 2005")
    names = {h.name for h in context.region.hierarchy}
    assert {"Moldova", "Pridnestrovian Moldavian Republic"} <= names
    assert context.region.modern_iso == "MD"


def _flat(entry, width=300):
    return flag_pixels(entry, width)


def _share(img, rgb, tol=40):
    return float((np.linalg.norm(img - np.asarray(rgb), axis=-1) < tol).mean())


def test_danzig_crosses_and_crown_sit_in_the_hoist_third(entries):
    """Constitution of 1920, Article 2: two white crosses and a yellow crown "im ersten
    Drittel" from the hoist of a red field."""
    img = _flat(entries["free_city_of_danzig_flag"])
    w = img.shape[1]
    assert _share(img[:, w // 3:], (255, 255, 255)) == 0.0  # nothing white past the third
    assert _share(img[:, w // 3:], (0xFF, 0xCC, 0x00)) == 0.0
    assert _share(img[:, :w // 3], (255, 255, 255)) > 0.05
    assert _share(img, (0xD2, 0x10, 0x34)) > 0.8


def test_manchukuo_canton_is_red_blue_white_black_from_the_top(entries):
    img = _flat(entries["manchukuo_flag"])
    h, w = img.shape[:2]
    x = w // 6
    tops = [tuple(img[round(h * (0.0625 + 0.125 * i)), x]) for i in range(4)]
    assert tops == [(0xD5, 0x2B, 0x1E), (0x00, 0x38, 0xA8), (255, 255, 255), (0, 0, 0)]
    assert tuple(img[h * 3 // 4, w * 3 // 4]) == (0xF3, 0xC3, 0x00)  # the yellow field
