"""Pins the historical corrections of the curated base (version 3 audit): dates of adoption and
abolition, the colors and their order, and what the rendered drawing shows (star counts,
lettering inside the cloth, the broad cross of Savoy)."""

import json

import numpy as np
import pytest
from scipy import ndimage

from retrieval.knowledge import DEFAULT_DATA_DIR
from tests.retrieval.conftest import flag_pixels


def _flat(entry, width=640):
    return flag_pixels(entry, width)


def _near(img, rgb, tol=40):
    return np.linalg.norm(img - np.asarray(rgb), axis=-1) < tol


def _years(entries, region):
    return {y for e in entries.values() if region in e["regions"]
            for y in range(e["start"], e["end"] + 1)}


def test_version_bumped_for_the_audit():
    data = json.loads((DEFAULT_DATA_DIR / "flags.json").read_text(encoding="utf-8"))
    assert data["version"] >= 3


def test_rsfsr_lettered_flag_lasts_until_the_1954_design(entries):
    """The gold РСФСР on red was the flag until 1954 (1937 Constitution); no gap 1937-1954."""
    e = entries["rsfsr_flag_1918"]
    assert (e["start"], e["end"]) == (1918, 1954)
    assert entries["rsfsr_flag_1954"]["start"] == 1954
    assert set(range(1918, 1992)) <= _years(entries, "rsfsr")


@pytest.mark.parametrize("eid", ["rsfsr_flag_1918", "tatar_assr_flag_1937"])
def test_lettering_stays_inside_the_flag(entries, eid):
    img = _flat(entries[eid])
    gold = _near(img, (255, 215, 0), 60)
    assert gold.any()
    assert not gold[:, :4].any(), f"{eid}: the gold letters run off the hoist edge"


def test_ussr_flag_emblem_where_the_1955_statute_puts_it(entries):
    els = {el["shape"]: el for el in entries["ussr_state_flag"]["design"]["elements"]}
    star, hs = els["star"], els["hammer_sickle"]
    # axis 1/3 of the hoist from the staff (1/6 of the 1:2 length); star circle 1/8 of the
    # height, centred 1/8 below the top; hammer and sickle in a square of 1/4 below it
    assert star["center"] == pytest.approx([1 / 6, 1 / 8], abs=0.001)
    assert star["r"] == pytest.approx(1 / 16, abs=0.001)
    assert hs["center"] == pytest.approx([1 / 6, 1 / 8 + 1 / 16 + 1 / 8], abs=0.001)
    assert hs["size"] == pytest.approx(0.25)


def test_red_star_badge_is_drawn_on_the_neutral_ground(entries):
    e = entries["soviet_red_star"]
    assert e["design"]["field"] == "gray"
    img = _flat(e)
    assert _near(img, (255, 215, 0), 60).mean() < 0.05  # gold only in the emblem


def test_east_germany_has_the_plain_tricolour_1949_to_1959(entries):
    plain, emblem = entries["east_germany_flag_1949"], entries["east_germany_flag"]
    assert (plain["start"], plain["end"]) == (1949, 1959) and plain["regions"] == ["east_germany"]
    assert emblem["start"] == 1959
    assert plain["design"]["stripes"]["colors"] == ["black", "red", "gold"]
    assert "elements" not in plain["design"]
    assert set(range(1949, 1991)) <= _years(entries, "east_germany")


def test_weimar_merchant_flag_black_white_red_with_black_red_gold_canton(entries):
    e = entries["weimar_merchant_flag"]
    assert (e["start"], e["end"], e["regions"]) == (1921, 1933, ["weimar_republic"])
    assert e["design"]["stripes"]["colors"] == ["black", "white", "red"]
    img = _flat(e)
    h, w = img.shape[:2]

    def at(x, y):
        return img[int(y * h), int(x * w)]

    # canton, top to bottom: black, red, gold (at the hoist); the field's stripes beyond it
    assert _near(at(0.1, 0.05), (0, 0, 0))
    assert _near(at(0.1, 0.166), (221, 0, 0))
    assert _near(at(0.1, 0.28), (255, 206, 0))
    assert _near(at(0.7, 0.166), (0, 0, 0))
    assert _near(at(0.5, 0.5), (255, 255, 255))
    assert _near(at(0.5, 0.85), (221, 0, 0))


