import numpy as np
import pytest

from retrieval.embedders import l2_normalize
from retrieval.index import VectorIndex


def _vectors(n=64, d=16, seed=0):
    return l2_normalize(np.random.default_rng(seed).normal(size=(n, d)))


def test_flat_search_is_exact():
    v = _vectors()
    index = VectorIndex.build(v, "test-emb")
    q = v[7] + 0.01
    _, ids = index.search(q, 5)
    expect = np.argsort(-(v @ l2_normalize(q)[None].T).ravel())[:5]
    assert ids[0] == 7 and list(ids) == list(expect)
    assert index.info.kind == "flat" and index.info.count == 64


def test_subset_search_stays_in_the_subset():
    v = _vectors()
    index = VectorIndex.build(v, "test-emb")
    subset = np.array([1, 2, 3, 40])
    for limit in (100, 0):  # numpy path, FAISS selector path
        _, ids = index.search(v[40], 3, subset=subset, exact_limit=limit)
        assert ids[0] == 40 and set(ids) <= set(subset)


def test_hnsw_finds_the_nearest_neighbour():
    v = _vectors(n=2000, d=32)
    index = VectorIndex.build(v, "test-emb", kind="hnsw")
    hits = sum(index.search(v[i], 1)[1][0] == i for i in range(0, 2000, 50))
    assert hits >= 38  # 40 queries


def test_unnormalised_vectors_are_refused():
    with pytest.raises(ValueError, match="L2-normalised"):
        VectorIndex.build(np.ones((3, 4)), "e")


def test_save_load_checks_embedder_dimension_and_metric(tmp_path):
    index = VectorIndex.build(_vectors(), "emb-a")
    index.save(tmp_path / "text")
    loaded = VectorIndex.load(tmp_path / "text", "emb-a", 16)
    assert np.allclose(loaded.vectors, index.vectors)
    with pytest.raises(ValueError, match="embedder: index has 'emb-a'.*Rebuild"):
        VectorIndex.load(tmp_path / "text", "emb-b", 16)
    with pytest.raises(ValueError, match="dimension"):
        VectorIndex.load(tmp_path / "text", "emb-a", 32)
    with pytest.raises(ValueError, match="metric"):
        VectorIndex.load(tmp_path / "text", "emb-a", 16, metric="l2")


def test_query_of_the_wrong_dimension():
    with pytest.raises(ValueError, match="same model"):
        VectorIndex.build(_vectors(), "e").search(np.ones(8), 3)
