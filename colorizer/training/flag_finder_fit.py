"""Fitting and scoring the flag finder (`train_flag_finder.py`, steps 3-4): class-balanced BCE
on the cached encoder maps, the cell precision/recall and evidence gates on held-out scenes,
and what the finder fires on among flag-free validation-split photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.model.flag_finder import FlagFinder, FlagFinderConfig
from colorizer.model.generator import ColorGenerator
from colorizer.training.data import list_photos
from colorizer.training.flag_finder_cloth import SCENE_W
from colorizer.training.flag_finder_scenes import (
    VAL_FRACTION,
    Cached,
    encode_scenes,
    film_lightness,
    load_scene_photo,
)


def channel_statistics(cached: Cached) -> tuple[dict[int, torch.Tensor], dict[int, torch.Tensor]]:
    """Per-stride channel mean and std of the maps (the first 400 scenes), the finder's input
    normalisation."""
    mean, std = {}, {}
    for s, m in cached.maps.items():
        x = m[: min(len(m), 400)].float().transpose(0, 1).flatten(1)
        mean[s], std[s] = x.mean(1), x.std(1)
    return mean, std


def fit(cached: Cached, config: FlagFinderConfig, epochs: int, seed: int,
        batch: int = 32, lr: float = 3e-3) -> FlagFinder:
    """Class-balanced BCE on soft cell targets: positives (cloth share) and negatives weigh
    the same in total, so the few cloth cells are not drowned by the background."""
    torch.manual_seed(seed)
    model = FlagFinder(config)
    model.set_statistics(*channel_statistics(cached))
    positive = float(cached.targets.mean())
    pos_weight = torch.tensor((1 - positive) / max(positive, 1e-4))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    n = len(cached.targets)
    steps = epochs * (-(-n // batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(n)
        total = 0.0
        for i in range(0, n, batch):
            maps, target = cached.batch(order[i:i + batch])
            logits = model.logits(maps)
            # Soft targets: a cell half cloth counts half positive, half negative.
            weight = target * pos_weight + (1 - target)
            loss = (F.binary_cross_entropy_with_logits(logits, target, reduction="none")
                    * weight).sum() / weight.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(target)
        print(f"  epoch {epoch + 1}/{epochs}: loss {total / n:.4f}", flush=True)
    return model.eval()


@torch.no_grad()
def predict(model: FlagFinder, cached: Cached) -> torch.Tensor:
    """(N, 1, h8, w8) the finder's cloth probability of every cached scene, 64 at a time."""
    out = [model(cached.batch(torch.arange(i, min(i + 64, len(cached.targets))))[0])
           for i in range(0, len(cached.targets), 64)]
    return torch.cat(out)


def evidence(prob: torch.Tensor, top_cells: int) -> torch.Tensor:
    """(N, 1, h, w) -> (N,) the mean probability of the `top_cells` most cloth-like cells:
    the finder's evidence that a photo shows cloth at all
    (see colorizer/pipeline/correspondence.py)."""
    flat = prob.flatten(1)
    return flat.topk(min(top_cells, flat.shape[1]), dim=1).values.mean(1)


def cell_scores(prob: torch.Tensor, target: torch.Tensor, threshold: float
                ) -> dict[str, float]:
    """Precision/recall of cells (truth: at least half cloth) at a probability threshold."""
    truth = target >= 0.5
    said = prob >= threshold
    tp = float((truth & said).sum())
    return {"threshold": threshold, "precision": tp / max(1.0, float(said.sum())),
            "recall": tp / max(1.0, float(truth.sum()))}


def report(prob: torch.Tensor, target: torch.Tensor, neg_prob: torch.Tensor,
           top_cells: int) -> dict[str, list[dict[str, float | None]]]:
    """Held-out scene cells at several thresholds; scene-level found rate; false alarms on
    the flag-free val-split photos (the leak)."""
    has = target.flatten(1).amax(1) >= 0.5
    ev, neg_ev = evidence(prob, top_cells), evidence(neg_prob, top_cells)
    out = {"cells": [cell_scores(prob, target, t) for t in (0.3, 0.5, 0.7, 0.8, 0.9)],
           "gates": []}
    for gate in (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998):
        out["gates"].append({
            "evidence": gate,
            "found_with_cloth": float((ev[has] >= gate).float().mean()) if has.any() else None,
            "fired_no_cloth_scenes": float((ev[~has] >= gate).float().mean()),
            "fired_val_photos": float((neg_ev >= gate).float().mean()),
            "val_cells_above": float((neg_prob >= gate).float().mean()),
        })
    return out


def val_photo_maps(generator: ColorGenerator, folder: Path, count: int,
                   strides: tuple[int, ...], seed: int) -> dict[int, torch.Tensor]:
    """Flag-free validation-split photos, each seen `count // photos` times through a random
    film (panchromatic or not, contrast, blur, grain) as an archive's scans would be."""
    rng = np.random.default_rng(seed)
    paths = list_photos(folder, "val", VAL_FRACTION)
    lights = [film_lightness(load_scene_photo(paths[i % len(paths)], rng), rng)
              for i in range(count)]
    return encode_scenes(generator, lights, strides)


@torch.no_grad()
def pipeline_view_check(generator: ColorGenerator, model: FlagFinder, folder: Path,
                        top_cells: int, cell: tuple[float, float],
                        pairs: tuple[tuple[float, float], ...]) -> list[dict[str, float]]:
    """The flag-free val-split photos as the pipeline sees them (whole photo, L* of the file,
    rendered at 512 px): for each (no-transfer, full-transfer) evidence pair, the share of
    photos firing and the expected share of cells that would take a flag's color."""
    from colorizer.pipeline.colorization import lightness_at, lightness_of
    from colorizer.pipeline.imageio import load_image

    evidences, shares = [], []
    for path in list_photos(folder, "val", VAL_FRACTION):
        lightness = lightness_at(lightness_of(load_image(path)), SCENE_W)
        prob = model(generator.encode(lightness))
        evidences.append(float(evidence(prob, top_cells)[0]))
        shares.append(float(((prob - cell[0]) / (cell[1] - cell[0])).clamp(0, 1).mean()))
    ev, share = np.array(evidences), np.array(shares)
    return [{"min": lo, "full": hi, "photos": len(ev), "fired_min": float((ev >= lo).mean()),
             "fired_full": float((ev >= hi).mean()),
             "colored_cells": float((np.clip((ev - lo) / (hi - lo), 0, 1) * share).mean())}
            for lo, hi in pairs]
