"""The real-writing benchmark's scoring, on a fake context."""

from context.types import (
    Era,
    PlaceRef,
    Region,
    RegionCandidate,
    SceneContext,
    Script,
    TextLine,
)
from eval.real_writing import Truth, score, shown_year, summarize


def _ctx(script=None, era=None, region=None, language=None) -> SceneContext:
    return SceneContext(era=era, region=region, script=script, language=language,
                        text=(TextLine("Крым 1973 г.", (0, 0, 10, 10), 0.9, "Cyrl"),),
                        scene=(), conflicts=(), description="", embedding=None)


def _region(*names) -> Region:
    return Region(names[0], None, None, 0.5, "ocr",
                  hierarchy=tuple(PlaceRef(n, "polity", n) for n in names))


def test_shown_year():
    assert shown_year("Крым 1973 г.") == 1973
    assert shown_year("Молдова-81") == 1981
    assert shown_year("Наша Галя") is None


def test_score_and_summary():
    truth = Truth("a", "Крым 1973 г.", "Cyrl", "Crimea", None, 1973, (1973, 1973))
    ref = _ctx(region=_region("Crimea", "Ukrainian SSR", "USSR"))
    good = _ctx(Script("Cyrl", "Cyrillic", 0.9), Era(1972, 1987, 0.3, "ocr"),
                _region("Crimea", "Ukrainian SSR", "USSR"))
    coarse = _ctx(Script("Latn", "Latin", 0.9), Era(1918, 1933, 0.3, "ocr"), _region("USSR"))
    rows = [score(good, truth, ref), score(coarse, truth, ref)]
    assert [r["script_ok"] for r in rows] == [True, False]
    assert [r["place_ok"] for r in rows] == [True, True]  # USSR is on the hierarchy
    assert [r["place_finer_ok"] for r in rows] == [True, False]  # but no finer
    assert [r["year_ok"] for r in rows] == [True, False]
    s = summarize([dict(r, name=n) for r, n in zip(rows, "xy")])
    assert s["script"]["right"] == 1 and s["script"]["misses"] == ["y"]
    assert s["year"]["rate"] == 0.5
    no_ref = score(good, truth, None)
    assert no_ref["place_ok"] is None
    assert s["language"]["n"] == 0  # the truth names no language: not scored


def test_language_is_scored_where_the_truth_names_one():
    truth = Truth("a", "Крым 1973 г.", "Cyrl", None, None, 1973, (1973, 1973), "rus")
    rows = [score(_ctx(language=lang), truth, None) for lang in ("rus", "ukr", None)]
    assert [r["language_ok"] for r in rows] == [True, False, False]
    s = summarize([dict(r, name=n) for r, n in zip(rows, "xyz")])
    assert (s["language"]["right"], s["language"]["n"], s["language"]["misses"]) == (
        1, 3, ["y", "z"])


def test_an_undated_place_is_scored_as_the_candidate_of_the_truths_era():
    """"Україна" read without a year: the place names no state, only candidates; scored
    as the candidate that held it in the truth's era, right or wrong by where it is."""
    truth = Truth("a", "Украина-1977", "Cyrl", "Ukrainian SSR", None, 1977, (1977, 1977))
    ref = _ctx(region=_region("Ukrainian SSR", "USSR"))
    held = [("Russian Empire", 1721, 1917), ("Ukrainian SSR", 1922, 1991), ("Ukraine", 1991, None)]
    cands = tuple(RegionCandidate(f"Ukraine, {p}", p, a, b, (PlaceRef("Ukraine", "country", "Q212"),
                                                               PlaceRef(p, "polity", p)))
                  for p, a, b in held)
    undated = _ctx(region=Region("Ukraine", "Q212", None, 0.3, "ocr",
                                 hierarchy=(PlaceRef("Ukraine", "country", "Q212"),),
                                 candidates=cands))
    row = score(undated, truth, ref)
    assert row["place_ok"] and row["place_finer_ok"]
    early = Truth("b", "", "Cyrl", "Russian Empire", None, None, (1910, 1910))
    assert score(undated, early, ref)["place_ok"] is False  # 1910: not the Ukrainian SSR
    dated = _ctx(era=Era(1995, 2010, 0.3, "ocr"), region=_region("Ukraine"))
    assert score(dated, truth, ref)["place_ok"] is False  # a dated reading is its own


