"""blob_findings on a true color slide's kind of patch: saturated ink or a dye cast in deep
shade is not a colorizer's blob (eval/results/check-real.md: both blob findings on
real-color-dev's true photos were such, mean L* 7 and 20); a bright blob still is one."""

from __future__ import annotations

import numpy as np
import torch

from colorizer.check.analysis import Maps, blob_findings
from colorizer.check.config import CheckConfig

SIZE = 96  # px: the blob (8x8 = 0.7%) lies between blobs.MIN_AREA_SHARE and MAX_AREA_SHARE


def maps_with_patch(lightness: float, ab: tuple[float, float] = (12.0, -55.0),
                    ratio: float = 0.01) -> Maps:
    """A nearly gray 96x96 photo (L* 55, C* 3) with one saturated 8x8 patch of `lightness`
    and `ab` (the blue of Krim_tat_1's ink: C* 56-64), which the model finds `ratio` as
    likely as its best color."""
    lab = np.zeros((SIZE, SIZE, 3))
    lab[...] = (55.0, 2.0, 2.0)
    lab[44:52, 44:52] = (lightness, *ab)
    likelihood = np.full((SIZE, SIZE), 0.5)
    likelihood[44:52, 44:52] = ratio
    bins = torch.tensor([[0.0, 0.0], [12.0, -55.0]])
    pool = torch.full((2, SIZE // 4, SIZE // 4), 0.5)
    return Maps(lab, likelihood, np.zeros((SIZE, SIZE)), pool, bins, (SIZE, SIZE))


def test_dark_saturated_ink_is_not_a_blob():
    # L* 20 and C* 56: Krim_tat_1's blue "1973" lettering on the slide.
    assert blob_findings(maps_with_patch(20.0), CheckConfig()) == []


def test_the_same_patch_at_mid_lightness_is_a_blob():
    found = blob_findings(maps_with_patch(50.0), CheckConfig())
    assert len(found) == 1
    assert found[0].kind == "blob" and found[0].box == (44, 44, 52, 52)
    assert found[0].evidence["mean_chroma"] == 56.3


def test_the_shade_bound_is_the_configs():
    assert CheckConfig().blob_min_l == 33.0  # knowledge.DARK_L: the check's deep shade
    # Switched off, the dark patch is a finding again: the gate, not the blob search, left it.
    found = blob_findings(maps_with_patch(20.0), CheckConfig(blob_min_l=0.0))
    assert [f.kind for f in found] == ["blob"]


def test_a_dark_patch_the_model_finds_likely_is_no_blob_either():
    assert blob_findings(maps_with_patch(50.0, ratio=0.5), CheckConfig()) == []
