"""Where training steps keep what they compute between runs (features, encoded scenes).

    training_cache("balance")
      -> ~/.cache/chronochrome/training/balance/    ($CHRONOCHROME_CACHE moves it,
                                                      or $XDG_CACHE_HOME)

The same root as the library's and the benchmarks' caches (`context.user_cache.cache_root`,
`eval.cache`), so that a training module does not import retrieval to find a folder.
Nothing is created: the caller makes the folder when it first writes to it.
"""

from __future__ import annotations

from pathlib import Path

from context.user_cache import cache_root


def training_cache(name: str) -> Path:
    """The cache folder of training step `name`: $CHRONOCHROME_CACHE, $XDG_CACHE_HOME/
    chronochrome or ~/.cache/chronochrome, then training/<name>."""
    return cache_root() / "training" / name
