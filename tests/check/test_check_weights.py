"""The check's flag finder ships apart from the colorizer's weights and loads strictly."""

from __future__ import annotations

import torch

from colorizer.check.checker import CHECK_WEIGHTS
from colorizer.model.flag_finder import FLAG_FINDER_FILE, FlagFinder
from colorizer.pipeline.colorization import DEFAULT_WEIGHTS


def test_finder_is_the_checks_own_and_reads_encoder_maps():
    assert (CHECK_WEIGHTS / FLAG_FINDER_FILE).is_file()
    # Beside the generator it would switch on the pipeline's cloth-gated transfer.
    assert not (DEFAULT_WEIGHTS / FLAG_FINDER_FILE).exists()
    finder = FlagFinder.from_pretrained(CHECK_WEIGHTS).eval()
    assert sum(p.numel() for p in finder.parameters()) < 50_000
    from colorizer.model.encoder import FEATURE_CHANNELS

    maps = {s: torch.zeros(1, FEATURE_CHANNELS[s], 384 // s, 512 // s)
            for s in FEATURE_CHANNELS}
    with torch.no_grad():
        out = finder(maps)
    assert out.shape == (1, 1, 48, 64) and bool(((out >= 0) & (out <= 1)).all())
