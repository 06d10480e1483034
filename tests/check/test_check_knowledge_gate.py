"""knowledge_findings on constructed maps: a region the model is sure is some other color
(sky, foliage) is not compared with the flags; cloth whose dye it cannot tell is."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from colorizer.check.analysis import (
    Maps,
    cloth_regions,
    documented_likelihood,
    knowledge_findings,
)
from colorizer.check.config import CheckConfig
from colorizer.check.findings import FactUse
from colorizer.check.knowledge import documented_colors

SOVIET_FLAG = FactUse("ussr_state_flag", "Flag of the Soviet Union", "flag", 0.62,
                      ({"name": "red", "srgb": "#CC0000", "role": "field"},
                       {"name": "gold", "srgb": "#FFD700", "role": "emblem"}),
                      "https://en.wikipedia.org/wiki/Flag_of_the_Soviet_Union", (1923, 1991))
RED, BLUE, GRAY = 0, 1, 2
BINS = torch.tensor([[62.0, 50.0], [12.0, -42.0], [0.0, 0.0]])  # red, blue, gray


def maps(model: tuple[float, float, float], lightness: float = 45.0) -> tuple[Maps, np.ndarray]:
    """A 32x32 image, a blue 16x16 square in the middle found as cloth; the model's
    probabilities of red, blue and gray (`model`) the same on every cell of its 8x8 grid."""
    lab = np.zeros((32, 32, 3))
    lab[..., 0] = 60.0
    lab[8:24, 8:24] = (lightness, 12.0, -42.0)
    cloth = np.zeros((32, 32), np.float32)
    cloth[8:24, 8:24] = 0.95
    pool = torch.tensor(model, dtype=torch.float32)[:, None, None].expand(3, 8, 8).clone()
    return Maps(lab, np.full((32, 32), 0.5), np.zeros((32, 32)), pool, BINS, (32, 32)), cloth


def test_blue_cloth_the_model_cannot_tell_is_a_finding():
    seen, cloth = maps((0.3, 0.4, 0.3))
    found = knowledge_findings(seen, cloth, [SOVIET_FLAG], CheckConfig())
    assert len(found) == 1 and found[0].evidence["seen"] == "blue"
    assert found[0].evidence["model_likelihood_of_documented"] == 0.75  # 0.3 / 0.4


def test_a_region_the_model_is_sure_is_blue_is_not_compared():
    seen, cloth = maps((0.01, 0.98, 0.01))  # sky: red is 1% as likely as blue
    region = cloth > 0.5
    colors = documented_colors(SOVIET_FLAG.id, SOVIET_FLAG.colors)
    assert documented_likelihood(seen, region, colors) < 0.02
    assert knowledge_findings(seen, cloth, [SOVIET_FLAG], CheckConfig()) == []
    # The gate is the config's: switched off, the same region is a finding.
    assert knowledge_findings(seen, cloth, [SOVIET_FLAG], CheckConfig(min_documented=0.0))


def test_gray_cloth_is_gray_above_deep_shade_only():
    # A gray "red flag" at L* 30: its red would still show (shade_l 25), not at 33.
    seen, cloth = maps((0.3, 0.3, 0.4), lightness=30.0)
    seen.lab[8:24, 8:24, 1:] = 0.0
    config = CheckConfig(shade_l=25.0)
    found = knowledge_findings(seen, cloth, [SOVIET_FLAG], config)
    assert found and found[0].evidence["seen"] == "dark gray"
    assert knowledge_findings(seen, cloth, [SOVIET_FLAG], config.changed(shade_l=33.0)) == []


def test_a_color_the_model_itself_gives_is_not_judged():
    """The departure gate: the blue square colored as the model decodes it from the gray is
    the gray's own evidence; the same blue where the model decodes gray is a finding."""
    seen, cloth = maps((0.3, 0.4, 0.3))
    as_ours = np.zeros((32, 32, 2))
    as_ours[8:24, 8:24] = (10.0, -40.0)  # 2.8 from the square's (12, -42)
    config = CheckConfig(min_departure=5.0)
    ours = replace(seen, decoded=as_ours)
    assert knowledge_findings(ours, cloth, [SOVIET_FLAG], config) == []
    gray = replace(seen, decoded=np.zeros((32, 32, 2)))
    found = knowledge_findings(gray, cloth, [SOVIET_FLAG], config)
    assert len(found) == 1 and found[0].evidence["departure_from_model"] == 43.7
    assert knowledge_findings(ours, cloth, [SOVIET_FLAG], config.changed(min_departure=2.0))


def test_regions_found_once_give_the_same_findings():
    """eval.check's sweep finds the regions once and judges them at every setting."""
    seen, cloth = maps((0.3, 0.4, 0.3))
    found = cloth_regions(seen, cloth, [SOVIET_FLAG], CheckConfig())
    assert len(found) == 1 and abs(found[0].evidence - 0.95) < 1e-4
    assert found[0].documented == 0.75
    again = knowledge_findings(seen, cloth, [SOVIET_FLAG], CheckConfig(), found)
    assert [f.message for f in again] == [f.message for f in
                                          knowledge_findings(seen, cloth, [SOVIET_FLAG],
                                                             CheckConfig())]
    assert knowledge_findings(seen, cloth, [SOVIET_FLAG], CheckConfig(cloth_evidence=0.96),
                              found) == []
    assert cloth_regions(seen, cloth, [], CheckConfig()) == []
