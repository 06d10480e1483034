"""Curated base version 7: North Korea, the Democratic Republic of Vietnam, Cuba and Francoist
Spain, with the places that read them (configs/context: North Korea's periods since Joseon,
Hanoi's since 1802, Cuba's since 1607, Madrid's since 1716).

Before it, "Pyongyang 1960", "Hanoi 1970", "Havana 1960" and "Madrid 1940" read pycountry's or
the curated modern country, with no state and no flag. Now each reads its polity and gets its flag first; where the gazetteer names a
state whose flag is not drawn (the State of Vietnam in Hanoi 1950, the Soviet administration
in Pyongyang 1946, Spanish Cuba; the Second Republic in Madrid 1937 until version 8) or no state (Saigon, a city of a Vietnam without periods), no flag is
retrieved: none is the right answer there, the flag of another year or state is not.
"""

import numpy as np
import pytest

from tests.retrieval.conftest import assert_own_flag_first, flag_ids, flag_pixels


def _at(img, x, y):
    h, w = img.shape[:2]
    return img[min(h - 1, int(y * h)), min(w - 1, int(x * w))]


def _palette(entry):
    return {c["name"]: np.asarray(list(bytes.fromhex(c["srgb"][1:])), dtype=np.int32)
            for c in entry["colors"]}


def _is(pixel, rgb, tol=12):
    return float(np.linalg.norm(pixel - rgb)) < tol


def test_north_korea_s_flag_follows_the_flag_law(entries):
    """Blue 6/36, white 1/36, red 22/36; the white disc (diameter 2/3 of the middle 24/36)
    and the red star centred a third of the length from the hoist."""
    entry = entries["north_korea_flag"]
    img, c = flag_pixels(entry, 720), _palette(entry)
    assert img.shape[:2] == (360, 720)
    for x, y, color in [(0.5, 0.08, "blue"), (0.5, 6.5 / 36, "white"), (0.5, 0.25, "red"),
                        (0.8, 0.5, "red"), (1 / 3, 0.5, "red"), (1 / 3, 0.65, "white"),
                        (1 / 3 - 0.2 / 2, 0.5, "white"), (0.5, 29.5 / 36, "white"),
                        (0.5, 0.95, "blue"), (0.08, 0.5, "red")]:
        assert _is(_at(img, x, y), c[color]), (x, y, color, _at(img, x, y))


def test_cuba_s_flag_has_five_stripes_and_a_starred_red_triangle(entries):
    entry = entries["cuba_flag"]
    img, c = flag_pixels(entry, 720), _palette(entry)
    for x, y, color in [(0.7, 0.1, "blue"), (0.7, 0.3, "white"), (0.7, 0.5, "blue"),
                        (0.7, 0.7, "white"), (0.7, 0.9, "blue"), (0.05, 0.1, "red"),
                        (0.4, 0.5, "red"), (0.45, 0.5, "blue"), (0.1443, 0.5, "white"),
                        (0.25, 0.1, "blue")]:  # the triangle's edge runs from (0, 0) to (0.433, 0.5)
        assert _is(_at(img, x, y), c[color]), (x, y, color, _at(img, x, y))


def test_francoist_spain_s_flag_is_the_stripes_only_and_says_so(entries):
    entry = entries["francoist_spain_flag"]
    img, c = flag_pixels(entry, 600), _palette(entry)
    for y, color in [(0.2, "red"), (0.26, "yellow"), (0.5, "yellow"), (0.74, "yellow"),
                     (0.8, "red")]:
        assert _is(_at(img, 0.5, y), c[color]), (y, color)
    assert entry["note"].startswith("approximate") and "arms" in entry["note"]


def test_the_drv_star_of_1945_is_fatter_than_the_star_of_1955(entries):
    """Same size, inner corners at half the points' radius in 1945 (0.382 of a regular star):
    more yellow, and yellow where the 1955 star has red between two points."""
    yellow = {}
    for fact in ("drv_flag_1945", "vietnam_flag_1955", "vietnam_flag"):
        img = flag_pixels(entries[fact], 600)
        yellow[fact] = np.linalg.norm(img - _palette(entries[fact])["yellow"], axis=-1) < 40
    assert yellow["drv_flag_1945"].mean() > 1.2 * yellow["vietnam_flag_1955"].mean()
    assert (yellow["vietnam_flag"] == yellow["vietnam_flag_1955"]).all()  # one design
    # straight below the centre, between the two lower points (inner corner at 0.5 vs 0.382)
    h, w = yellow["drv_flag_1945"].shape
    y = int((0.5 + 0.3 * 0.45) * h)
    assert yellow["drv_flag_1945"][y, w // 2] and not yellow["vietnam_flag_1955"][y, w // 2]


@pytest.mark.slow
@pytest.mark.parametrize(("hint", "polity", "fact"), [
    ("Pyongyang 1960", "dprk", "north_korea_flag"),
    ("Hanoi 1946", "drv", "drv_flag_1945"),
    ("Hanoi 1970", "drv", "vietnam_flag_1955"),
    ("Hanoi 1990", "srv", "vietnam_flag"),
    ("Havana 1960", "cuba", "cuba_flag"),
    ("Madrid 1940", "francoist_spain", "francoist_spain_flag"),
])
def test_the_capital_reads_the_new_polity_and_gets_its_flag(
        curated_retriever, resolver, hint_context, hint, polity, fact):
    assert_own_flag_first(curated_retriever, resolver, hint_context, hint, polity, fact)


@pytest.mark.slow
@pytest.mark.parametrize(("hint", "expected"), [
    ("Hanoi 1950", []),  # the State of Vietnam: its flag is not drawn
    ("Saigon 1970", []),  # South Vietnam: not the DRV's flag
    ("Pyongyang 1946", []),  # the Soviet Civil Administration
    ("Pyongyang 1930", ["hinomaru", "rising_sun_flag"]),  # Korea under Japanese rule
    ("Madrid 1937", ["second_spanish_republic_flag"]),  # its own flag since version 8
    ("Havana 1890", []),  # Spanish Cuba
    ("Havana 1900", ["us_flag_1861"]),  # the US military government
])
def test_no_flag_of_another_state_or_year(curated_retriever, hint_context, hint, expected):
    flags = flag_ids(curated_retriever(hint_context(hint), k=5, query_text=hint))
    assert flags == expected, f"{hint}: {flags}"
