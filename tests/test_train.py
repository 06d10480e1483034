"""The training loop on a folder of tiny real photos: resumable, deterministic, and it stores
the class weights that decoding needs to undo the rebalancing."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from colorizer.model.generator import WEIGHTS_FILE, ColorGenerator
from colorizer.model.quantize import undo_rebalancing
from colorizer.training.prefetch import BatchPrefetcher
from colorizer.training.train import TrainConfig, Trainer, store_class_weights
from tests.conftest import TINY


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory) -> Path:
    """24 small color photos: smooth gradients with a saturated disc (varied hues)."""
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:80, 0:96] / 80.0
    for i in range(24):
        base = rng.random(3)[:, None, None] * (0.4 + 0.6 * np.stack([xx, yy, 1 - yy]))
        cy, cx, r = rng.integers(20, 60), rng.integers(20, 76), rng.integers(8, 20)
        disc = (yy * 80 - cy) ** 2 + (xx * 80 - cx) ** 2 < r**2
        base[:, disc] = rng.random(3)[:, None]
        rgb = (np.clip(base.transpose(1, 2, 0), 0, 1) * 255).astype(np.uint8)
        Image.fromarray(rgb).save(folder / f"photo_{i:02d}.png")
    return folder


def _config(photo_dir: Path, out: Path, generator_json: Path, **overrides) -> TrainConfig:
    return TrainConfig(**{"generator": str(generator_json), "data_dir": str(photo_dir),
                          "output_dir": str(out), "val_fraction": 0.5, "seed": 7, "steps": 4,
                          "batch_size": 2, "sizes": ((1.0, 64),), "lr": 1e-3,
                          "eval_every": 2, "threads": 1, **overrides})


@pytest.fixture(scope="module")
def generator_json(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("generator") / "tiny.json"
    path.write_text(json.dumps(TINY))
    return path


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory, photo_dir, generator_json) -> tuple[Trainer, Path]:
    """One uninterrupted 4-step run, shared: each trainer start computes the class weights
    from 400 crops (seconds on a 2-core CPU), so the tests that only read a finished run
    share this one. Returns the trainer and its final weights."""
    trainer = Trainer(_config(photo_dir, tmp_path_factory.mktemp("runs") / "whole",
                              generator_json))
    return trainer, trainer.run()


@pytest.mark.slow
def test_resumed_run_ends_where_an_uninterrupted_one_does(tmp_path, photo_dir, generator_json,
                                                          whole_run):
    _, whole = whole_run
    # An interrupted run: two steps and a checkpoint, then a fresh process picks it up.
    interrupted = Trainer(_config(photo_dir, tmp_path / "resumed", generator_json))
    interrupted.train_step()
    interrupted.train_step()
    interrupted.save_checkpoint()
    resumed = Trainer(_config(photo_dir, tmp_path / "resumed", generator_json)).run()
    a, b = load_file(str(whole)), load_file(str(resumed))
    assert a.keys() == b.keys()
    changed = [k for k in a if not torch.equal(a[k], b[k])]
    assert changed == []
    log = [json.loads(line)
           for line in (tmp_path / "resumed" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [3, 4]  # only the steps after the checkpoint ran
    assert "val_loss" in log[-1]


def test_trained_weights_carry_the_class_weights(whole_run):
    trainer, final = whole_run
    model = ColorGenerator.from_pretrained(final.parent)
    assert torch.allclose(model.class_log_weights, trainer.class_weights.log())
    assert float(model.class_log_weights.abs().max()) > 0.1  # rebalancing did weigh bins


def test_class_weights_can_be_stored_into_older_weights(tmp_path, whole_run):
    trainer, shared = whole_run
    config = trainer.config
    final = Path(shutil.copytree(shared.parent, tmp_path / "final")) / shared.name
    expected = load_file(str(final))["class_log_weights"]
    # Weights saved before the trainer stored class weights lack the buffer.
    state = load_file(str(final))
    del state["class_log_weights"]
    with safe_open(str(final), framework="pt") as f:
        metadata = f.metadata()
    save_file(state, str(final), metadata=metadata)
    with pytest.raises(RuntimeError, match="class_log_weights"):
        ColorGenerator.from_pretrained(final.parent)
    store_class_weights(config, final.parent)
    model = ColorGenerator.from_pretrained(final.parent)
    assert torch.equal(model.class_log_weights, expected)
    with safe_open(str(final.parent / WEIGHTS_FILE), framework="pt") as f:
        assert f.metadata() == metadata  # the training record survives


def test_undoing_the_rebalancing_recovers_the_photo_distribution():
    # Weighted cross-entropy is minimised by p_model ~ w * p: undoing gives p back.
    p = torch.tensor([0.7, 0.2, 0.1])
    w = torch.tensor([0.5, 2.0, 4.0])
    logits = (w * p).log().view(1, 3, 1, 1)
    recovered = torch.softmax(undo_rebalancing(logits, w.log(), 1.0), dim=1).flatten()
    assert torch.allclose(recovered, p, atol=1e-6)
    half = torch.softmax(undo_rebalancing(logits, w.log(), 0.5), dim=1).flatten()
    assert p[2] < half[2] < torch.softmax(logits, dim=1).flatten()[2]  # in between
    assert undo_rebalancing(logits, w.log(), 0.0) is logits


def test_pixel_weights_focus_the_loss_on_a_region():
    from colorizer.model.quantize import in_gamut_ab_bins
    from colorizer.training.loss import classification_loss

    bins = in_gamut_ab_bins(samples_per_axis=24)
    torch.manual_seed(0)
    logits = torch.randn(1, bins.shape[0], 4, 4)
    ab = torch.randn(1, 2, 4, 4) * 30
    ones = torch.ones(bins.shape[0])
    region = torch.zeros(1, 4, 4)
    region[:, :2] = 1.0  # only the top half counts
    focused = classification_loss(logits, ab, bins, ones, region)
    top = classification_loss(logits[..., :2, :], ab[..., :2, :], bins, ones)
    assert torch.allclose(focused, top)
    assert not torch.allclose(focused, classification_loss(logits, ab, bins, ones))


def test_film_inputs_and_sources_reach_the_training_step(tmp_path, photo_dir, generator_json):
    """Same photos, same seed: only the emulsion of the input differs, so the first step's
    loss differs; a run with sources reads them (the val split still comes from data_dir)."""
    source = ({"path": str(photo_dir), "share": 1.0},)
    plain = Trainer(_config(photo_dir, tmp_path / "plain", generator_json, sources=source))
    film = Trainer(_config(photo_dir, tmp_path / "film", generator_json, sources=source,
                           film_mix={"blue_sensitive": 1.0}))
    assert len(plain.train_bank) == len(film.train_bank) > 0
    assert plain.train_bank.weights and len(plain.val_bank) > 0
    assert plain.train_step() != pytest.approx(film.train_step(), abs=1e-4)


@pytest.mark.slow
def test_batches_built_ahead_by_workers_make_the_same_run(tmp_path, photo_dir, generator_json):
    """Workers build each step's batch in other processes; the step goes on from the state
    the batch left its generator in (the film gray is drawn next), so the weights are equal."""
    film = {"lstar": 0.5, "blue_sensitive": 0.5}
    serial = Trainer(_config(photo_dir, tmp_path / "serial", generator_json,
                             film_mix=film)).run()
    ahead = Trainer(_config(photo_dir, tmp_path / "ahead", generator_json, film_mix=film,
                            workers=2)).run()
    a, b = load_file(str(serial)), load_file(str(ahead))
    assert a.keys() == b.keys()
    assert [k for k in a if not torch.equal(a[k], b[k])] == []


def test_steps_are_built_ahead_in_order_only(whole_run):
    trainer, _ = whole_run
    with BatchPrefetcher(trainer.build_batch, first=0, last=4, workers=1) as ahead:
        (rgb, _, _), state = ahead.get(0)
        (serial, _, _), serial_state = trainer.build_batch(0)
        assert torch.equal(rgb, serial) and torch.equal(state, serial_state)
        with pytest.raises(RuntimeError, match="step 2 asked for out of order"):
            ahead.get(2)


def test_a_time_schedule_decays_the_learning_rate_by_wall_time(whole_run):
    trainer, _ = whole_run
    config, step = trainer.config, trainer.step
    try:
        trainer.step = 1  # past the warm-up, early in the steps' schedule
        trainer._started = time.time() - 60
        trainer.config = replace(config, time_schedule=False, max_minutes=1.0)
        by_steps = trainer._lr_factor()
        trainer.config = replace(config, time_schedule=True, max_minutes=1.0)
        assert by_steps > 0.5
        assert trainer._lr_factor() == pytest.approx(0.05, abs=0.01)  # a minute of one: done
        trainer.config = replace(config, time_schedule=True, max_minutes=2.0)
        assert trainer._lr_factor() == pytest.approx(0.525, abs=0.02)  # halfway
    finally:
        trainer.config, trainer.step = config, step


def _dies_in_a_worker(step: int) -> tuple[int, int]:
    if os.getpid() != _PARENT:
        os._exit(3)  # a worker killed mid-batch (out of memory, say)
    return step, step * step


_PARENT = os.getpid()


def test_when_the_workers_die_the_batches_are_built_in_process():
    with BatchPrefetcher(_dies_in_a_worker, first=5, last=9, workers=1) as ahead:
        assert [ahead.get(s) for s in range(5, 9)] == [(s, s * s) for s in range(5, 9)]
        assert "BrokenProcessPool" in ahead.failed


def test_tone_curves_reach_the_training_step_and_change_only_the_input(tmp_path, photo_dir,
                                                                       generator_json):
    plain = Trainer(_config(photo_dir, tmp_path / "plain", generator_json))
    toned = Trainer(_config(photo_dir, tmp_path / "toned", generator_json, tone_jitter=1.0))
    assert plain.train_step() != pytest.approx(toned.train_step(), abs=1e-4)


def test_a_tone_curve_keeps_the_order_of_tones_and_the_l_range():
    from colorizer.training.film import tone_jitter

    lightness = torch.linspace(0, 100, 21).view(1, 1, 1, 21).repeat(6, 1, 3, 1)
    g = torch.Generator().manual_seed(0)
    assert torch.equal(tone_jitter(lightness, 0.0, g), lightness)
    toned = tone_jitter(lightness, 1.0, torch.Generator().manual_seed(1))
    assert toned.shape == lightness.shape
    assert 0 <= float(toned.min()) and float(toned.max()) <= 100
    assert (toned.diff(dim=-1) >= 0).all()  # darker stays darker
    changed = (toned - lightness).abs().amax(dim=(1, 2, 3))
    assert (changed > 1).all()  # every sample got a curve of its own
    with pytest.raises(ValueError, match="tone_jitter must be within"):
        tone_jitter(lightness, 1.5, g)


def test_a_config_with_a_bad_tone_share_is_refused_on_load(tmp_path):
    path = tmp_path / "train.json"
    path.write_text(json.dumps({"tone_jitter": 2.0}))
    with pytest.raises(ValueError, match="tone_jitter must be within"):
        TrainConfig.from_json(path)
