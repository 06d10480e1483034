"""Fusing cues into a region: which polity held a place when a sign was photographed."""

import pytest

from context.config import ContextConfig
from context.fusion import fuse_era, fuse_region, open_window
from context.gazetteer import load_gazetteer
from context.hints import SIGN_YEARS_AFTER, read_cues


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(ContextConfig().data_dir)


def _read_sign(text, gazetteer):
    cues = read_cues(text, "ocr", gazetteer)
    era, _, _ = fuse_era(list(cues.eras))
    region, _, _ = fuse_region(list(cues.places), era, gazetteer, None, ())
    return era, region


@pytest.mark.parametrize("sign, polity, not_polity", [
    # 1912-1927 overlaps the Ukrainian SSR (from 1919) longer than the Russian Empire, but a
    # dated sign is most likely photographed soon after its year.
    ("ОДЕССА 1912", "Russian Empire", "USSR"),
    ("КАЗАНЬ 1905", "Russian Empire", "USSR"),
    ("КАЗАНЬ 1952", "USSR", "Russian Empire"),
])
def test_a_dated_sign_names_the_polity_of_its_first_years(gazetteer, sign, polity, not_polity):
    era, region = _read_sign(sign, gazetteer)
    year = int(sign.split()[-1])
    assert (era.start, era.end) == (year, year + SIGN_YEARS_AFTER)  # the era keeps its span
    names = [ref.name for ref in region.hierarchy]
    assert polity in names and not_polity not in names, names


def test_a_hinted_decade_still_uses_its_whole_span(gazetteer):
    cues = read_cues("Odessa 1915-1925", "hint", gazetteer)
    era, _, _ = fuse_era(list(cues.eras))
    region, _, _ = fuse_region(list(cues.places), era, gazetteer, None, ())
    assert (era.start, era.end) == (1915, 1925)
    assert "Ukrainian SSR" in [ref.name for ref in region.hierarchy]  # 1919-1925 > 1915-1917


@pytest.mark.parametrize("hint, polity", [
    ("Kazan before 1917", "Russian Empire"),  # 1826-1917: the empire alone held it
    ("до 1917 г. Казань", "Russian Empire"),
    ("Kazan after 1992", "Republic of Tatarstan"),
    ("Berlin before 1945", None),  # Prussia, the empire, Weimar, Nazi Germany: no one state
])
def test_an_open_window_names_the_state_only_when_one_held_the_place(gazetteer, hint, polity):
    """"Before 1917" is no era (rule 4), but it leaves one state for Kazan (rule 6)."""
    cues = read_cues(hint, "hint", gazetteer)
    era, _, _ = fuse_era(list(cues.eras))
    window = open_window(list(cues.eras))
    region, _, _ = fuse_region(list(cues.places), era, gazetteer, None, (), window)
    assert era is None and window is not None
    names = [ref.name for ref in region.hierarchy]
    if polity is None:
        assert len(names) == 1 and region.confidence <= 0.3 and region.candidates
    else:
        assert polity in names and region.confidence == 0.9 and not region.candidates


def test_a_title_lettered_across_a_slide_dates_the_photo_not_a_sign(gazetteer):
    """"Крым 1973 г." across a slide is the photographer's year: 1973, not 1973-1988 as a
    sign's founding year would be (the real-color-dev title slides read 1973-1988)."""
    from context.writing import is_title

    title = read_cues("Крым 1973 г.", "ocr", gazetteer, box=(10, 20, 200, 90), title=True)
    sign = read_cues("Крым 1973 г.", "ocr", gazetteer, box=(10, 20, 200, 30))
    assert [(c.start, c.end) for c in title.eras] == [(1973, 1973)]
    assert "lettered as a title" in title.eras[0].evidence.what
    assert [(c.start, c.end) for c in sign.eras] == [(1973, 1973 + SIGN_YEARS_AFTER)]
    assert is_title((10, 20, 200, 90), 180) and not is_title((10, 20, 200, 30), 180)
    assert not is_title(None, 180)
