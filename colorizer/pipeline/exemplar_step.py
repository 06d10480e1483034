"""Step 5 of the pipeline: exemplar colors copied where each exemplar is found.

The user's exemplars are trusted (the user says they show the scene); a retrieved one must be
found in the photo first (colorizer.pipeline.correspondence), and flags and banners only on
the cloth the flag finder sees. When nothing is admitted nothing changes: the output stays
the no-context output, to the byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.model.flag_finder import FlagFinder
from colorizer.model.generator import ColorGenerator
from colorizer.pipeline.config import PipelineConfig
from colorizer.pipeline.correspondence import exemplar_transfer
from colorizer.pipeline.exemplar_cells import ExemplarCache
from colorizer.pipeline.exemplar_report import ExemplarUse, attention_shares, exemplar_records
from colorizer.pipeline.frame import find_frame
from colorizer.pipeline.guidance import Guidance, contribution_maps
from colorizer.pipeline.luminance import lightness_at
from retrieval.types import RetrievedExemplar

CLOTH_KINDS = ("flag", "banner", "ensign")  # retrieved exemplars the flag finder looks for


@dataclass(frozen=True)
class TransferParts:
    """The pipeline's components this step uses."""

    generator: ColorGenerator
    flag_finder: FlagFinder | None
    exemplar_cache: ExemplarCache
    config: PipelineConfig
    device: torch.device
    frame_fill: bool = False  # the generator read the photo without its frame (frame.py)


@dataclass
class Prediction:
    """Step 4: the generator's colors at the working resolution."""

    small: torch.Tensor  # (1, 1, rh, rw) L* at the render size
    features: dict[int, torch.Tensor]  # the encoder's maps of it, by stride
    attention: torch.Tensor  # (A, h8, w8) cross-attention mass per attended exemplar
    ab: torch.Tensor  # (1, 2, h, w) decoded a*b* at the generator's output stride
    uncertainty: torch.Tensor  # (1, 1, h, w)
    logits: torch.Tensor | None = None  # (1, Q, h, w) what `ab` was decoded from


@dataclass
class ExemplarColors:
    """Step 5: the colors once exemplars are copied where they are found."""

    ab: torch.Tensor
    uncertainty: torch.Tensor
    context_weight: torch.Tensor  # (1, 1, h, w): where retrieved exemplars changed colors
    records: list[ExemplarUse] = field(default_factory=list)  # per exemplar, for the report
    maps: list[np.ndarray] = field(default_factory=list)  # per used exemplar: (h8, w8) mass


def exemplar_colors(parts: TransferParts, lightness: torch.Tensor,
                    prediction: Prediction, guidance: Guidance, n_user: int,
                    retrieved: list[RetrievedExemplar]) -> ExemplarColors:
    """Copy exemplar colors where each is found; `context_weight` is where retrieved ones
    changed the colors (0 everywhere when none was admitted: the no-context output)."""
    colors = ExemplarColors(prediction.ab, prediction.uncertainty,
                            torch.zeros_like(prediction.uncertainty))
    used = len(guidance.used)
    shares, maps = attention_shares(prediction.attention, used,
                                    tuple(prediction.attention.shape[-2:]))
    moved, contributed, found = [0.0] * used, list(shares), [None] * used
    rejected: list[str | None] = [None] * used
    strengths = [parts.config.exemplar_transfer if i < n_user
                 else parts.config.retrieved_transfer for i in range(used)]
    active = [i for i, strength in enumerate(strengths) if strength > 0]
    blended = (transfer_colors(parts, lightness, prediction, guidance, n_user, active,
                               strengths, colors, maps, (found, rejected)) if active else None)
    if blended is not None:
        maps, moved, contributed = blended
    colors.maps = maps
    colors.records = exemplar_records(guidance.used, shares, moved, contributed, found,
                                      retrieved, rejected)
    return colors