def test_black_white_red_was_a_national_flag_1933_to_1935(entries):
    e = entries["german_black_white_red_1933"]
    assert (e["start"], e["end"], e["regions"]) == (1933, 1935, ["nazi_germany"])
    assert e["design"]["stripes"]["colors"] == ["black", "white", "red"]


def test_czechoslovakia_white_red_until_the_1920_blue_triangle(entries):
    first, second = entries["czechoslovakia_flag_1918"], entries["czechoslovakia_flag"]
    assert (first["start"], first["end"]) == (1918, 1920)
    assert first["design"]["stripes"]["colors"] == ["white", "red"]
    assert second["start"] == 1920


def _canton_stars(entry):
    img = _flat(entry, width=1280)
    h, w = img.shape[:2]
    canton = img[: int(h * 0.53), : int(w * 0.39)]
    labels, n = ndimage.label(_near(canton, (255, 255, 255), 80))
    sizes = ndimage.sum(labels > 0, labels, range(1, n + 1))
    keep = np.flatnonzero(sizes > 0.3 * sizes.max()) + 1  # stars, not stray edge pixels
    return len(keep), np.where(np.isin(labels, keep), labels, 0)


@pytest.mark.parametrize("eid,count", [("us_flag_50", 50), ("us_flag_48", 48),
                                       ("us_flag_1861", 35)])
def test_us_flag_star_count(entries, eid, count):
    assert _canton_stars(entries[eid])[0] == count


def test_us_48_star_canton_has_straight_columns(entries):
    _, labels = _canton_stars(entries["us_flag_48"])
    xs = np.array([c[1] for c in ndimage.center_of_mass(labels > 0, labels,
                                                         np.unique(labels[labels > 0]))])
    columns = 1 + int((np.diff(np.sort(xs)) > 10).sum())
    assert columns == 8  # 8 straight columns, not 16 staggered ones


def test_confederate_battle_flag_has_thirteen_stars(entries):
    stars = [el for el in entries["confederate_battle_flag"]["design"]["elements"]
             if el["shape"] == "star" and el["color"] == "white"]
    assert len(stars) == 13


def test_savoy_cross_is_broad(entries):
    """Gules, a cross argent: the white cross is about a fifth of the shield's width."""
    img = _flat(entries["kingdom_of_italy_flag"])
    h, w = img.shape[:2]
    row = img[int(h * 0.5) - 40:int(h * 0.5) + 40, int(w * 0.5)]  # down the shield's axis
    col = img[int(h * 0.46), int(w * 0.42):int(w * 0.58)]  # across the shield
    white_run = _near(col, (255, 255, 255)).sum()
    assert white_run >= 0.15 * len(col)
    assert _near(row, (255, 255, 255)).sum() >= 40  # the upright arm


def test_ottoman_description_and_black_yellow_white_source(entries):
    desc = entries["ottoman_flag"]["description"]
    assert "eight- then five-pointed" not in desc and "five-pointed star" in desc
    assert "Black-yellow-white_flag_of_the_Russian_Empire" in \
        entries["russian_empire_black_yellow_white"]["source"]


def test_hinomaru_in_the_1870_proportions(entries):
    design = entries["hinomaru"]["design"]
    assert design["ratio"] == [7, 10]
    assert design["elements"][0]["center"] == [0.49, 0.5]
    assert design["elements"][0]["r"] == pytest.approx(0.3)  # diameter 3/5 of the height


def test_tatarstan_flag_was_adopted_by_the_tatar_ssr(entries):
    assert entries["tatarstan_flag"]["start"] == 1991
    assert "tatar_ssr" in entries["tatarstan_flag"]["regions"]


def test_east_german_army_wears_stone_grey_from_1956():
    data = json.loads((DEFAULT_DATA_DIR / "uniforms.json").read_text(encoding="utf-8"))
    e = next(e for e in data["entries"] if e["id"] == "nva_stone_grey")
    assert (e["start"], e["end"], e["regions"]) == (1956, 1990, ["east_germany"])
    assert e["colors"][0]["name"] == "stone grey" and e["swatch"] == {"cloth": "stone grey"}


def test_imperial_war_ensign_covers_the_whole_empire(entries):
    """The white ensign with the black cross flew from 1867 (1892 and 1903 redrawings)."""
    e = entries["german_imperial_war_ensign"]
    assert (e["start"], e["end"]) == (1871, 1918)
