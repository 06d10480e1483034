"""A user library's photos are offered a few years either side of the photo's era (user audit:
an archive's Crimea slides dated 1973 were never offered for a hint "Crimea 1975", nor a photo
"ca. 1948" for "Paris 1950s": the era filter was strict). Catalogue dates are approximate and
a place looks the same a few years apart; the curated library stays strict (its flags changed
on known dates), and `era_slack` set by hand is kept."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from retrieval.archive import ArchiveDefaults, archive_records
from retrieval.embedders import HashingTextEmbedder
from retrieval.library import ExemplarLibrary
from retrieval.retriever import ExemplarRetriever, RetrieverConfig

REPO = Path(__file__).resolve().parents[2]
# How a photo two years off scores (era_closeness), said in its reason (retriever.era_reason).
SLACK = "within the library's 5-year slack (era score 0.67 of 1)"
ROWS = [("crimea.jpg", "Koktebel", "1973", "Crimea"), ("moscow.jpg", "Butyrka", "1980", "Moscow"),
        ("paris.jpg", "Quai", "ca. 1948", "Paris"), ("ufa.jpg", "Belaya", "1986", "Ufa")]


def _archive(root: Path) -> tuple[Path, Path]:
    photos = root / "photos"
    photos.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, *_ in ROWS:
        Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(photos / name)
    meta = root / "list.csv"
    with meta.open("w", newline="") as f:
        csv.writer(f).writerows([("file", "title", "date", "place"), *ROWS])
    return photos, meta


@pytest.fixture(scope="module")
def user_library(tmp_path_factory, resolver) -> ExemplarLibrary:
    photos, meta = _archive(tmp_path_factory.mktemp("archive"))
    records = archive_records(photos, meta, resolver, ArchiveDefaults())
    return ExemplarLibrary.build(photos.parent / "lib", records, HashingTextEmbedder(64),
                                 name="archive")


def _found(library, resolver, config, context) -> list[tuple[str, str]]:
    retriever = ExemplarRetriever(library, resolver, HashingTextEmbedder(64), None, config)
    return [(hit.exemplar.id, hit.why[0]) for hit in retriever(context, k=4)]


def test_a_user_library_offers_photos_a_few_years_either_side(user_library, resolver,
                                                              hint_context):
    config = RetrieverConfig(library=str(user_library.root))
    assert config.era_slack == 5  # USER_ERA_SLACK
    found = lambda hint: _found(user_library, resolver, config, hint_context(hint))
    assert found("Crimea 1975") == [("crimea", f"era 1973 for 1975: 2 years off, {SLACK}")]
    assert found("Crimea 1973") == [("crimea", "era 1973 overlaps 1973")]
    assert found("Paris 1950s") == [("paris", f"era 1948 for 1950-1959: 2 years off, {SLACK}")]
    assert found("Moscow 1978") == [("moscow", f"era 1980 for 1978: 2 years off, {SLACK}")]
    assert found("Crimea 1990") == []  # 17 years on: not the same place any more
    assert found("Ufa 1950") == []


def test_the_curated_library_and_a_slack_set_by_hand_stay_strict(user_library, resolver,
                                                                 hint_context):
    assert RetrieverConfig().era_slack == 0
    assert RetrieverConfig(library="default").era_slack == 0
    strict = RetrieverConfig(library=str(user_library.root), era_slack=0)
    for config in (RetrieverConfig(), strict):
        assert _found(user_library, resolver, config, hint_context("Crimea 1975")) == []
    # A config written out (a fingerprint, a JSON file) reads back the same.
    config = RetrieverConfig(library=str(user_library.root))
    assert RetrieverConfig.from_dict(config.to_dict()) == config
    assert RetrieverConfig.from_dict(RetrieverConfig().to_dict()) == RetrieverConfig()


@pytest.mark.slow  # two CLI runs in subprocesses, with MiniLM: about 30 s
def test_library_search_shows_what_colorize_library_gets(tmp_path):
    photos, meta = _archive(tmp_path)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cli = [sys.executable, "-m", "retrieval"]
    built = subprocess.run([*cli, "build", str(photos), "--metadata", str(meta), "--out",
                            str(tmp_path / "lib"), "--no-visual"], check=False,
                           capture_output=True, text=True, timeout=600, cwd=REPO, env=env)
    assert built.returncode == 0, built.stderr
    search = subprocess.run([*cli, "search", "--hint", "Crimea 1975", "--library",
                             str(tmp_path / "lib"), "--json"], check=False,
                            capture_output=True, text=True, timeout=600, cwd=REPO, env=env)
    assert search.returncode == 0, search.stderr
    results = json.loads(search.stdout)["results"]
    assert [(r["id"], r["why"][0]) for r in results] == [
        ("crimea", f"era 1973 for 1975: 2 years off, {SLACK}")]
