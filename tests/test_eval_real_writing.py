"""The real-writing benchmark's scoring, on a fake context."""

from context.types import Era, PlaceRef, Region, SceneContext, Script, TextLine
from eval.real_writing import Truth, score, shown_year, summarize


def _ctx(script=None, era=None, region=None) -> SceneContext:
    return SceneContext(era=era, region=region, script=script, language=None,
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
