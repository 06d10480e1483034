"""Exemplar color transfer by dense correspondence (the warping step of Deep Exemplar-based
colorization, He et al. 2018, done without training).

Cross-attention lets the generator *look up* exemplar colors, but it reads each exemplar as 64
coarse cells and blends what it finds with its learned priors: a user's color print of the very
same scene lowered the error by only a sixth, and a retrieved tricolour came out as one muddy
average. This step matches every stride-8 cell of the photo to the exemplars' cells directly:

    descriptor   the ImageNet encoder's stride-8 and stride-16 features of the *luminance*
                 (centred, unit length), the same encoder for photo and exemplars; a rendered
                 flag's cells outside its cloth (its alpha) take no part
    similarity   cosine of the descriptors, minus a penalty on the cells' difference in L*
                 (a flag's blue and red stripes look alike in texture but not in lightness)
    color        the softmax-weighted mean a*b* of the matched exemplar cells
    confidence   two tests, multiplied. The round trip: the mass of a cell's matches whose
                 own best matches back in the photo land near it. A photo region that truly
                 shows what an exemplar shows (the flag, the same street) maps there and back;
                 a background cell that only borrows the least-bad match does not. And the
                 best similarity of texture alone: a landscape's sky is the most flag-like
                 thing in it and passes the round trip to a flag's white stripe, but its
                 similarity stays low. Cells failing either keep the generator's color.
    presence     for a *retrieved* exemplar (a flag rendered for the hint "USSR 1950"), first
                 whether its object is in the photo at all: the share of its colored cells
                 that find a cell in the photo at least 0.5 alike. On validation data the
                 best-found exemplar of a flag scene scored 0.44 or more (median 0.62); on
                 photos with hints that do not fit them, at most 0.29 (median 0.07): below 0.3
                 an exemplar transfers nothing, from 0.4 fully. The user's own exemplars skip
                 the test.
    cloth        for a retrieved *flag or banner*, when the pipeline has a flag finder
                 (colorizer.model.flag_finder), the presence test is the finder's instead: the
                 texture test above recognises our own renders, not real flags (found_in_photo
                 ~0.07 on photos of real-looking flags, 11/60 Soviet flags red). The finder
                 says where the photo shows flag or banner cloth at all; the exemplar's
                 colors are then matched onto that cloth by the same dense matching (stripes
                 by L* and texture; a one-color cloth takes its color) and blended only
                 inside it, with weight = admission x cell weight x match mass:
                   evidence  the mean finder probability of the photo's `cloth_top_cells`
                             most cloth-like cells (reported as found_in_photo; 0 when the
                             identity or lightness test below leaves the exemplar no cell,
                             with the reason in `Transfer.rejected`)
                   lightness a cloth cell far in L* from the exemplar cells it matched is
                             another flag's cloth (a white stripe): it takes less, or none
                   admission (evidence - min_cloth_evidence) / (full - min), clamped to [0, 1]
                   cell      (p - min_cloth_cell) / (full_cloth_cell - min_cloth_cell),
                             clamped: cells the finder doubts take nothing
                   identity  (`cloth_identity`, cloth_identity.py) each connected piece of
                             found cloth only if its gray pattern shows the exemplar's
                             design through some film (the Soviet flag: one uniform field
                             as dark as red prints), each cell by its share of pixels on
                             that field: other flags beside it and bare regions take none
                 The round trip and similarity gates do not apply there (a real flag's folds
                 and film are not our render's: they failed those gates); the L* penalty
                 still ranks the exemplar's cells against each other, so a red cloth printed
                 dark by orthochromatic film still takes red when red is the exemplar's
                 darkest color. The rule for the thresholds, applied to the finder's own
                 held-out scenes (train-split photos it never saw) and to flag-free
                 validation-split photos (`python -m colorizer.training.train_flag_finder
                 --evaluate`, and the same ~91 photos loaded and rendered at 512 px as the
                 pipeline does), never to eval/flag_scenes' benchmark seed: cells fully
                 where held-out cell precision reaches ~0.9 (0.9), and from 0.3, the ramp
                 that colored the most Soviet cloth on dev flag scenes (seeds 1-2) within
                 two thirds of the red-leak bound (rule 36 of
                 eval/operating_point_rules.md); then the lowest evidence pair (no transfer
                 below, full above) whose expected colored share of flag-free val and
                 finder-held-out photos, as the whole pipeline colors them under several
                 hints, stays <= 0.1% of pixels (the control target; `python -m
                 colorizer.training.flag_finder_gate`), moved up until real-color-dev keeps
                 its do-no-harm figures: 0.96 / 0.98 (rule 36; kept for flag-finder-v5 by
                 rule 42).
                 Only flags whose design is one field on every film take this path
                 (`cloth_min_field_share`): a bare wall and its shadows pass the identity
                 test for a striped or tricolour design; those keep the presence test.

The pipeline blends `ab = (1 - s*c) * ab_generator + s*c * ab_transferred`, s the strength
(1 by default, for the user's and for retrieved exemplars). Without the presence test every
gate leaked the retrieved flags' colors onto walls and skies of validation photos given
unrelated hints (+0.33 to +1.26 CIEDE2000); with it the leak is 0.000 and the flag scenes on
validation photos go from 38% to 86% right: `eval/results/transfer-tuning.md`.

The module's parts: `transfer.py` holds `TransferConfig` and the result `Transfer` (which
blends itself), `exemplar_cells.py` the descriptors and the exemplars' cells and their cache,
`cell_matches.py` the photo's cells matched to them, `transfer_admission.py` the presence and
cloth gates; here the gates are applied and the admitted exemplars' colors matched onto the
photo.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.encoder import EfficientNetLite0
from colorizer.pipeline.cell_matches import CellMatches, match_cells
from colorizer.pipeline.exemplar_cells import ExemplarCache, ExemplarCells
from colorizer.pipeline.transfer import Transfer, TransferConfig
from colorizer.pipeline.transfer_admission import (
    COLORED_CHROMA,
    admission,
    cloth_cells,
    cloth_evidence,
    one_field,
)

__all__ = ["COLORED_CHROMA", "SPREAD_SCALE", "ExemplarCache", "ExemplarCells", "Transfer",
           "TransferConfig", "cloth_cells", "cloth_evidence", "exemplar_transfer"]

SPREAD_SCALE = 40.0  # a*b* standard deviation of the matched colors that counts as "unsure"


@torch.no_grad()
def exemplar_transfer(encoder: EfficientNetLite0, lightness: torch.Tensor,
                      images: Sequence[Image.Image], config: TransferConfig | None = None,
                      trusted: Sequence[bool] | None = None,
                      cache: ExemplarCache | None = None,
                      photo_maps: dict[int, torch.Tensor] | None = None,
                      cloth: torch.Tensor | None = None,
                      cloth_kind: Sequence[bool] | None = None) -> Transfer:
    """Match the photo's luminance `lightness` (1, 1, H, W) onto the color `images`.

    `trusted[k]` (default: all) exempts exemplar k from the presence test: a user's own
    reference photo is taken to show the scene; a retrieved flag must be found in it first.
    `cache` keeps the exemplars' cells between calls (`encoder` must then stay the same);
    `photo_maps`, the encoder's maps of `lightness` if the caller has them already.
    `cloth` (1, 1, h', w'), the flag finder's cloth probability of the photo (any grid), and
    `cloth_kind[k]`: exemplar k is a retrieved flag or banner, found by the finder and
    transferred only onto its cloth (see the module docstring); ignored without `cloth`.
    """
    if not images:
        raise ValueError("exemplar_transfer needs at least one exemplar image")
    trusted = [True] * len(images) if trusted is None else list(trusted)
    if len(trusted) != len(images):
        raise ValueError(f"{len(trusted)} trusted flags for {len(images)} exemplar images")
    cloth_kind = [False] * len(images) if cloth_kind is None or cloth is None else [
        bool(c) and not t for c, t in zip(cloth_kind, trusted, strict=True)]
    config = config or TransferConfig()
    matches = match_cells(encoder, lightness, images, config, cache, photo_maps)
    cloth_kind = [c and one_field(matches, k, config) for k, c in enumerate(cloth_kind)]
    device = lightness.device
    presence, admitted, region, rejected = admission(matches, trusted, cloth, cloth_kind,
                                                     config, lightness)
    gated = torch.tensor([not c for c in cloth_kind], device=device)
    live = [k for k in range(len(matches.sims))
            if float(admitted[k]) > 0 and float(region[k].max()) > 0]
    if not live:
        # No exemplar's object is in the photo: no cell takes a color, and the matching
        # below (most of the cost) is skipped: the common case for an archive's photos.
        h, w = matches.shape
        none = torch.zeros(1, 1, h, w, device=device)
        return Transfer(ab=none.repeat(1, 2, 1, 1), confidence=none, spread=none.clone(),
                        mass=torch.zeros(len(matches.sims), h, w, device=device),
                        presence=presence, admitted=admitted, region=region, gated=gated,
                        rejected=tuple(rejected))
    ab, confidence, spread, mass = _transfer_live(matches, live, admitted, region, cloth_kind,
                                                  config)
    for k in live:  # the lightness test (_narrow_cloth) can still leave a cloth nothing
        if cloth_kind[k] and float(region[k].max()) <= 0:
            presence[k] = 0.0
            rejected[k] = ("cloth lightness: no found cloth cell has the L* of a color of "
                           "this design")
    return Transfer(ab=ab, confidence=confidence, spread=spread, mass=mass, presence=presence,
                    admitted=admitted, region=region, gated=gated, rejected=tuple(rejected))


def _transfer_live(matches: CellMatches, live: list[int], admitted: torch.Tensor,
                   region: torch.Tensor, cloth_kind: list[bool], config: TransferConfig
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The exemplars in `live` (admitted, with somewhere to go) matched onto the photo:
    (1, 2, h, w) a*b*, (1, 1, h, w) confidence and spread, (K, h, w) match mass. Narrows a
    cloth exemplar's `region` (in place) to the cells whose L* fits what they matched."""
    h, w = matches.shape
    forward = _forward(matches, live, admitted, region, cloth_kind, config)
    palette = torch.cat([matches.colors[k] for k in live], dim=0)
    ab = forward @ palette  # (Np, 2)
    if any(cloth_kind[k] for k in live):
        _narrow_cloth(matches, live, forward, region, cloth_kind, config)
    spread = (forward @ palette.square()).sum(1) - ab.square().sum(1)
    mass, round_trip = _round_trip(matches, live, forward, cloth_kind, config)
    confidence = (round_trip / config.full_confidence).clamp(0, 1) * _similar(
        matches, live, cloth_kind, config)
    return (ab.T.reshape(1, 2, h, w), confidence.reshape(1, 1, h, w),
            (spread.clamp_min(0).sqrt() / SPREAD_SCALE).clamp(0, 1).reshape(1, 1, h, w), mass)


