"""Where training steps keep what they compute between runs (features, encoded scenes).

    training_cache("balance")
      -> ~/.cache/chronochrome/training/balance/    ($CHRONOCHROME_CACHE moves it)

The same root as the library's and the benchmarks' caches (`retrieval.knowledge.cache_root`,
`eval.cache`), written out here so that a training module does not import retrieval to find
a folder. Nothing is created: the caller makes the folder when it first writes to it.
"""

from __future__ import annotations

import os
from pathlib import Path


def training_cache(name: str) -> Path:
    """The cache folder of training step `name`, under $CHRONOCHROME_CACHE or ~/.cache."""
    root = os.environ.get("CHRONOCHROME_CACHE") or Path.home() / ".cache" / "chronochrome"
    return Path(root) / "training" / name
