import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from retrieval.embedders import HashingTextEmbedder
from retrieval.library import ExemplarLibrary
from retrieval.retriever import ExemplarRetriever, RetrieverConfig


def _ids(hits):
    return [h.id for h in hits]


def test_ussr_1950_gets_soviet_red_and_the_reasons(tiny_retriever, hint_context):
    hits = tiny_retriever(hint_context("USSR 1950"), k=3, query_text="USSR 1950")
    assert {"ussr_state_flag", "soviet_red_banner"} <= set(_ids(hits))
    flag = next(h for h in hits if h.id == "ussr_state_flag")
    assert "era 1923-1991 overlaps 1950" in flag.why
    assert "region USSR matches USSR" in flag.why
    assert any(w.startswith("text similarity") for w in flag.why)
    assert set(flag.parts) == {"text", "era", "region", "kind"}  # no image: no visual part
    assert Path(flag.image_path).is_absolute() and Path(flag.image_path).is_file()
    record = json.loads(json.dumps([h.to_dict() for h in hits]))[hits.index(flag)]
    assert record["colors"][0] == {"name": "red", "srgb": "#CC0000", "role": "field"}
    assert list(record) == ["id", "title", "kind", "score", "why", "era", "regions", "colors",
                            "source", "license", "note", "image_path"]
    assert record["score"] == flag.score and record["why"] == list(flag.why)
    assert record["regions"][0] == {"name": "USSR", "wikidata": "Q15180", "iso": "SUHH",
                                    "gazetteer": "ussr"}


def test_era_filter_drops_anachronisms(tiny_retriever, hint_context):
    hits = tiny_retriever(hint_context("Russia 1910"), k=13, query_text="Russia 1910")
    ids = _ids(hits)
    assert ids[0] == "russian_empire_tricolour"
    assert not {"ussr_state_flag", "tatarstan_flag", "us_flag_48"} & set(ids)
    assert all(h.exemplar.start <= 1910 <= h.exemplar.end for h in hits)


def test_containment_kazan_in_tatar_assr_in_ussr(tiny_retriever, hint_context):
    hits = tiny_retriever(hint_context("Kazan 1960"), k=4, query_text="Kazan 1960")
    by_id = {h.id: h for h in hits}
    assert _ids(hits)[0] == "tatar_assr_flag_1954"
    assert "region Tatar ASSR matches Kazan" not in by_id["tatar_assr_flag_1954"].why
    assert "region Tatar ASSR contains Kazan" in by_id["tatar_assr_flag_1954"].why
    assert "region USSR contains Kazan" in by_id["ussr_state_flag"].why
    assert "tatarstan_flag" not in by_id  # 1991-: wrong era


def test_exemplar_inside_the_query_region_scores_lower(tiny_retriever, hint_context):
    hits = tiny_retriever(hint_context("USSR 1960"), k=13)
    tatar = next(h for h in hits if h.id == "tatar_assr_flag_1954")
    flag = next(h for h in hits if h.id == "ussr_state_flag")
    assert "region Tatar ASSR lies within USSR" in tatar.why
    assert flag.score > tatar.score


def test_context_changes_the_result(tiny_retriever, hint_context):
    fr = _ids(tiny_retriever(hint_context("France 1916"), k=2, query_text="France 1916"))
    de = _ids(tiny_retriever(hint_context("German Empire 1916"), k=2))
    assert set(fr) == {"france_tricolore", "french_horizon_blue"}
    assert set(de) == {"german_empire_flag", "german_feldgrau_1910"}


def test_image_query_finds_its_near_duplicate(tiny_retriever, tiny_library):
    e = tiny_library["hinomaru"]
    photo = Image.open(tiny_library.image_path(e)).convert("L")
    w, h = photo.size
    photo = photo.crop((8, 6, w - 10, h - 4))  # a gray, cropped copy
    hits = tiny_retriever.search_image(photo, k=3)
    assert hits[0].id == "hinomaru"
    assert hits[0].why == (f"visual similarity {hits[0].score:.2f}",)  # look only


