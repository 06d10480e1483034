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
        img = np.asarray(make(), dtype=np.float32)
        assert img.ndim == 3 and min(img.shape[:2]) >= 100, e.id
        main = np.asarray(e.colors[0].rgb, dtype=np.float32)
        dist = np.linalg.norm(img.reshape(-1, 3) - main, axis=1)
        assert (dist < 60).mean() > 0.05, f"{e.id}: its first color is barely in the image"


def test_version_is_a_content_hash():
    assert curated_version().startswith("curated-") and len(curated_version()) == 20
