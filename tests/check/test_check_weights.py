"""The check's flag finder ships apart from the colorizer's own and loads strictly."""

from __future__ import annotations

import torch

from colorizer.check.checker import CHECK_WEIGHTS
from colorizer.model.flag_finder import FLAG_FINDER_FILE, FlagFinder
from colorizer.pipeline.colorization import DEFAULT_WEIGHTS


def test_finder_is_the_checks_own_and_reads_encoder_maps():
    assert (CHECK_WEIGHTS / FLAG_FINDER_FILE).is_file()
    # The default weights carry the pipeline's own finder (rule 35); the check keeps its own.
    default = (DEFAULT_WEIGHTS / FLAG_FINDER_FILE).read_bytes()
    assert default != (CHECK_WEIGHTS / FLAG_FINDER_FILE).read_bytes()
    finder = FlagFinder.from_pretrained(CHECK_WEIGHTS).eval()
    assert sum(p.numel() for p in finder.parameters()) < 50_000
    from colorizer.model.encoder import FEATURE_CHANNELS

    maps = {s: torch.zeros(1, FEATURE_CHANNELS[s], 384 // s, 512 // s)
            for s in FEATURE_CHANNELS}
    with torch.no_grad():
        out = finder(maps)
    assert out.shape == (1, 1, 48, 64) and bool(((out >= 0) & (out <= 1)).all())


def test_the_default_finder_is_rule_42s_and_its_gate_rule_36s():
    from safetensors import safe_open

    from colorizer.pipeline.transfer import TransferConfig

    FlagFinder.from_pretrained(DEFAULT_WEIGHTS)  # strict
    with safe_open(str(DEFAULT_WEIGHTS / FLAG_FINDER_FILE), "pt") as f:
        command = f.metadata()["command"]
    assert "--lettering 0.5" in command and "--mine-extra" in command
    assert "--epochs 6" in command  # v5: rule 35's recipe fitted half as long (rule 42)
    config = TransferConfig()
    assert (config.min_cloth_evidence, config.full_cloth_evidence) == (0.96, 0.98)
    assert config.min_cloth_cell == 0.3 and config.cloth_min_field_share == 0.6
