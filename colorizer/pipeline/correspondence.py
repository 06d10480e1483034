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
                             most cloth-like cells (reported as found_in_photo)
                   lightness a cloth cell far in L* from the exemplar cells it matched is
                             another flag's cloth (a white stripe): it takes less, or none
                   admission (evidence - min_cloth_evidence) / (full - min), clamped to [0, 1]
                   cell      (p - min_cloth_cell) / (full_cloth_cell - min_cloth_cell),
                             clamped: cells the finder doubts take nothing
                 The round trip and similarity gates do not apply there (a real flag's folds
                 and film are not our render's: they failed those gates); the L* penalty
                 still ranks the exemplar's cells against each other, so a red cloth printed
                 dark by orthochromatic film still takes red when red is the exemplar's
                 darkest color. The rule for the thresholds, applied to the finder's own
                 held-out scenes (train-split photos it never saw) and to flag-free
                 validation-split photos (`python -m colorizer.training.train_flag_finder
                 --evaluate`, and the same ~91 photos loaded and rendered at 512 px as the
                 pipeline does), never to eval/flag_scenes: cells from the probability where
                 held-out cell precision reaches ~0.8 (0.7), fully where it reaches ~0.9
                 (0.9); then the lowest evidence pair (no transfer below, full above) whose
                 expected colored share of the flag-free val photos stays <= 0.1% of cells
                 (the control target): 0.995 / 0.998 (0.02%; 0.99 / 0.995 gave 0.15%);
                 there 87% / 82% of held-out scenes with cloth are found.

The pipeline blends `ab = (1 - s*c) * ab_generator + s*c * ab_transferred`, s the strength
(1 by default, for the user's and for retrieved exemplars). Without the presence test every
gate leaked the retrieved flags' colors onto walls and skies of validation photos given
unrelated hints (+0.33 to +1.26 CIEDE2000); with it the leak is 0.000 and the flag scenes on
validation photos go from 38% to 86% right: `eval/results/transfer-tuning.md`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import rgb_to_lab

SPREAD_SCALE = 40.0  # a*b* standard deviation of the matched colors that counts as "unsure"
COLORED_CHROMA = 15.0  # C* from which an exemplar cell counts as colored (not a gray backdrop)


@dataclass(frozen=True)
class TransferConfig:
    """How exemplar colors are matched onto the photo (the gate was chosen on the validation
    split: `python -m eval.tune_transfer`)."""

    size: int = 256  # exemplar long side (px) for matching: 32 x 32 cells at stride 8
    # The photo's long side (px) for matching, whatever the generator's render size (but never
    # past the photo's own size): a flag a fifth of a photo's width is 13 cells wide at 512 px
    # but 8 at 320, too few to find its stripes (held-out flag benchmark: 18/30 flags in their
    # own colors at 320, 23/30 at 512).
    photo_size: int = 512
    temperature: float = 0.03  # softmax temperature over cosine similarities
    luminance_weight: float = 2.0  # similarity lost per unit of |L*_photo - L*_exemplar| / 100
    window: int = 5  # a round trip counts when it lands within this many cells (odd)
    full_confidence: float = 0.1  # round-trip mass at which the transfer fully applies
    min_similarity: float = 0.3  # best similarity below which nothing is transferred ...
    full_similarity: float = 0.4  # ... and above which the similarity test fully passes
    # The similarity test's own L* weight: 0, texture alone. Matching still weighs L* (which
    # stripe), but a shaded fold of a blue stripe is darker than any cell of the exemplar's.
    gate_luminance_weight: float = 0.0
    # Presence of an untrusted (retrieved) exemplar's object in the photo: the share of its
    # colored cells that find a cell in the photo at least `presence_similarity` alike.
    presence_similarity: float = 0.5
    min_presence: float = 0.3  # share below which the exemplar transfers nothing ...
    full_presence: float = 0.4  # ... and above which it transfers fully
    # Retrieved flags and banners with a flag finder (see the module docstring): evidence is
    # the mean cloth probability of the photo's `cloth_top_cells` most cloth-like cells.
    cloth_top_cells: int = 12
    # Chosen on the finder's own held-out scenes and the flag-free val-split photos as the
    # pipeline sees them (module docstring): from 0.995 the finder fires on 2/91 of those
    # photos, from 0.998 on none; 87% and 82% of held-out scenes with cloth pass.
    min_cloth_evidence: float = 0.995  # evidence below which a cloth exemplar moves nothing
    full_cloth_evidence: float = 0.998  # ... and above which it transfers fully
    # Held-out cell precision / recall: 0.80 / 0.81 at p >= 0.7, 0.90 / 0.68 at p >= 0.9.
    min_cloth_cell: float = 0.7  # a cell's cloth probability below which it takes nothing ...
    full_cloth_cell: float = 0.9  # ... and above which it takes the exemplar's color fully
    # A cloth cell whose L* is this far (/100) from the exemplar cells it matched takes less
    # color, none from `cloth_lightness_zero`: the finder finds *any* flag, and a white or
    # pale stripe of another flag (~50 from Soviet red) is not the exemplar's cloth. Red
    # printed dark by orthochromatic film (L* ~10-20 against ~45) stays within the full range.
    cloth_lightness_full: float = 0.35
    cloth_lightness_zero: float = 0.5

    def __post_init__(self) -> None:
        if self.size < 32 or self.photo_size < 32:
            raise ValueError(f"transfer sizes must be at least 32 px, got {self.size} "
                             f"(exemplar) and {self.photo_size} (photo)")
        if self.temperature <= 0 or self.full_confidence <= 0:
            raise ValueError("transfer temperature and full_confidence must be positive")
        if self.window < 1 or self.window % 2 == 0:
            raise ValueError(f"transfer window must be a positive odd number, got {self.window}")
        if self.luminance_weight < 0 or self.gate_luminance_weight < 0:
            raise ValueError("transfer luminance weights must not be negative")
        if self.full_similarity <= self.min_similarity:
            raise ValueError("transfer full_similarity must exceed min_similarity")
        if not 0 <= self.min_presence < self.full_presence <= 1:
            raise ValueError("transfer presence needs 0 <= min_presence < full_presence <= 1")
        if self.cloth_top_cells < 1:
            raise ValueError(f"cloth_top_cells must be positive, got {self.cloth_top_cells}")
        if not 0 <= self.min_cloth_evidence < self.full_cloth_evidence <= 1:
            raise ValueError("transfer cloth evidence needs 0 <= min < full <= 1")
        if not 0 <= self.min_cloth_cell < self.full_cloth_cell <= 1:
            raise ValueError("transfer cloth cells need 0 <= min_cloth_cell < full <= 1")
        if not 0 <= self.cloth_lightness_full < self.cloth_lightness_zero:
            raise ValueError("transfer cloth lightness needs 0 <= full < zero")


@dataclass(frozen=True)
class Transfer:
    """Colors matched from the exemplars, on the photo's stride-8 grid."""

    ab: torch.Tensor  # (1, 2, h, w) transferred a*b*
    confidence: torch.Tensor  # (1, 1, h, w) in [0, 1]
    spread: torch.Tensor  # (1, 1, h, w) in [0, 1]: how much the matched colors disagree
    mass: torch.Tensor  # (K, h, w): share of each cell's match that went to exemplar k
    presence: torch.Tensor  # (K,): share of exemplar k's colored cells found in the photo
    admitted: torch.Tensor  # (K,) in [0, 1]: how far exemplar k may transfer (1 if trusted)
    # (K, h, w) where exemplar k may put color (a cloth exemplar: the finder's cloth cells;
    # 1 elsewhere) and (K,) whether the round-trip/similarity confidence applies to it (not
    # to a cloth exemplar, whose evidence is the finder's). None: ones and all True.
    region: torch.Tensor | None = None
    gated: torch.Tensor | None = None

    def _weight(self, strengths: list[float], keep: torch.Tensor) -> torch.Tensor:
        """(1, 1, h, w) blend weight of the exemplars with `keep` (K,) at the match grid."""
        strength = torch.tensor(strengths, dtype=self.mass.dtype, device=self.mass.device)
        per_k = (keep * strength * self.admitted)[:, None, None] * self.mass
        if self.region is not None:
            per_k = per_k * self.region
        if self.gated is None:
            return self.confidence * per_k.sum(0)[None, None]
        gated = self.gated.to(per_k.dtype)[:, None, None]
        return (self.confidence * (per_k * gated).sum(0)[None, None]
                + (per_k * (1 - gated)).sum(0)[None, None])

    def blend(self, ab: torch.Tensor, uncertainty: torch.Tensor, strengths: list[float]
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Blend into the generator's (ab, uncertainty) at their resolution. `strengths` has one
        entry per exemplar: a cell's weight is its confidence times the strengths (and
        admission) of the exemplars it matched, by match mass. Returns both and the applied
        weight (1, 1, h, w) at the generator's resolution."""
        if len(strengths) != self.mass.shape[0]:
            raise ValueError(f"{len(strengths)} strengths for {self.mass.shape[0]} exemplars")
        size = ab.shape[-2:]
        weight = _resize(self._weight(strengths, torch.ones_like(self.admitted)), size)
        mixed_ab = ab * (1 - weight) + _resize(self.ab, size) * weight
        mixed_unc = uncertainty * (1 - weight) + _resize(self.spread, size) * weight
        return mixed_ab, mixed_unc, weight


    def applied_by(self, strengths: list[float], which: list[bool],
                   size: torch.Size | tuple[int, int]) -> torch.Tensor:
        """(1, 1, h, w) the blend weight that came from the exemplars marked in `which` (the
        retrieved ones: where the context changed the colors), at `size`."""
        keep = torch.tensor(which, dtype=self.mass.dtype, device=self.mass.device)
        return _resize(self._weight(strengths, keep), size)


def _resize(x: torch.Tensor, size: torch.Size | tuple[int, int]) -> torch.Tensor:
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)


def _descriptors(encoder: torch.nn.Module, lightness: torch.Tensor) -> torch.Tensor:
    """(1, 1, H, W) L* -> (1, C, H/8, W/8) unit-length matching descriptors."""
    return _descriptors_of(encoder.lightness_maps(lightness))


def _descriptors_of(maps: dict[int, torch.Tensor]) -> torch.Tensor:
    """The encoder's maps (by stride) -> (1, C, H/8, W/8) unit-length matching descriptors."""
    fine = maps[8]
    coarse = F.interpolate(maps[16], size=fine.shape[-2:], mode="bilinear", align_corners=False)

    def centred(f: torch.Tensor) -> torch.Tensor:
        # Centring per image removes what all cells share (overall exposure, film grain), so
        # the cosine compares what differs between regions.
        return F.normalize(f - f.mean(dim=(2, 3), keepdim=True), dim=1)

    return torch.cat([centred(fine), centred(coarse)], dim=1) / np.sqrt(2.0)


def _exemplar_lab(image: Image.Image, size: int, device: torch.device
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """A PIL image -> (1, 3, h, w) CIELAB with its long side at `size`, aspect kept, and
    (1, 1, h, w) opacity: a rendered flag's alpha marks its cloth (1 everywhere without one)."""
    w, h = image.size
    scale = size / max(w, h)
    shape = (max(32, round(w * scale)), max(32, round(h * scale)))
    rgb = np.asarray(image.convert("RGB").resize(shape, Image.BICUBIC), dtype=np.float32) / 255.0
    lab = rgb_to_lab(torch.from_numpy(rgb).permute(2, 0, 1)[None].to(device))
    if "A" not in image.getbands():
        return lab, torch.ones_like(lab[:, :1])
    alpha = np.asarray(image.getchannel("A").resize(shape, Image.BILINEAR), dtype=np.float32)
    return lab, torch.from_numpy(alpha / 255.0)[None, None].to(device)


@dataclass(frozen=True)
class ExemplarCells:
    """An exemplar's cells that take part in matching (its object's, not a flag's ground)."""

    keys: torch.Tensor  # (C, Ne) unit descriptors
    lightness: torch.Tensor  # (Ne,) L* / 100
    ab: torch.Tensor  # (Ne, 2) mean a*b*


def _exemplar_cells(encoder: torch.nn.Module, image: Image.Image, size: int,
                    device: torch.device) -> ExemplarCells:
    lab, opacity = _exemplar_lab(image, size, device)
    keys = _descriptors(encoder, lab[:, :1])
    cells = keys.shape[-2:]
    # Only cells that are mostly the exemplar's object (not a flag's gray ground).
    keep = F.adaptive_avg_pool2d(opacity, cells).flatten() >= 0.5
    if not bool(keep.any()):
        keep = torch.ones_like(keep)
    return ExemplarCells(
        keys=keys.flatten(2)[0][:, keep],
        lightness=F.adaptive_avg_pool2d(lab[:, :1], cells).flatten()[keep] / 100.0,
        ab=F.adaptive_avg_pool2d(lab[:, 1:], cells).flatten(2)[0].T[keep],
    )


class ExemplarCache:
    """The cells of exemplar images already matched, by content: a batch colorized with one
    hint retrieves the same flags for every photo, and encoding them is a third of the
    transfer's cost when none of them is in the photo. Least recently used entries go first;
    safe to share between threads."""

    def __init__(self, capacity: int = 32):
        if capacity < 1:
            raise ValueError(f"exemplar cache capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._items: OrderedDict[tuple, ExemplarCells] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, image: Image.Image, size: int, device: torch.device,
            compute: Callable[[], ExemplarCells]) -> ExemplarCells:
        key = (hashlib.sha1(image.tobytes()).hexdigest(), image.mode, image.size, size,
               str(device))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        cells = compute()
        with self._lock:
            self._items[key] = cells
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return cells


def _presence(similarity: torch.Tensor, chroma: torch.Tensor, config: TransferConfig
              ) -> torch.Tensor:
    """Share of an exemplar's colored cells whose best match in the photo is at least
    `presence_similarity` alike: `similarity` (Np, Ne), `chroma` (Ne,) C* of its cells."""
    colored = chroma >= COLORED_CHROMA
    if not bool(colored.any()):  # a black-and-white design: every cell counts
        colored = torch.ones_like(colored)
    found = similarity.max(dim=0).values >= config.presence_similarity
    return (found & colored).sum() / colored.sum()


def _admitted(presence: torch.Tensor, config: TransferConfig) -> torch.Tensor:
    span = config.full_presence - config.min_presence
    return ((presence - config.min_presence) / span).clamp(0, 1)


def cloth_evidence(cloth: torch.Tensor, config: TransferConfig) -> torch.Tensor:
    """() the finder's evidence that the photo shows cloth: the mean probability of its
    `cloth_top_cells` most cloth-like cells (one stray cell is not a flag; a flag of 1% of
    the photo covers ~30 cells at the render size)."""
    flat = cloth.flatten()
    return flat.topk(min(config.cloth_top_cells, flat.numel())).values.mean()


def cloth_cells(cloth: torch.Tensor, size: tuple[int, int], config: TransferConfig
                ) -> torch.Tensor:
    """(h, w) weight of each matching cell from the finder's (1, 1, h', w') probability:
    0 below `min_cloth_cell`, 1 above `full_cloth_cell`."""
    prob = _resize(cloth.float(), size)[0, 0]
    span = config.full_cloth_cell - config.min_cloth_cell
    return ((prob - config.min_cloth_cell) / span).clamp(0, 1)


@torch.no_grad()
def exemplar_transfer(encoder: torch.nn.Module, lightness: torch.Tensor,
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
    was_training = encoder.training
    encoder.eval()
    try:
        photo = (_descriptors(encoder, lightness) if photo_maps is None
                 else _descriptors_of(photo_maps))
        h, w = photo.shape[-2:]
        query = photo.flatten(2)[0].T  # (Np, C)
        photo_l = F.adaptive_avg_pool2d(lightness, (h, w)).flatten() / 100.0
        sims, gates, colors, lightness_of = [], [], [], []
        for image in images:
            if cache is None:
                cells = _exemplar_cells(encoder, image, config.size, lightness.device)
            else:
                cells = cache.get(image, config.size, lightness.device,
                                  lambda i=image: _exemplar_cells(encoder, i, config.size,
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

    device = lightness.device
    presence = torch.stack([_presence(sim, ab.norm(dim=1), config)
                            for sim, ab in zip(sims, colors)])
    admitted = torch.where(torch.tensor(trusted, device=presence.device),
                           torch.ones_like(presence), _admitted(presence, config))
    region = torch.ones(len(sims), h, w, device=device)
    if any(cloth_kind):
        evidence = cloth_evidence(cloth.to(device), config)
        span = config.full_cloth_evidence - config.min_cloth_evidence
        cells = cloth_cells(cloth.to(device), (h, w), config)
        for k in (k for k, c in enumerate(cloth_kind) if c):
            presence[k] = evidence
            admitted[k] = ((evidence - config.min_cloth_evidence) / span).clamp(0, 1)
            region[k] = cells
    gated = torch.tensor([not c for c in cloth_kind], device=device)
    masses = [torch.zeros(h, w, device=device) for _ in sims]
    live = [k for k in range(len(sims))
            if float(admitted[k]) > 0 and float(region[k].max()) > 0]
    if not live:
        # No exemplar's object is in the photo: no cell takes a color, and the matching
        # below (most of the cost) is skipped: the common case for an archive's photos.
        none = torch.zeros(1, 1, h, w, device=device)
        return Transfer(ab=none.repeat(1, 2, 1, 1), confidence=none, spread=none.clone(),
                        mass=torch.stack(masses), presence=presence, admitted=admitted,
                        region=region, gated=gated)
    # A partly admitted exemplar weighs less in the softmax (log-weight), so the cells'
    # matches go to the exemplars that are surely there; a cloth exemplar takes no match
    # outside the finder's cloth (its region), leaving those cells to the others.
    log_admitted = admitted.log()
    log_region = region.clamp_min(1e-6).log().flatten(1)  # (K, Np)
    forward = torch.softmax(torch.cat([sims[k] / config.temperature + log_admitted[k]
                                       + (log_region[k][:, None] if cloth_kind[k] else 0.0)
                                       for k in live], dim=1), dim=1)
    palette = torch.cat([colors[k] for k in live], dim=0)
    ab = forward @ palette  # (Np, 2)
    if any(cloth_kind[k] for k in live):
        # The L* of what each cell matched against its own: a large gap says the cloth is
        # another flag's (no color of that lightness in the exemplar).
        matched_l = forward @ torch.cat([lightness_of[k] for k in live])
        gap = (photo_l - matched_l).abs()
        span = config.cloth_lightness_zero - config.cloth_lightness_full
        fits = ((config.cloth_lightness_zero - gap) / span).clamp(0, 1).reshape(h, w)
        for k in live:
            if cloth_kind[k]:
                region[k] = region[k] * fits
    spread = (forward @ palette.square()).sum(1) - ab.square().sum(1)
    round_trip = torch.zeros(h * w, device=device)
    start = 0
    win = config.window
    for k in live:
        n = sims[k].shape[1]
        part = forward[:, start:start + n]
        masses[k] = part.sum(1).reshape(h, w)
        start += n
        if cloth_kind[k]:
            continue  # the finder's evidence, not the round trip, admits a cloth exemplar
        # Where each exemplar cell's own best matches lie in the photo, summed over a window:
        # (Ne, h, w) -> the mass landing near each photo cell.
        back = torch.softmax(sims[k] / config.temperature, dim=0).T.reshape(n, 1, h, w)
        near = F.avg_pool2d(back, win, 1, win // 2, count_include_pad=False) * (win * win)
        round_trip += (part * near.reshape(n, h * w).T).sum(1)
    span = config.full_similarity - config.min_similarity
    checked = [gates[k] for k in range(len(gates)) if not cloth_kind[k]]
    if checked:
        best = torch.cat(checked, dim=1).max(dim=1).values
        similar = ((best - config.min_similarity) / span).clamp(0, 1)
    else:
        similar = torch.zeros(h * w, device=device)
    confidence = (round_trip / config.full_confidence).clamp(0, 1) * similar
    return Transfer(
        ab=ab.T.reshape(1, 2, h, w),
        confidence=confidence.reshape(1, 1, h, w),
        spread=(spread.clamp_min(0).sqrt() / SPREAD_SCALE).clamp(0, 1).reshape(1, 1, h, w),
        mass=torch.stack(masses),
        presence=presence,
        admitted=admitted,
        region=region,
        gated=gated,
    )