def transfer_colors(parts: TransferParts, lightness: torch.Tensor,
                    prediction: Prediction, guidance: Guidance, n_user: int, active: list[int],
                    strengths: list[float], colors: ExemplarColors, maps: list[np.ndarray],
                    outcome: tuple[list[float | None], list[str | None]]
                    ) -> tuple[list[np.ndarray], list[float], list[float]] | None:
    """The direct transfer for the `active` exemplars; updates `colors` and `outcome` (per
    exemplar: found in the photo, why it was rejected). Returns the contribution maps and
    shares, or None when no exemplar was admitted."""
    used = len(guidance.used)
    # Retrieved flags and banners are found by the flag finder (on the maps of step 4)
    # and colored only on the cloth it finds; other exemplars as before.
    cloth_kind = [i >= n_user and guidance.used[i].kind in CLOTH_KINDS
                  for i in active]
    view = unfilled_view(parts, lightness, prediction)
    cloth = (parts.flag_finder(view[1])
             if parts.flag_finder is not None and any(cloth_kind) else None)
    photo, photo_maps = matching_view(parts, lightness, prediction, view)
    transfer = exemplar_transfer(
        parts.generator.encoder, photo, [guidance.images[i] for i in active],
        parts.config.transfer, trusted=[i < n_user for i in active],
        cache=parts.exemplar_cache, photo_maps=photo_maps, cloth=cloth,
        cloth_kind=cloth_kind)
    found, rejected = outcome
    for n, (i, presence) in enumerate(zip(active, transfer.presence.tolist())):
        found[i] = round(presence, 4)
        rejected[i] = transfer.rejected[n] if transfer.rejected else None
    if float(transfer.admitted.max()) <= 0:  # nothing found, nothing changes
        return None
    ab, uncertainty = colors.ab, colors.uncertainty
    if photo.shape[-1] > ab.shape[-1]:  # blend on the finer grid of the two
        stride = parts.generator.output_stride
        grid = (photo.shape[-2] // stride, photo.shape[-1] // stride)
        ab = F.interpolate(ab, size=grid, mode="bilinear", align_corners=False)
        uncertainty = F.interpolate(uncertainty, size=grid, mode="bilinear",
                                    align_corners=False)
    active_strengths = [strengths[i] for i in active]
    colors.ab, colors.uncertainty, applied = transfer.blend(ab, uncertainty, active_strengths)
    colors.context_weight = transfer.applied_by(
        active_strengths, [i >= n_user for i in active], colors.ab.shape[-2:])
    mass = torch.zeros(used, *transfer.mass.shape[1:])
    mass[active] = transfer.mass.cpu()
    return contribution_maps(maps, mass, applied)


def unfilled_view(parts: TransferParts, lightness: torch.Tensor, prediction: Prediction
                  ) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
    """The photo's L* at the render size as it is, frame included, and the encoder's maps of
    it: what the flag finder and the matching were fitted on (rule 57). The generator's own
    unless it read the photo with its frame filled (`DecodingConfig.frame_fill`)."""
    small = prediction.small
    if not parts.frame_fill:
        return small, prediction.features
    photo = lightness_at(lightness, max(small.shape[-2:])).to(parts.device)
    if find_frame(photo.cpu()).empty:  # nothing was filled: the same L*, the same maps
        return small, prediction.features
    return photo, parts.generator.encode(photo)


def matching_view(parts: TransferParts, lightness: torch.Tensor, prediction: Prediction,
                  view: tuple[torch.Tensor, dict[int, torch.Tensor]] | None = None
                  ) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
    """The photo's L* at the transfer's matching size (never magnified past the photo
    itself, never below the render size), frame included, and the encoder's maps of it
    (`view`, the render size's, when the sizes agree)."""
    small = prediction.small
    long_side = max(min(parts.config.transfer.photo_size, max(lightness.shape[-2:])),
                    max(small.shape[-2:]))
    if long_side == max(small.shape[-2:]):
        return view or unfilled_view(parts, lightness, prediction)
    photo = lightness_at(lightness, long_side).to(parts.device)
    return photo, parts.generator.encode(photo)