def _forward(matches: CellMatches, live: list[int], admitted: torch.Tensor, region: torch.Tensor,
             cloth_kind: list[bool], config: TransferConfig) -> torch.Tensor:
    """(Np, sum of the live Ne_k) each photo cell's softmax over the live exemplars' cells."""
    # A partly admitted exemplar weighs less in the softmax (log-weight), so the cells'
    # matches go to the exemplars that are surely there; a cloth exemplar takes no match
    # outside the finder's cloth (its region), leaving those cells to the others.
    log_admitted = admitted.log()
    log_region = region.clamp_min(1e-6).log().flatten(1)  # (K, Np)
    return torch.softmax(torch.cat([matches.sims[k] / config.temperature + log_admitted[k]
                                    + (log_region[k][:, None] if cloth_kind[k] else 0.0)
                                    for k in live], dim=1), dim=1)


def _narrow_cloth(matches: CellMatches, live: list[int], forward: torch.Tensor,
                  region: torch.Tensor, cloth_kind: list[bool], config: TransferConfig) -> None:
    """Scale the cloth exemplars' `region` (in place) by how well each cell's L* fits the L*
    of what it matched: a large gap says the cloth is another flag's (no color of that
    lightness in the exemplar)."""
    h, w = matches.shape
    matched_l = forward @ torch.cat([matches.lightness[k] for k in live])
    gap = (matches.photo_l - matched_l).abs()
    span = config.cloth_lightness_zero - config.cloth_lightness_full
    fits = ((config.cloth_lightness_zero - gap) / span).clamp(0, 1).reshape(h, w)
    for k in live:
        if cloth_kind[k]:
            region[k] = region[k] * fits


