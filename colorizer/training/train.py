"""Training of the ColorGenerator: ab-bin cross-entropy with class rebalancing.

Runs through accelerate (CPU, one GPU or several), is deterministic for a seed, resumes from
the newest checkpoint in its output folder, grows the crop size on a schedule, and logs
losses and validation figures as JSON lines.

    chronochrome train --config configs/train/lite0-v1.json
"""

from __future__ import annotations

import copy
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open

from colorizer.model.colorfulness import colorfulness
from colorizer.model.colorspace import lab_to_rgb_keep_luminance
from colorizer.model.conditioning import Conditioning
from colorizer.model.generator import WEIGHTS_FILE, ColorGenerator, GeneratorConfig
from colorizer.model.quantize import bin_prior_from_rgb, rebalancing_weights
from colorizer.training.config_check import Progress, check_output_dir
from colorizer.training.data import PhotoBank, list_photos
from colorizer.training.film import training_input
from colorizer.training.loss import classification_loss, lab_targets
from colorizer.training.prefetch import BatchPrefetcher
from colorizer.training.sources import PhotoSource, load_sources
from colorizer.training.threads import pick_threads
from colorizer.training.train_config import _REPO, TrainConfig, resolve

log = logging.getLogger("chronochrome.train")


def train_photos(config: TrainConfig) -> PhotoBank:
    """The training split of config.data_dir, loaded at the largest crop size."""
    max_crop = max(size for _, size in config.sizes)
    if config.sources:
        return load_sources(config.photo_sources(), _REPO, "train", config.val_fraction,
                            max_crop, config.image_limit or None)
    paths = list_photos(resolve(config.data_dir), "train", config.val_fraction)
    return PhotoBank.load(paths, max_crop, config.image_limit or None)


def class_weights(bank: PhotoBank, bins: torch.Tensor, config: TrainConfig) -> torch.Tensor:
    """Rebalancing weights (Q,) from the bin prior of 400 seeded crops of training photos."""
    g = torch.Generator().manual_seed(config.seed + 1)
    batches = [bank.batch(8, 64, g) for _ in range(50)]
    return rebalancing_weights(bin_prior_from_rgb(batches, bins), config.rebalance_mix)


def store_class_weights(config: TrainConfig, folder: str | Path) -> Path:
    """Write the class weights `config`'s training uses into weights saved before the trainer
    stored them. They are a deterministic function of the config's photos and seed, so the
    result is what retraining with `config` would have saved."""
    folder = Path(folder)
    model = ColorGenerator.load_allowing_missing(folder, ("class_log_weights",))
    weights = class_weights(train_photos(config), model.ab_bins, config)
    model.class_log_weights.copy_(weights.log())
    with safe_open(str(folder / WEIGHTS_FILE), framework="pt") as f:
        metadata = f.metadata() or {}  # keep the training record (steps, wall time, config)
    return model.save_pretrained(folder, metadata=metadata)


