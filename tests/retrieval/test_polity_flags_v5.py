"""Curated base version 5: the polities a hint reads that had no flag of their own get one.

Before it, "Yerevan 1970" read the Armenian SSR and retrieved the USSR's flag (the state
above), "Baku 1919" or "Prague 2000" retrieved no flag at all. Each hint here names a city in
the polity and a year in its period: context must read the polity, and retrieval must rank
that polity's own flag first among the flags it returns.

The Baltic states in 1940: the gazetteer's place periods put Tallinn, Riga and Kaunas in the
Estonian, Latvian and Lithuanian SSRs from the annexation of June 1940, so a hint of 1940
reads the SSR; its flag of 1940-1953 (red, the republic's letters above the hammer and
sickle) comes first and the interwar flag, of a state that period data says had ended, is
not retrieved. A hint of 1939 still reads the independent state and gets its own flag.
"""

import json

import numpy as np
import pytest

from retrieval.knowledge import DEFAULT_DATA_DIR
from retrieval.types import NamedColor
from tests.retrieval.conftest import (
    assert_own_flag_first,
    flag_ids,
    flag_pixels,
    list_polities,
    polities_without_flags,
    polity_count,
    polity_ids,
)

POLITY_COUNT = polity_count()

# (hint, the polity context must read, that polity's own flag)
NEW_POLITY_HINTS = [
    ("Tallinn 1950", "estonian_ssr", "estonian_ssr_flag_1940"),
    ("Riga 1950", "latvian_ssr", "latvian_ssr_flag_1940"),
    ("Kaunas 1950", "lithuanian_ssr", "lithuanian_ssr_flag_1940"),
    ("Vilnius 1970", "lithuanian_ssr", "lithuanian_ssr_flag_1953"),
    ("Yerevan 1970", "armenian_ssr", "armenian_ssr_flag_1952"),
    ("Yerevan 2000", "armenia", "armenia_flag"),
    ("Baku 1919", "azerbaijan_dr", "azerbaijan_dr_flag"),
    ("Baku 1970", "azerbaijan_ssr", "azerbaijan_ssr_flag_1952"),
    ("Baku 2000", "azerbaijan", "azerbaijan_flag"),
    ("Almaty 1970", "kazakh_ssr", "kazakh_ssr_flag_1953"),
    ("Almaty 2000", "kazakhstan", "kazakhstan_flag"),
    ("Tashkent 1970", "uzbek_ssr", "uzbek_ssr_flag_1952"),
    ("Tashkent 2000", "uzbekistan", "uzbekistan_flag"),
    ("Bishkek 1970", "kirghiz_ssr", "kirghiz_ssr_flag_1952"),
    ("Bishkek 2000", "kyrgyzstan", "kyrgyzstan_flag_1992"),
    ("Dushanbe 1970", "tajik_ssr", "tajik_ssr_flag_1953"),
    ("Dushanbe 2000", "tajikistan", "tajikistan_flag"),
    ("Ashgabat 1970", "turkmen_ssr", "turkmen_ssr_flag_1953"),
    ("Tbilisi 1970", "georgian_ssr", "georgian_ssr_flag_1951"),
    ("Tbilisi 2010", "georgia", "georgia_flag_2004"),
    ("Minsk 1993", "belarus", "belarus_white_red_white_flag"),
    ("Minsk 2000", "belarus", "belarus_flag_1995"),
    ("Prague 2000", "czech_republic", "czech_republic_flag"),
    ("Bratislava 2000", "slovakia", "slovakia_flag"),
    ("Ljubljana 2000", "slovenia", "slovenia_flag"),
    ("Zagreb 2000", "croatia", "croatia_flag"),
    ("Sarajevo 2005", "bosnia_herzegovina", "bosnia_herzegovina_flag_1998"),
    ("Mumbai 1960", "india", "india_flag"),
    ("Jakarta 1960", "indonesia", "indonesia_flag"),
    ("Jakarta 1930", "dutch_east_indies", "dutch_east_indies_flag"),
]
NEW_FLAGS = sorted({fact for _, _, fact in NEW_POLITY_HINTS} | {"donetsk_pr_flag"})