def _round_trip(matches: CellMatches, live: list[int], forward: torch.Tensor,
                cloth_kind: list[bool], config: TransferConfig
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """(K, h, w) each exemplar's share of the cells' matches, and (Np,) the round-trip mass:
    how much of a cell's match comes from exemplar cells whose own best matches land near it."""
    h, w = matches.shape
    device = forward.device
    masses = [torch.zeros(h, w, device=device) for _ in matches.sims]
    round_trip = torch.zeros(h * w, device=device)
    start = 0
    win = config.window
    for k in live:
        n = matches.sims[k].shape[1]
        part = forward[:, start:start + n]
        masses[k] = part.sum(1).reshape(h, w)
        start += n
        if cloth_kind[k]:
            continue  # the finder's evidence, not the round trip, admits a cloth exemplar
        # Where each exemplar cell's own best matches lie in the photo, summed over a window:
        # (Ne, h, w) -> the mass landing near each photo cell.
        back = torch.softmax(matches.sims[k] / config.temperature, dim=0).T.reshape(n, 1, h, w)
        near = F.avg_pool2d(back, win, 1, win // 2, count_include_pad=False) * (win * win)
        round_trip += (part * near.reshape(n, h * w).T).sum(1)
    return torch.stack(masses), round_trip


def _similar(matches: CellMatches, live: list[int], cloth_kind: list[bool],
             config: TransferConfig) -> torch.Tensor:
    """(Np,) the similarity test: the best texture similarity of each cell among the live
    gated (non-cloth) exemplars, 0 below `min_similarity`, 1 above `full_similarity`. Only
    live ones: an exemplar that was not admitted (not found in the photo) must have no
    effect through any path (it used to raise the confidence of the user's own matches)."""
    span = config.full_similarity - config.min_similarity
    checked = [matches.gates[k] for k in live if not cloth_kind[k]]
    if not checked:
        h, w = matches.shape
        return torch.zeros(h * w, device=matches.photo_l.device)
    best = torch.cat(checked, dim=1).max(dim=1).values
    return ((best - config.min_similarity) / span).clamp(0, 1)
