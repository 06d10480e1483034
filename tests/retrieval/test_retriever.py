import json
from pathlib import Path

import numpy as np

from retrieval.retriever import ExemplarRetriever, RetrieverConfig


def _ids(hits):
    return [h["id"] for h in hits]


def test_ussr_1950_gets_soviet_red_and_the_reasons(tiny_retriever, hint_context):
    hits = tiny_retriever(hint_context("USSR 1950"), k=3, query_text="USSR 1950")
    assert {"ussr_state_flag", "soviet_red_banner"} <= set(_ids(hits))
    flag = next(h for h in hits if h["id"] == "ussr_state_flag")
    assert "era 1923-1991 overlaps 1950" in flag["why"]
    assert "region USSR matches USSR" in flag["why"]
    assert any(w.startswith("text similarity") for w in flag["why"])
    assert flag["colors"][0] == {"name": "red", "srgb": "#CC0000", "role": "field"}
    assert Path(flag["image_path"]).is_absolute() and Path(flag["image_path"]).is_file()
    json.dumps(hits)  # JSON-serialisable as returned


def test_era_filter_drops_anachronisms(tiny_retriever, hint_context):
    hits = tiny_retriever(hint_context("Russia 1910"), k=13, query_text="Russia 1910")
    ids = _ids(hits)
    assert ids[0] == "russian_empire_tricolour"
    assert not {"ussr_state_flag", "tatarstan_flag", "us_flag_48"} & set(ids)
    assert all(h["era"]["start"] <= 1910 <= h["era"]["end"] for h in hits)


def test_containment_kazan_in_tatar_assr_in_ussr(tiny_retriever, hint_context):
    hits = tiny_retriever(hint_context("Kazan 1960"), k=4, query_text="Kazan 1960")
    by_id = {h["id"]: h for h in hits}
    assert _ids(hits)[0] == "tatar_assr_flag_1954"
    assert "region Tatar ASSR matches Kazan" not in by_id["tatar_assr_flag_1954"]["why"]
    assert "region Tatar ASSR contains Kazan" in by_id["tatar_assr_flag_1954"]["why"]
    assert "region USSR contains Kazan" in by_id["ussr_state_flag"]["why"]
    assert "tatarstan_flag" not in by_id  # 1991-: wrong era


def test_exemplar_inside_the_query_region_scores_lower(tiny_retriever, hint_context):
    hits = tiny_retriever(hint_context("USSR 1960"), k=13)
    tatar = next(h for h in hits if h["id"] == "tatar_assr_flag_1954")
    flag = next(h for h in hits if h["id"] == "ussr_state_flag")
    assert "region Tatar ASSR lies within USSR" in tatar["why"]
    assert flag["score"] > tatar["score"]


def test_context_changes_the_result(tiny_retriever, hint_context):
    fr = _ids(tiny_retriever(hint_context("France 1916"), k=2, query_text="France 1916"))
    de = _ids(tiny_retriever(hint_context("German Empire 1916"), k=2))
    assert set(fr) == {"france_tricolore", "french_horizon_blue"}
    assert set(de) == {"german_empire_flag", "german_feldgrau_1910"}


def test_image_query_finds_its_near_duplicate(tiny_retriever, tiny_library):
    from PIL import Image

    e = tiny_library["hinomaru"]
    photo = Image.open(tiny_library.image_path(e)).convert("L")
    w, h = photo.size
    photo = photo.crop((8, 6, w - 10, h - 4))  # a gray, cropped copy
    hits = tiny_retriever({}, image=photo, k=3)
    assert hits[0]["id"] == "hinomaru"
    assert hits[0]["why"][0].startswith("visual similarity")


def test_no_context_no_image_uses_metadata_only(tiny_library, resolver):
    retriever = ExemplarRetriever(tiny_library, resolver, None, None, RetrieverConfig(k=3))
    assert len(retriever({})) == 3


def test_search_with_precomputed_context_embedding(tiny_retriever, tiny_library, hint_context):
    ctx = hint_context("USSR 1950")
    emb = tiny_retriever.text_embedder.embed([ctx["description"]])[0]
    ctx = {**ctx, "embedding": emb.tolist(), "embedding_model": tiny_library.text_index.info.embedder}
    a = tiny_retriever(ctx, k=5)
    b = tiny_retriever.search(ctx, np.asarray(emb), None, 5)
    assert _ids(a) == _ids(b)


def test_config_rejects_unknown_keys():
    import pytest

    with pytest.raises(ValueError, match="valid keys"):
        RetrieverConfig.from_dict({"topk": 3})
