"""The photo's stride-8 cells matched against every exemplar's (correspondence.py): the
similarities the gates read and the blend weighs, with the cells' colors and lightness."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.encoder import EfficientNetLite0
from colorizer.pipeline.exemplar_cells import (
    ExemplarCache,
    descriptors,
    descriptors_of,
    exemplar_cells,
)
from colorizer.pipeline.transfer import TransferConfig


@dataclass(frozen=True)
class CellMatches:
    """The photo's cells against every exemplar's: what the gates and the blend are made of."""

    sims: list[torch.Tensor]  # per exemplar k, (Np, Ne_k): cosine minus the L* penalty
    gates: list[torch.Tensor]  # per exemplar k, (Np, Ne_k): what the similarity test reads
    colors: list[torch.Tensor]  # per exemplar k, (Ne_k, 2) its cells' a*b*
    lightness: list[torch.Tensor]  # per exemplar k, (Ne_k,) its cells' L* / 100
    photo_l: torch.Tensor  # (Np,) the photo cells' L* / 100
    shape: tuple[int, int]  # (h, w) the photo's stride-8 grid; Np = h * w


def match_cells(encoder: EfficientNetLite0, lightness: torch.Tensor,
                images: Sequence[Image.Image], config: TransferConfig,
                cache: ExemplarCache | None, photo_maps: dict[int, torch.Tensor] | None
                ) -> CellMatches:
    """Similarities of the photo's cells to every exemplar's (the encoder runs in eval mode
    and is handed back in the mode it came in)."""
    was_training = encoder.training
    encoder.eval()
    try:
        photo = (descriptors(encoder, lightness) if photo_maps is None
                 else descriptors_of(photo_maps))
        h, w = photo.shape[-2:]
        query = photo.flatten(2)[0].T  # (Np, C)
        photo_l = F.adaptive_avg_pool2d(lightness, (h, w)).flatten() / 100.0
        sims, gates, colors, lightness_of = [], [], [], []
        for image in images:
            if cache is None:
                cells = exemplar_cells(encoder, image, config.size, lightness.device)
            else:
                cells = cache.get(image, config.size, lightness.device,
                                  lambda i=image: exemplar_cells(encoder, i, config.size,
                                                                 lightness.device))
            cosine = query @ cells.keys
            lightness_gap = (photo_l[:, None] - cells.lightness[None, :]).abs()
            sims.append(cosine - config.luminance_weight * lightness_gap)
            # With no L* weight of its own (the default) the gate is the cosine itself.
            gates.append(cosine - config.gate_luminance_weight * lightness_gap
                         if config.gate_luminance_weight else cosine)
            colors.append(cells.ab)
            lightness_of.append(cells.lightness)
    finally:
        encoder.train(was_training)
    return CellMatches(sims, gates, colors, lightness_of, photo_l, (h, w))
