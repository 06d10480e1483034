"""Cloth identity: a retrieved flag is admitted only on found cloth showing its design's field."""

from __future__ import annotations

import pytest
import torch

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.cloth_identity import dominant_band, exemplar_fields, identity_weights
from colorizer.pipeline.transfer import TransferConfig

SOVIET = ([(204, 0, 0), (255, 215, 0)], [95, 5])  # red field, small gold emblem
TRICOLOUR = ([(255, 255, 255), (0, 57, 166), (213, 43, 30)], [33, 33, 34])


def _cells(design: tuple[list, list]) -> tuple[torch.Tensor, torch.Tensor]:
    """An exemplar's matching cells of these colors in these counts: (L*/100, a*b*)."""
    colors, counts = design
    pixels = [c for c, n in zip(colors, counts) for _ in range(n)]
    rgb = torch.tensor(pixels, dtype=torch.float32).T[None, :, None, :] / 255.0
    lab = rgb_to_lab(rgb)[0, :, 0, :]
    return lab[0] / 100.0, lab[1:].T


def _photo() -> tuple[torch.Tensor, torch.Tensor]:
    """A bright ground with a folded uniform field (left) and a tricolour (right), both found
    as cloth by the finder: (1, 1, 64, 128) L* and the (8, 16) cloth cells."""
    lightness = torch.full((1, 1, 64, 128), 90.0)
    lightness[0, 0, 8:40, 8:56] = 45 + 8 * torch.sin(torch.arange(48) / 3.0)  # folds
    lightness[0, 0, 8:40, 72:88] = 96.0
    lightness[0, 0, 8:40, 88:104] = 30.0
    lightness[0, 0, 8:40, 104:120] = 47.0
    region = torch.zeros(8, 16)
    region[1:5, 1:7] = 1.0
    region[1:5, 9:15] = 1.0
    return lightness, region


def test_dominant_band_finds_the_field_and_its_lightness():
    values = torch.cat([torch.full((80,), 40.0), torch.full((20,), 90.0)])
    share, centre = dominant_band(values, torch.ones(100), 16)
    assert share == 0.8
    assert abs(centre - 40.0) < 0.5


def test_a_soviet_flag_is_admitted_on_its_field_and_not_on_a_tricolour_beside_it():
    lightness, region = _photo()
    fields = exemplar_fields(*_cells(SOVIET), 16)
    fit = identity_weights(region, lightness, fields, 16, 0.65, 0.8, 15.0)
    assert float(fit[1:5, 1:7].min()) == 1.0  # the folded uniform field
    assert float(fit[1:5, 9:15].max()) == 0.0  # the three bands
    assert float(fit[region == 0].max()) == 0.0  # nothing off the cloth


def test_a_tricolours_own_exemplar_asks_for_no_uniform_field():
    lightness, region = _photo()
    fields = exemplar_fields(*_cells(TRICOLOUR), 16)
    fit = identity_weights(region, lightness, fields, 16, 0.65, 0.8, 15.0)
    assert float(fit[1:5, 9:15].min()) > 0.5


def test_a_bright_uniform_region_is_not_red_cloth():
    lightness = torch.full((1, 1, 64, 64), 92.0)  # a sky the finder took for cloth
    region = torch.ones(8, 8)
    fields = exemplar_fields(*_cells(SOVIET), 16)
    assert float(identity_weights(region, lightness, fields, 16, 0.65, 0.8, 15.0).max()) == 0.0


def test_cells_over_what_hides_the_flag_take_less():
    # The finder's piece runs one cell past the flag onto a white occluder: those cells'
    # pixels are far from the field's L*, so they take nothing; the flag's cells all of it.
    lightness = torch.full((1, 1, 32, 64), 45.0)
    lightness[0, 0, :, 40:] = 95.0
    region = torch.zeros(4, 8)
    region[:, :6] = 1.0
    fields = exemplar_fields(*_cells(SOVIET), 16)
    fit = identity_weights(region, lightness, fields, 16, 0.65, 0.8, 15.0)
    assert float(fit[:, :5].min()) == 1.0
    assert float(fit[:, 5].max()) == 0.0


def _bicolour() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A bicolour on a bright ground, a dark band (L* 40) over a light one (L* 75): (1, 1,
    64, 64) L*, the (8, 8) cells the finder is sure of (the dark band) and the cells it sees
    as cloth from `min_cloth_cell` (both bands)."""
    lightness = torch.full((1, 1, 64, 64), 95.0)
    lightness[0, 0, 8:32, 8:56] = 40.0
    lightness[0, 0, 32:56, 8:56] = 75.0
    sure, cloth = torch.zeros(8, 8), torch.zeros(8, 8)
    sure[1:4, 1:7] = 1.0
    cloth[1:7, 1:7] = 0.5
    return lightness, sure, cloth


def test_one_band_of_a_bicolour_is_not_a_soviet_field_once_its_whole_cloth_is_the_piece():
    lightness, sure, cloth = _bicolour()
    fields = exemplar_fields(*_cells(SOVIET), 16)
    alone = identity_weights(sure, lightness, fields, 16, 0.65, 0.8, 15.0)
    assert float(alone[1:4, 1:7].min()) == 1.0  # the dark band alone is a uniform field
    fit = identity_weights(cloth, lightness, fields, 16, 0.65, 0.8, 15.0)
    assert float(fit.max()) == 0.0  # with the light band it belongs to, it is a bicolour


def test_a_uniform_flag_stays_admitted_as_one_piece():
    lightness, _, cloth = _bicolour()
    lightness[0, 0, 32:56, 8:56] = 40.0  # both halves one field: a plain red flag
    fields = exemplar_fields(*_cells(SOVIET), 16)
    fit = identity_weights(cloth, lightness, fields, 16, 0.65, 0.8, 15.0)
    assert float(fit[1:7, 1:7].min()) == 1.0
    assert float(fit[0].max()) == 0.0 and float(fit[7].max()) == 0.0  # the ground: nothing


def test_pieces_are_the_cloth_the_finder_sees_from_0_3():
    # Rule 36: found from 0.3, a piece is the whole cloth, not the part the finder is sure of.
    assert (TransferConfig().min_cloth_cell, TransferConfig().full_cloth_cell) == (0.3, 0.9)
    with pytest.raises(ValueError, match="min_cloth_cell"):
        TransferConfig(min_cloth_cell=0.9)
