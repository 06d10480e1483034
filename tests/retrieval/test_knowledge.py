from collections import Counter

import numpy as np
import pytest

from retrieval.knowledge import curated_records, curated_version
from retrieval.types import KINDS

REQUIRED = ("ussr_state_flag", "russian_empire_tricolour", "tatar_assr_flag_1954",
            "german_empire_flag", "weimar_flag", "nazi_germany_flag",
            "austria_hungary_civil_ensign", "ottoman_flag", "qing_yellow_dragon_flag", "roc_flag",
            "hinomaru", "kingdom_of_italy_flag", "france_tricolore", "union_flag", "us_flag_48",
            "french_horizon_blue", "german_feldgrau_1910", "british_khaki_service_dress",
            "soviet_khaki_gymnastyorka")


@pytest.fixture(scope="module")
def records(resolver):
    return curated_records(resolver)


def test_curated_base_is_large_and_complete(records):
    ids = [e.id for e, _ in records]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)
    assert set(REQUIRED) <= set(ids)
    kinds = Counter(e.kind for e, _ in records)
    assert kinds["flag"] >= 35 and kinds["uniform"] >= 15
    assert set(kinds) <= set(KINDS)


def test_every_entry_has_provenance_and_resolved_regions(records):
    for e, _ in records:
        assert e.source.startswith("http"), e.id
        assert e.license and e.colors and e.note, e.id
        for r in e.regions:
            assert r.gazetteer and (r.wikidata or r.iso or r.name), e.id
    tatar = next(e for e, _ in records if e.id == "tatar_assr_flag_1954")
    assert tatar.regions[0].name == "Tatar ASSR"
    ussr = next(e for e, _ in records if e.id == "ussr_state_flag")
    assert (ussr.regions[0].wikidata, ussr.regions[0].iso) == ("Q15180", "SUHH")


def test_every_entry_renders_in_its_own_colors(records):
    for e, make in records:
        img = np.asarray(make().convert("RGB"), dtype=np.float32)
        assert img.ndim == 3 and min(img.shape[:2]) >= 100, e.id
        main = np.asarray(e.colors[0].rgb, dtype=np.float32)
        dist = np.linalg.norm(img.reshape(-1, 3) - main, axis=1)
        assert (dist < 60).mean() > 0.05, f"{e.id}: its first color is barely in the image"


def test_version_is_a_content_hash():
    assert curated_version().startswith("curated-") and len(curated_version()) == 20


# The color word a name ends in -> a test of its sRGB value (hue in degrees, s and v in 0..1).
# It catches a value that contradicts its name ("light blue" drawn dark navy, "grey" that is
# green), not a shade that a source documents differently.
def _hue_in(lo, hi):
    return lambda h, s, v: (lo <= h <= hi) if lo <= hi else (h >= lo or h <= hi)


PLAUSIBLE = {
    "white": lambda h, s, v: s < 0.08 and v > 0.9,
    "black": lambda h, s, v: v < 0.2,
    "red": lambda h, s, v: _hue_in(335, 15)(h, s, v) and s > 0.6 and v > 0.4,
    "crimson": lambda h, s, v: _hue_in(335, 10)(h, s, v) and s > 0.6,
    "scarlet": lambda h, s, v: _hue_in(0, 15)(h, s, v) and s > 0.8 and v > 0.8,
    "blue": lambda h, s, v: _hue_in(190, 250)(h, s, v) and s > 0.2,
    "green": lambda h, s, v: _hue_in(80, 170)(h, s, v),
    "yellow": lambda h, s, v: _hue_in(40, 62)(h, s, v) and s > 0.6 and v > 0.8,
    "gold": lambda h, s, v: _hue_in(40, 62)(h, s, v) and s > 0.6 and v > 0.6,
    "grey": lambda h, s, v: s < 0.4 and 0.2 < v < 0.85,
    "khaki": lambda h, s, v: _hue_in(30, 70)(h, s, v) and 0.2 < s < 0.75,
    "drab": lambda h, s, v: _hue_in(30, 70)(h, s, v) and 0.2 < s < 0.8 and v < 0.6,
}
MODIFIERS = {  # a leading word that narrows the test
    "light": lambda h, s, v: v > 0.6,
    "dark": lambda h, s, v: v < 0.45,
    "sky": lambda h, s, v: v > 0.6,
}


def _hsv(rgb):
    import colorsys

    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    return h * 360, s, v


def test_color_values_are_plausible_for_their_names(records):
    checked = 0
    for e, _ in records:
        for color in e.colors:
            words = color.name.casefold().replace("-", " ").split()
            head = words[-1]
            if head not in PLAUSIBLE:
                continue
            hsv = _hsv(color.rgb)
            assert PLAUSIBLE[head](*hsv), f"{e.id}: {color.name} {color.srgb} (hsv {hsv})"
            for word in words[:-1]:
                if word in MODIFIERS:
                    assert MODIFIERS[word](*hsv), f"{e.id}: {color.name} {color.srgb}"
            checked += 1
    assert checked >= 150  # nearly every color of the base has a checkable name


def test_sources_document_the_record_not_a_neighbour(records):
    """Each source names what the record is about (the article of that flag or uniform)."""
    for e, _ in records:
        for source in e.source.split("; "):
            assert source.startswith(("https://", "http://")), (e.id, source)
            assert " " not in source, (e.id, source)
    by_id = {e.id: e for e, _ in records}
    assert "Uniforms_of_the_Union_army" in by_id["union_army_blue"].source
    assert by_id["rsfsr_flag_1954"].colors[1].name == "light blue"  # the 1954 regulation
