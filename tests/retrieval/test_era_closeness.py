"""Within a user library's era slack, the nearer photo ranks first (user audit: with the 5-year
slack, a "Crimea 1975" hint scored the archive's 1975 slide and its 1970 one alike, era 1 both,
so the text or the catalogue order decided). An exemplar whose era overlaps the context's
scores 1, one only within the slack less per year apart; the curated library (slack 0) keeps
the plain overlap, 1 or 0, so its rankings are unchanged."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from retrieval.archive import ArchiveDefaults, archive_records
from retrieval.embedders import HashingTextEmbedder
from retrieval.library import ExemplarLibrary
from retrieval.retriever import ExemplarRetriever, RetrieverConfig

# The same title for every row: only the era tells them apart. The farthest come first in the
# catalogue, so a ranking that ignores the distance keeps that order.
ROWS = [("far_before.jpg", "1970"), ("far_after.jpg", "1980"), ("near.jpg", "1973"),
        ("exact.jpg", "1975"), ("too_far.jpg", "1968"), ("decade.jpg", "1970-1979")]


@pytest.fixture(scope="module")
def crimea_library(tmp_path_factory, resolver) -> ExemplarLibrary:
    root = tmp_path_factory.mktemp("crimea")
    photos = root / "photos"
    photos.mkdir()
    for name, _ in ROWS:  # one image for all: the visual part cannot tell them apart either
        Image.fromarray(np.full((24, 32, 3), 120, np.uint8)).save(photos / name)
    meta = root / "list.csv"
    with meta.open("w", newline="") as f:
        csv.writer(f).writerows([("file", "title", "date", "place"),
                                 *((name, "Koktebel beach", year, "Crimea")
                                   for name, year in ROWS)])
    records = archive_records(photos, meta, resolver, ArchiveDefaults())
    return ExemplarLibrary.build(root / "lib", records, HashingTextEmbedder(64), name="crimea")


def _ranked(library: ExemplarLibrary, resolver, context, config: RetrieverConfig
            ) -> list[tuple[str, float]]:
    retriever = ExemplarRetriever(library, resolver, HashingTextEmbedder(64), None, config)
    return [(hit.exemplar.id, round(hit.parts["era"], 3))
            for hit in retriever(context, k=10, query_text="Koktebel beach")]


def test_the_nearer_photo_ranks_first_within_the_slack(crimea_library, resolver,
                                                       hint_context):
    config = RetrieverConfig(library=str(crimea_library.root))
    ranked = _ranked(crimea_library, resolver, hint_context("Crimea 1975"), config)
    # 1975 and the 1970s overlap; 1973 is 2 years off, 1970 and 1980 5 (the slack's edge);
    # 1968 is beyond it and dropped.
    assert ranked == [("exact", 1.0), ("decade", 1.0), ("near", 0.667),
                      ("far_before", 0.167), ("far_after", 0.167)]


def test_a_decade_hint_scores_its_own_years_above_the_years_around_it(
        crimea_library, resolver, hint_context):
    config = RetrieverConfig(library=str(crimea_library.root))
    ranked = _ranked(crimea_library, resolver, hint_context("Crimea 1960s"), config)
    # 1960-1969: 1968 overlaps; 1970 and the 1970s are a year off, 1973 four; 1975 is beyond.
    assert ranked[0] == ("too_far", 1.0) and ranked[3:] == [("near", 0.333)]
    assert sorted(ranked[1:3]) == [("decade", 0.833), ("far_before", 0.833)]  # a tie


def test_the_curated_librarys_strict_era_is_the_plain_overlap(crimea_library, resolver,
                                                              hint_context):
    from retrieval.retriever import era_closeness

    gap = np.array([0, 1, 2, 5, 6, 40])
    assert era_closeness(gap, 0).tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert era_closeness(gap, 0).dtype == np.float32
    assert [round(float(v), 3) for v in era_closeness(gap, 5)] == [1.0, 0.833, 0.667, 0.167,
                                                                   0.0, 0.0]
    strict = RetrieverConfig(library=str(crimea_library.root), era_slack=0)
    assert _ranked(crimea_library, resolver, hint_context("Crimea 1975"), strict) == [
        ("exact", 1.0), ("decade", 1.0)]


def test_search_with_an_unconfident_era_scores_but_keeps_every_photo(crimea_library, resolver,
                                                                     hint_context):
    """An era below min_era_confidence filters nothing; beyond the slack it scores 0."""
    config = RetrieverConfig(library=str(crimea_library.root), min_era_confidence=1.1)
    ranked = _ranked(crimea_library, resolver, hint_context("Crimea 1975"), config)
    assert ranked[:3] == [("exact", 1.0), ("decade", 1.0), ("near", 0.667)]
    assert sorted(ranked[3:]) == [("far_after", 0.167), ("far_before", 0.167),
                                  ("too_far", 0.0)]