def test_an_ink_that_would_not_show_in_gray_is_swapped():
    import numpy as np
    from PIL import Image

    from eval.writing_cases import MIN_CONTRAST, _lightness, legible_ink

    mask = Image.new("L", (40, 20), 255)
    red = (230, 60, 40)  # lightness ~124
    mid = Image.new("RGB", (100, 60), (140, 140, 140))  # 16 levels lighter than the red
    assert legible_ink(red, mid, mask, (10, 10)) == (20, 20, 20)  # invisible: now black
    dark = Image.new("RGB", (100, 60), (30, 30, 30))
    assert legible_ink(red, dark, mask, (10, 10)) == red  # shows: kept
    assert legible_ink((20, 20, 20), dark, mask, (10, 10)) == (250, 250, 250)
    gap = abs(_lightness(np.array(red, np.uint8))[0] - _lightness(np.array((30, 30, 30),
                                                                            np.uint8))[0])
    assert gap >= MIN_CONTRAST


def test_hard_year_layouts():
    """eval/year_cases.py: the year after a hyphen, on a line of its own, stacked."""
    from pathlib import Path

    import numpy as np
    from PIL import ImageFont

    from eval.year_cases import layout_mask

    path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not Path(path).exists():
        import pytest

        pytest.skip("needs DejaVu Sans")
    font = ImageFont.truetype(path, 30)
    line = layout_mask("Крым", 1973, "hyphen", font)
    apart = layout_mask("Крым", 1973, "apart", font)
    stacked = layout_mask("Крым", 1973, "stacked", font)
    assert line.width > 4 * line.height  # one line
    assert apart.height > 2 * 30 and apart.width < line.width  # two lines
    rows = np.asarray(stacked).max(axis=1) > 0  # four digits one under the other
    assert stacked.height > 3.5 * 30 and rows.sum() > 0.7 * stacked.height
    assert stacked.width < line.width


def test_a_country_read_for_its_polity_of_the_time_is_right_at_the_polity_level():
    """"Ukraine, Ukrainian SSR, USSR" read for a slide of Chernihiv: the state that held the
    read place then is on the truth's hierarchy, as a bare "USSR" is; not finer, and not
    right under the strict count. The Tatar ASSR read for Georgia is wrong either way."""
    truth = Truth("a", "", "Cyrl", "Chernihiv", None, None, (1977, 1977))
    ref = _ctx(region=_region("Chernihiv", "Ukrainian SSR", "USSR"))
    read = _ctx(era=Era(1977, 1992, 0.3, "ocr"), region=Region(
        "Ukraine", "Q212", None, 0.3, "ocr", hierarchy=(
            PlaceRef("Ukraine", "country", "Q212"), PlaceRef("Ukrainian SSR", "polity",
                                                             "Ukrainian SSR"),
            PlaceRef("USSR", "polity", "USSR"))))
    row = score(read, truth, ref)
    assert row["place_ok"] and not row["place_finer_ok"] and not row["place_strict_ok"]
    wrong = _ctx(era=Era(1977, 1992, 0.3, "ocr"), region=_region("Tatar ASSR", "USSR"))
    georgia = _ctx(region=_region("Georgian SSR", "USSR"))
    assert score(wrong, truth, georgia)["place_ok"] is False  # its first polity: Tatar ASSR
    assert score(_ctx(region=_region("USSR")), truth, ref)["place_strict_ok"]


def test_a_place_held_at_once_by_several_states_gets_no_polity_credit():
    truth = Truth("a", "", "Cyrl", "Baku", None, None, (1979, 1979))
    ref = _ctx(region=_region("Baku", "Azerbaijan SSR", "USSR"))
    caucasus = Region("Caucasus, Russian SFSR / Azerbaijan SSR", None, None, 0.3, "ocr",
                      hierarchy=(PlaceRef("Caucasus", "region", "Caucasus"),
                                 PlaceRef("Azerbaijan SSR", "polity", "Azerbaijan SSR"),
                                 PlaceRef("USSR", "polity", "USSR")))
    assert score(_ctx(era=Era(1979, 1994, 0.3, "ocr"), region=caucasus), truth, ref)[
        "place_ok"] is False  # its first polity is on the truth's, but it named several