# (hint, the polity of the period data, its flag first, the other Baltic regime's flag absent)
BALTIC_1939_1940 = [
    ("Tallinn 1939", "estonia", "estonia_flag_1918", "estonian_ssr_flag_1940"),
    ("Tallinn 1940", "estonian_ssr", "estonian_ssr_flag_1940", "estonia_flag_1918"),
    ("Tallinn 1941", "estonian_ssr", "estonian_ssr_flag_1940", "estonia_flag_1918"),
    ("Riga 1939", "latvia", "latvia_flag_1918", "latvian_ssr_flag_1940"),
    ("Riga 1940", "latvian_ssr", "latvian_ssr_flag_1940", "latvia_flag_1918"),
    ("Kaunas 1939", "lithuania", "lithuania_flag_1918", "lithuanian_ssr_flag_1940"),
    ("Kaunas 1940", "lithuanian_ssr", "lithuanian_ssr_flag_1940", "lithuania_flag_1918"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("hint", "polity", "fact"), NEW_POLITY_HINTS)
def test_a_newly_covered_polity_gets_its_own_flag_first(
        curated_retriever, resolver, hint_context, hint, polity, fact):
    assert_own_flag_first(curated_retriever, resolver, hint_context, hint, polity, fact)


@pytest.mark.slow
@pytest.mark.parametrize(("hint", "polity", "first", "absent"), BALTIC_1939_1940)
def test_baltic_flags_follow_the_annexation_in_the_period_data(
        curated_retriever, resolver, hint_context, hint, polity, first, absent):
    context = hint_context(hint)
    assert polity_ids(resolver, context)[0] == polity, (hint, context.region.name)
    flags = flag_ids(curated_retriever(context, k=5, query_text=hint))
    assert flags[0] == first, f"{hint}: flags {flags}"
    assert absent not in flags, f"{hint}: {absent} is of the other regime: {flags}"


@pytest.mark.slow
def test_donetsk_2016_gets_the_flags_of_both_states_the_gazetteer_names(
        curated_retriever, resolver, hint_context):
    """The gazetteer lists Ukraine (de jure) and the Donetsk People's Republic (de facto) for
    Donetsk in 2016; retrieval returns the flags of both and no other state's."""
    context = hint_context("Donetsk 2016")
    assert polity_ids(resolver, context)[:2] == ["ukraine", "donetsk_pr"]
    flags = flag_ids(curated_retriever(context, k=5, query_text="Donetsk 2016"))
    assert set(flags[:2]) == {"ukraine_flag", "donetsk_pr_flag"}, flags


def _flat(entry, width=640):
    return flag_pixels(entry, width)


def test_version_5_adds_the_new_flags(entries):
    data = json.loads((DEFAULT_DATA_DIR / "flags.json").read_text(encoding="utf-8"))
    assert data["version"] >= 5
    assert set(NEW_FLAGS) <= set(entries)
    for fact in NEW_FLAGS:
        e = entries[fact]
        assert e["kind"] == "flag" and e["start"] <= e["end"] and e["regions"], fact
        assert e["source"].startswith("https://en.wikipedia.org/wiki/Flag_of"), fact


@pytest.mark.parametrize("fact", NEW_FLAGS)
def test_each_new_flag_renders_every_listed_color(entries, fact):
    img = _flat(entries[fact])
    for color in entries[fact]["colors"]:
        rgb = NamedColor.from_dict(color).rgb
        share = float((np.linalg.norm(img - np.asarray(rgb), axis=-1) < 40).mean())
        assert share > 0.0005, f"{fact}: {color['name']} {color['srgb']} drawn on {share:.4%}"


@pytest.mark.parametrize("fact", [f for f in NEW_FLAGS if f not in ("kazakhstan_flag",
                                                                   "bosnia_herzegovina_flag_1998",
                                                                   "kyrgyzstan_flag_1992")])
def test_the_fly_end_shows_the_documented_stripes_in_order(entries, fact):
    """Away from the emblems (the last twentieth of the length), each stripe band has its own
    color, in the order and proportions the entry gives (e.g. Kazakh SSR 6:2:1)."""
    entry = entries[fact]
    img = _flat(entry)
    h, w = img.shape[:2]
    stripes = entry["design"].get("stripes")
    if stripes is None:
        assert tuple(img[3, w - 3]) == NamedColor.from_dict(entry["colors"][0]).rgb
        return
    palette = {c["name"]: NamedColor.from_dict(c).rgb for c in entry["colors"]}
    weights = np.asarray(stripes["weights"], dtype=float)
    edges = np.concatenate([[0], np.cumsum(weights) / weights.sum()])
    for name, a, b in zip(stripes["colors"], edges[:-1], edges[1:]):
        y = min(h - 1, int((a + b) / 2 * h))
        # thin stripes (Uzbek SSR's 1/50) get a pixel of the resampling's blend
        assert np.linalg.norm(img[y, w - 3] - palette[name]) < 30, (fact, name, y)


def test_baltic_1940_flags_carry_the_republic_s_letters_above_the_emblem(entries):
    """The constitutions of 1940: gold letters above a gold hammer and sickle in the upper
    hoist of a red cloth (ENSV, LPSR, LIETUVOS TSR)."""
    for fact, letters in (("estonian_ssr_flag_1940", "ENSV"), ("latvian_ssr_flag_1940", "LPSR"),
                          ("lithuanian_ssr_flag_1940", "LIETUVOS TSR")):
        e = entries[fact]
        assert (e["start"], e["end"]) == (1940, 1953)
        text, emblem = e["design"]["elements"]
        assert text["text"] == letters and emblem["shape"] == "hammer_sickle"
        assert text["center"][1] < emblem["center"][1]  # the letters above
        img = _flat(e)
        h, w = img.shape[:2]
        gold = (np.abs(img - np.asarray((0xFF, 0xD7, 0x00))).max(axis=-1) <= 2)
        assert gold[:, w // 2:].sum() == 0 and gold[h // 2:].sum() == 0  # upper hoist only
        assert gold.mean() > 0.002


def test_the_listing_names_what_is_still_uncovered_and_counts_it():
    listed = polities_without_flags()
    assert "general_government" in listed  # flies its parent's flag: still listed
    covered = {polity for _, polity, _ in NEW_POLITY_HINTS}
    assert not covered & listed, covered & listed


def test_the_listing_counts_every_polity_without_flags_and_refuses_a_missing_file(tmp_path):
    empty = tmp_path / "flags.json"
    empty.write_text(json.dumps({"version": 1, "entries": []}))
    done = list_polities("--flags", str(empty))
    assert done.returncode == 0 and done.stdout.strip().splitlines()[-1] == (
        f"{POLITY_COUNT} of {POLITY_COUNT} polities have no flag of their own")
    gone = list_polities("--flags", str(tmp_path / "nowhere.json"))
    assert gone.returncode == 2 and "Traceback" not in gone.stderr
    assert gone.stderr.strip().count("\n") == 0 and "nowhere.json is not a file" in gone.stderr
