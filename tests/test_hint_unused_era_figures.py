"""A user library's exemplar offered a few years from the photo's era says how many (user
audit: a historian's "Crimea 1975" hint gave "era 1973-1973 is within 5 years of 1975": that
the era matched, not the gap; "1973 for 1975: 2 years off" is what was wanted)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from context.config import ContextConfig
from context.encoder import ContextEncoder
from context.gazetteer import load_gazetteer
from retrieval.archive import ArchiveDefaults, archive_records
from retrieval.embedders import HashingTextEmbedder
from retrieval.library import ExemplarLibrary
from retrieval.regions import RegionResolver
from retrieval.retriever import ExemplarRetriever, RetrieverConfig

ROWS = [("crimea.jpg", "Koktebel", "1973", "Crimea"), ("moscow.jpg", "Butyrka", "1980", "Moscow"),
        ("paris.jpg", "Quai", "ca. 1948", "Paris"), ("yalta.jpg", "Yalta", "1960-1965", "Crimea")]


@pytest.fixture(scope="module")
def resolver() -> RegionResolver:
    return RegionResolver(load_gazetteer(ContextConfig().data_dir))


@pytest.fixture(scope="module")
def archive_library(tmp_path_factory, resolver) -> ExemplarLibrary:
    root = tmp_path_factory.mktemp("archive")
    photos = root / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for name, *_ in ROWS:
        Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(photos / name)
    with (root / "list.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("file", "title", "date", "place"), *ROWS])
    records = archive_records(photos, root / "list.csv", resolver, ArchiveDefaults())
    return ExemplarLibrary.build(Path(root / "lib"), records, HashingTextEmbedder(64),
                                 name="archive")


@pytest.fixture(scope="module")
def reasons(archive_library, resolver):
    """(hint, config changes) -> {exemplar id: its era reason}."""
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))

    def found(hint: str, **changes) -> dict[str, str]:
        config = RetrieverConfig(library=str(archive_library.root), **changes)
        retriever = ExemplarRetriever(archive_library, resolver, HashingTextEmbedder(64), None,
                                      config)
        return {hit.exemplar.id: hit.why[0] for hit in retriever(encoder(None, hint=hint), k=4)}
    return found


def test_a_user_librarys_reason_gives_the_years_apart(reasons):
    assert reasons("Crimea 1975") == {"crimea": "era 1973 for 1975: 2 years off, within the "
                                      "library's 5-year slack (era score 0.67 of 1)"}
    assert reasons("Crimea 1974")["crimea"] == ("era 1973 for 1974: 1 year off, within the "
                                                "library's 5-year slack (era score 0.83 of 1)")
    assert reasons("Paris 1950s") == {"paris": "era 1948 for 1950-1959: 2 years off, within "
                                      "the library's 5-year slack (era score 0.67 of 1)"}
    assert reasons("Moscow 1978")["moscow"].startswith("era 1980 for 1978: 2 years off")
    assert reasons("Crimea 1973")["crimea"] == "era 1973 overlaps 1973"  # not 1973-1973


def test_an_exemplar_kept_beyond_the_slack_says_how_far(reasons):
    # The era filter off (or a weak era): exemplars past the slack still come, scored 0.
    far = reasons("Crimea 1975", era_filter=False, era_slack=0)
    assert far["crimea"] == "era 1973 does not overlap 1975: 2 years off"
    assert far["yalta"] == "era 1960-1965 does not overlap 1975: 10 years off"


def test_era_reason_figures():
    from retrieval.retriever import era_reason

    assert era_reason(1970, 1972, (1975, 1975, 0.9), 0.5, 5) == (
        "era 1970-1972 for 1975: 3 years off, within the library's 5-year slack "
        "(era score 0.50 of 1)")
    assert era_reason(1990, 1991, (1950, 1959, 0.9), 0.0, 0) == (
        "era 1990-1991 does not overlap 1950-1959: 31 years off")
    assert era_reason(1923, 1991, (1950, 1950, 0.9), 1.0, 0) == "era 1923-1991 overlaps 1950"