def test_nothing_to_condition_on_gives_no_exemplars(tiny_retriever, tiny_library, hint_context):
    """No region and no query text: neither the photo's look nor an era alone picks flags."""
    e = tiny_library["hinomaru"]
    photo = Image.open(tiny_library.image_path(e)).convert("L")
    empty = hint_context(None)  # what the context encoder says about an unlabeled photo
    assert empty.era is None and empty.region is None and empty.description
    for context in (None, empty):
        assert tiny_retriever(context, photo) == []
        assert tiny_retriever(context, photo, query_text="  ") == []
    # An era alone (e.g. from a caption) fits every country of its time: still nothing.
    assert tiny_retriever(hint_context("1950"), photo) == []
    # A region, or text the user typed, is enough to condition on.
    assert tiny_retriever(empty, photo, query_text="red banner")
    assert _ids(tiny_retriever(hint_context("1950"), photo, k=1, query_text="1950"))
    assert _ids(tiny_retriever(hint_context("Tokyo"), photo, k=1)) == ["hinomaru"]


def test_pipeline_call_returns_what_the_colorizer_needs(tiny_retriever, tiny_library,
                                                         hint_context):
    """The pipeline's call: (context, gray photo, query_text=hints) -> loadable exemplars."""
    photo = Image.open(tiny_library.image_path(tiny_library["france_tricolore"])).convert("L")
    for hint in ("France 1916", "Kazan 1960", "USSR 1950", "Tokyo 1960"):
        hits = tiny_retriever(hint_context(hint), photo, query_text=hint)
        assert hits, hint
        for hit in hits:
            assert hit.title and hit.why and 0 < hit.score <= 1
            colors = hit.exemplar.colors
            assert colors and all(c.srgb.startswith("#") for c in colors)
            with Image.open(hit.image_path) as image:
                image.load()
                # Rendered flags carry their cloth as alpha; swatches and photos are RGB.
                assert image.mode in ("RGB", "RGBA") and min(image.size) >= 64


def test_missing_exemplar_image_is_a_clear_error(tiny_library, resolver, tmp_path,
                                                   hint_context):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(tiny_library.root, folder)
    library = ExemplarLibrary.load(folder, HashingTextEmbedder(128))
    (folder / library["hinomaru"].image).unlink()
    retriever = ExemplarRetriever(library, resolver, HashingTextEmbedder(128))
    with pytest.raises(FileNotFoundError, match="hinomaru.*rebuild the library"):
        retriever(hint_context("1960"), query_text="Japan hinomaru", k=13)


def test_metadata_only_without_embedders(tiny_library, resolver, hint_context):
    retriever = ExemplarRetriever(tiny_library, resolver, None, None, RetrieverConfig(k=3))
    hits = retriever(hint_context("USSR 1950"))  # the only two of the era and region
    assert _ids(hits) == ["ussr_state_flag", "soviet_red_banner"]  # the kind prior's order


def test_kind_prior_orders_equal_matches(tiny_library, resolver, hint_context):
    """Same era and region match: the national flag before the banner; the prior off, the
    order is the text's alone."""
    ctx = hint_context("USSR 1950")
    hits = ExemplarRetriever(tiny_library, resolver)(ctx, k=2)
    assert _ids(hits) == ["ussr_state_flag", "soviet_red_banner"]
    assert hits[0].score > hits[1].score
    flat = ExemplarRetriever(tiny_library, resolver, config=RetrieverConfig(kind_weight=0.0))
    scores = {h.id: h.score for h in flat(ctx, k=2)}
    assert scores["ussr_state_flag"] == scores["soviet_red_banner"]


def test_search_with_precomputed_context_embedding(tiny_retriever, tiny_library, hint_context):
    ctx = hint_context("USSR 1950")
    emb = tiny_retriever.text_embedder.embed([ctx.description])[0]
    ctx = replace(ctx, embedding=tuple(emb.tolist()),
                  embedding_model=tiny_library.text_index.info.embedder)
    a = tiny_retriever(ctx, k=5)
    b = tiny_retriever.search(ctx, np.asarray(emb), None, 5)
    assert _ids(a) == _ids(b)


def test_config_rejects_unknown_keys():
    with pytest.raises(ValueError, match="valid keys"):
        RetrieverConfig.from_dict({"topk": 3})


def test_kind_prior_covers_every_kind():
    from retrieval.retriever import KIND_PRIOR
    from retrieval.types import KINDS

    assert set(KIND_PRIOR) == set(KINDS) and all(0 < v <= 1 for v in KIND_PRIOR.values())
