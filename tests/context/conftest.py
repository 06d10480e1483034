from __future__ import annotations

import pytest

from context.config import ContextConfig
from context.encoder import ContextEncoder
from context.gazetteer import load_gazetteer


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer(ContextConfig().data_dir)


@pytest.fixture(scope="session")
def bare_encoder():
    """Hints and captions only: no OCR, no embedder, no CLIP (fast, no assets)."""
    return ContextEncoder(ContextConfig(use_ocr=False, embed=False))
