"""eval.val_loss: checkpoints scored with one set of class weights, at several sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from colorizer.training.data import PhotoBank
from eval.val_loss import main, val_loss


def _bank(count: int = 5) -> PhotoBank:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (40, 48, 3), dtype=np.uint8) for _ in range(count)]
    return PhotoBank(images=images, paths=[Path(f"photo_{i}.png") for i in range(count)])


def test_the_loss_depends_on_the_class_weights_it_is_scored_with(tiny_generator):
    bank = _bank()
    bins = tiny_generator.ab_bins.shape[0]
    uniform = val_loss(tiny_generator, bank, 32, torch.ones(bins), batch=2)
    assert np.isfinite(uniform) and uniform > 0
    assert val_loss(tiny_generator, bank, 32, torch.ones(bins), batch=5) == pytest.approx(uniform)
    skewed = torch.ones(bins)
    skewed[: bins // 2] = 5.0
    assert val_loss(tiny_generator, bank, 32, skewed, batch=2) != pytest.approx(uniform)


def test_a_folder_without_weights_is_refused_by_name(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "nowhere")])
    assert stop.value.code == 2
    assert "no model.safetensors in" in capsys.readouterr().err