def validation_photos(config: TrainConfig, data_dir: Path, max_crop: int,
                      limit: int | None) -> PhotoBank:
    """data_dir's val split (a folder, or the tar a GPU pack made of it)."""
    limit = limit and max(4, limit // 10)
    if data_dir.is_file():
        return load_sources([PhotoSource(str(data_dir))], _REPO, "val", config.val_fraction,
                            max_crop, limit)
    return PhotoBank.load(list_photos(data_dir, "val", config.val_fraction), max_crop, limit)


class Trainer:
    """One training run: data, model, optimizer and the loop, resumable from checkpoints."""

    def __init__(self, config: TrainConfig):
        from accelerate import Accelerator  # heavy import, only when training

        self.config = config
        self.out = resolve(config.output_dir)
        cuda = torch.cuda.is_available()  # bf16 autocast where a GPU has it
        self.accelerator = Accelerator(cpu=not cuda, mixed_precision="bf16" if cuda else "no")
        torch.manual_seed(config.seed)
        if config.init_from:
            self.model = ColorGenerator.from_unconditioned(resolve(config.init_from))
        else:
            gen_config = GeneratorConfig.from_json(resolve(config.generator))
            self.model = ColorGenerator.from_imagenet(gen_config)
        data_dir = resolve(config.data_dir)
        limit = config.image_limit or None
        max_crop = max(size for _, size in config.sizes)
        self.train_bank = train_photos(config)
        self.val_bank = validation_photos(config, data_dir, max_crop, limit)
        log.info("photos: %d train, %d val", len(self.train_bank), len(self.val_bank))
        self.batches = None
        if config.exemplars:
            from colorizer.training.exemplar_data import (
                ConditionedBatches,
                ExemplarMix,
                ExemplarSource,
            )

            size = self.model.config.exemplar_size
            embedder = None
            if config.exemplar_texts:  # a GPU pack: sentences embedded where MiniLM is
                from colorizer.training.phrase_table import PhraseTable

                embedder = PhraseTable(torch.load(resolve(config.exemplar_texts)))
            source = ExemplarSource.build(size, text_embedder=embedder)
            self.batches = ConditionedBatches(self.train_bank, source,
                                              ExemplarMix(**config.exemplar_mix), size)
        self.class_weights = self._class_weights()
        # Saved with the weights: decoding can undo the rebalancing (prior_correction).
        self.model.class_log_weights.copy_(self.class_weights.log())
        decoder = [p for n, p in self.model.named_parameters() if not n.startswith("encoder.")]
        self.optimizer = torch.optim.AdamW(
            [{"params": decoder, "lr": config.lr},
             {"params": self.model.encoder.parameters(), "lr": config.encoder_lr}],
            weight_decay=1e-4,
        )
        self.model, self.optimizer = self.accelerator.prepare(self.model, self.optimizer)
        self.step = 0
        self._started = 0.0  # wall time the loop started (max_minutes, time_schedule)
        self._prefetcher = None

    def _class_weights(self) -> torch.Tensor:
        return class_weights(self.train_bank, self.model.ab_bins, self.config)

    @property
    def raw_model(self) -> ColorGenerator:
        return self.accelerator.unwrap_model(self.model)

    def _encoder_frozen(self) -> bool:
        return self.step < self.config.freeze_encoder_fraction * self.config.steps

    def _lr_factor(self) -> float:
        warmup = max(1, self.config.steps // 50)
        if self.step < warmup:
            return (self.step + 1) / warmup
        progress = (self.step - warmup) / max(1, self.config.steps - warmup)
        if self.config.time_schedule and self.config.max_minutes and self._started:
            progress = max(progress, (time.time() - self._started) / 60 / self.config.max_minutes)
        progress = min(progress, 1.0)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))

    def train_step(self) -> float:
        cfg = self.config
        frozen = self._encoder_frozen()
        model = self.raw_model
        model.train()
        model.encoder.requires_grad_(not frozen)
        if frozen:
            model.encoder.eval()  # keep ImageNet BN statistics while frozen
        (rgb, cond, flags), state = (self._prefetcher.get(self.step) if self._prefetcher
                                     else self.build_batch(self.step))
        g = torch.Generator()
        g.set_state(state)  # where drawing the batch left it: the film gray comes next
        focus = None
        if flags is not None and cfg.flag_loss_weight != 1.0:  # at the logits' stride
            focus = 1 + (cfg.flag_loss_weight - 1) * F.avg_pool2d(flags, 4)[:, 0]
            focus = focus.to(self.accelerator.device)
        rgb = rgb.to(self.accelerator.device)
        lightness, ab = lab_targets(rgb)
        lightness = training_input(rgb, lightness, cfg.film_mix, cfg.tone_jitter, g)
        # Through the prepared (maybe DDP) wrapper; conditioning is encoded inside forward.
        logits = self.model(lightness, conditioning=cond).logits
        loss = classification_loss(logits, ab, model.ab_bins,
                                   self.class_weights.to(logits.device), focus)
        for group, base in zip(self.optimizer.param_groups, (cfg.lr, cfg.encoder_lr)):
            group["lr"] = base * self._lr_factor()
        self.optimizer.zero_grad(set_to_none=True)
        self.accelerator.backward(loss)
        self.accelerator.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.step += 1
        return float(loss.detach())

    def build_batch(self, step: int) -> tuple[tuple, torch.Tensor]:
        """Step `step`'s (sRGB targets, conditioning or None, flag masks or None), and the
        state its generator is left in: a function of the step alone, so it can be built
        ahead in another process (prefetch.py) and the run stays the same."""
        cfg = self.config
        g = torch.Generator().manual_seed(cfg.seed * 1_000_003 + step)  # resumable
        if self.batches is not None:
            batch = self.batches.batch(cfg.batch_size, cfg.crop_at(step), g)
        else:
            batch = (self.train_bank.batch(cfg.batch_size, cfg.crop_at(step), g), None, None)
        return batch, g.get_state()

    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        model = self.raw_model.eval()
        n = min(len(self.val_bank), 64)
        losses, cf_pred, cf_true, ab_err, self_err = [], [], [], [], []
        for start in range(0, n, 16):
            rgb = self.val_bank.center_batch(list(range(start, min(n, start + 16))), 224)
            rgb = rgb.to(self.accelerator.device)
            lightness, ab = lab_targets(rgb)
            out = model(lightness)
            losses.append(float(classification_loss(out.logits, ab, model.ab_bins,
                                                     self.class_weights.to(ab.device))))
            ab_err.append(float((out.ab - ab).norm(dim=1).mean()))
            if self.batches is not None:  # the same photo as exemplar: can color be copied?
                size = model.config.exemplar_size
                views = F.interpolate(rgb, size=(size, size), mode="bilinear", antialias=True,
                                      align_corners=False)[:, None]
                copied = model(lightness, conditioning=Conditioning(exemplars=views))
                self_err.append(float((copied.ab - ab).norm(dim=1).mean()))
            pred = F.interpolate(out.ab, size=lightness.shape[-2:], mode="bilinear")
            cf_pred.append(colorfulness(lab_to_rgb_keep_luminance(lightness, pred), channel_axis=1))
            cf_true.append(colorfulness(rgb, channel_axis=1))
        mean = lambda xs: sum(xs) / len(xs)
        figures = {"val_loss": mean(losses), "val_ab_error": mean(ab_err),
                   "val_colorfulness": mean(cf_pred), "val_colorfulness_truth": mean(cf_true)}
        if self_err:
            figures["val_ab_error_self_exemplar"] = mean(self_err)
        return figures

    # --- checkpoints ---------------------------------------------------------------------

    def _checkpoints(self) -> list[Path]:
        folder = self.out / "checkpoints"
        if not folder.is_dir():
            return []
        return sorted(folder.glob("step_*"), key=lambda p: int(p.name.split("_")[1]))

    def save_checkpoint(self) -> Path:
        path = self.out / "checkpoints" / f"step_{self.step:07d}"
        self.accelerator.save_state(str(path))
        (path / "trainer.json").write_text(json.dumps({"step": self.step}))
        for old in self._checkpoints()[:-2]:  # keep the two newest
            shutil.rmtree(old)
        return path

    def resume(self) -> bool:
        ckpts = self._checkpoints()
        if not ckpts:
            return False
        self.accelerator.load_state(str(ckpts[-1]))
        self.step = json.loads((ckpts[-1] / "trainer.json").read_text())["step"]
        log.warning("resumed from %s at step %d", ckpts[-1], self.step)
        return True

    def run(self) -> Path:
        cfg = self.config
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "train_config.json").write_text(json.dumps(asdict(cfg), indent=2))
        self.resume()
        first = self.step
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        elif self.accelerator.device.type == "cpu":
            probe = self._probe_step()
            torch.set_num_threads(pick_threads(probe, sorted({1, os.cpu_count() or 1})))
        started = self._started = time.time()
        log_file = (self.out / "log.jsonl").open("a")
        if cfg.workers:
            self._prefetcher = BatchPrefetcher(self.build_batch, self.step, cfg.steps, cfg.workers)
        try:
            self._loop(log_file)
        finally:
            log_file.close()
            if self._prefetcher is not None:
                self._prefetcher.close()
                self._prefetcher = None
        wall = time.time() - started
        log.info("throughput: %.1f crops/s on %s", (self.step - first) * cfg.batch_size
                 / max(wall, 1e-9), self.accelerator.device)
        meta = {"version": self.out.name, "steps": self.step, "wall_seconds": round(wall, 1),
                "train_config": json.dumps(asdict(cfg)),
                "device": str(self.accelerator.device), "torch": torch.__version__}
        return self.raw_model.save_pretrained(self.out / "final", metadata=meta)

    def _loop(self, log_file) -> None:
        cfg = self.config
        running: list[float] = []
        progress = Progress(cfg.steps)  # a console line every 30 s between validations
        while self.step < cfg.steps:
            t0 = time.perf_counter()
            running.append(self.train_step())
            record = {"step": self.step, "loss": running[-1], "crop": cfg.crop_at(self.step - 1),
                      "encoder_frozen": self._encoder_frozen(),
                      "sec_per_step": round(time.perf_counter() - t0, 3)}
            if line := progress.update(self.step, running[-1], record["sec_per_step"]):
                log.info("%s", line)
            done = self.step >= cfg.steps
            out_of_time = (cfg.max_minutes
                           and (time.time() - self._started) / 60 > cfg.max_minutes)
            if self.step % cfg.eval_every == 0 or done or out_of_time:
                record.update(self.validate())
                record["train_loss_mean"] = sum(running) / len(running)
                running = []
                self.save_checkpoint()
                log.info("%s", record)
            log_file.write(json.dumps(record) + "\n")
            log_file.flush()
            if out_of_time:
                log.warning("max_minutes reached at step %d: stopping after a checkpoint",
                            self.step)
                break

    def _probe_step(self) -> Callable[[], None]:
        """A training step on a throw-away copy, for timing thread counts without side effects."""
        model = copy.deepcopy(self.raw_model).train()
        g = torch.Generator().manual_seed(12345)
        rgb = self.train_bank.batch(self.config.batch_size, self.config.crop_at(0), g)
        lightness, ab = lab_targets(rgb)

        def step() -> None:
            logits, _ = model.forward_logits(lightness)
            classification_loss(logits, ab, model.ab_bins, self.class_weights).backward()

        return step


def train(config: TrainConfig) -> Path:
    """Train per `config`; returns the path of the final model.safetensors. An output_dir
    that is a file is refused before any photo is loaded or anything written."""
    check_output_dir(resolve(config.output_dir))
    return Trainer(config).run()
