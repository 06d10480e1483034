"""Retrieval uses the polity of the photo's date: with a region, exemplars of other regions are
never returned, however close their text (issue #16, part 3). Curated library, hashing text
embedder (no weights)."""

import pytest

from retrieval.embedders import HashingTextEmbedder
from retrieval.knowledge import curated_records
from retrieval.library import ExemplarLibrary
from retrieval.retriever import ExemplarRetriever


@pytest.fixture(scope="module")
def curated(tmp_path_factory, resolver):
    text = HashingTextEmbedder(128)
    lib = ExemplarLibrary.build(tmp_path_factory.mktemp("curated") / "lib",
                                curated_records(resolver), text, None, name="curated")
    return ExemplarRetriever(lib, resolver, text)


def _ids(hits):
    return [h.id for h in hits]


@pytest.mark.slow
def test_moscow_2015_gets_only_russian_federation_exemplars(curated, hint_context):
    # Measured before the fix: Tatarstan, Italy, Poland and Red Cross flags.
    ctx = hint_context("Moscow 2015")
    assert [h.name for h in ctx.region.hierarchy] == ["Moscow", "Russian Federation"]
    hits = curated(ctx, k=10, query_text="Moscow 2015 flag")
    assert _ids(hits) == ["russian_federation_flag"]
    assert not {"tatarstan_flag", "italy_flag", "poland_flag", "red_cross_flag"} & set(_ids(hits))
    assert "region Russian Federation contains Moscow" in hits[0].why


def test_every_hit_matches_the_resolved_polity(curated, hint_context):
    for hint, allowed in [
        ("Moscow 1976", {"ussr", "rsfsr"}),
        ("Kazan 1952", {"ussr", "rsfsr", "tatar_assr"}),
        ("Lviv 1971", {"ussr", "ukrainian_ssr"}),
        ("Berlin, April 1945", {"nazi_germany"}),
        ("Sarajevo 1914", {"austria_hungary"}),
    ]:
        hits = curated(hint_context(hint), k=20, query_text=f"{hint} flag red white")
        assert hits, hint
        for h in hits:
            assert {r.gazetteer for r in h.exemplar.regions} & allowed, (hint, h.id)


def test_undated_moscow_retrieves_across_its_candidates_only(curated, hint_context):
    ctx = hint_context("Moscow")
    assert ctx.era is None and len(ctx.region.candidates) == 5
    hits = curated(ctx, k=54, query_text="Moscow flag")
    regions = {r.gazetteer for h in hits for r in h.exemplar.regions}
    assert {"russian_empire", "ussr", "russia"} <= regions
    assert regions <= {"russian_empire", "ussr", "rsfsr", "russia", "tsardom_of_russia"}
