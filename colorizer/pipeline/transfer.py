"""What the exemplar transfer (`correspondence.exemplar_transfer`) takes and gives: its
settings, `TransferConfig`, and its result, `Transfer`, which blends itself into the
generator's colors."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


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
    # Retrieved flags and banners with a flag finder (correspondence.py, "cloth"): evidence is
    # the mean cloth probability of the photo's `cloth_top_cells` most cloth-like cells.
    cloth_top_cells: int = 12
    # Rule 36 of eval/operating_point_rules.md: the lowest pair of `flag_finder_gate` within
    # 0.1% of bare val and finder-held-out photos' pixels under three hints, with the cells
    # from 0.3 below (0.96 / 0.98), if real-color-dev keeps its do-no-harm figures there.
    min_cloth_evidence: float = 0.96  # evidence below which a cloth exemplar moves nothing
    full_cloth_evidence: float = 0.98  # ... and above which it transfers fully
    # flag-finder-v5's held-out cell precision / recall: 0.73 / 0.84 at p >= 0.7, 0.86 / 0.70
    # at p >= 0.9.
    # From 0.3 (rule 36 of eval/operating_point_rules.md): at 0.7 the cells of a found flag
    # covered only 25-50% of its cloth on dev flag scenes, and the rest stayed gray.
    min_cloth_cell: float = 0.3  # a cell's cloth probability below which it takes nothing ...
    full_cloth_cell: float = 0.9  # ... and above which it takes the exemplar's color fully
    # A cloth cell whose L* is this far (/100) from the exemplar cells it matched takes less
    # color, none from `cloth_lightness_zero`: the finder finds *any* flag, and a white or
    # pale stripe of another flag (~50 from Soviet red) is not the exemplar's cloth. Red
    # printed dark by orthochromatic film (L* ~10-20 against ~45) stays within the full range.
    cloth_lightness_full: float = 0.35
    cloth_lightness_zero: float = 0.5
    # Cloth identity (cloth_identity.py): each connected piece of found cloth must show the
    # retrieved design's field: the largest share of its pixels within `identity_band` L*
    # units, from `identity_share_zero` (nothing) to `identity_share_full` (fully) of the
    # design's own share, at an L* within `identity_tolerance` (fully; none from twice that)
    # of the field's L* on some film. Off: any cloth the finder finds takes the colors.
    # The ramp 0.8 / 0.9 (rules 30-31): at 0.65 / 0.8 a band of a bicolour beside the
    # Soviet flag passed as its field.
    cloth_identity: bool = True
    identity_band: int = 16
    identity_share_zero: float = 0.8
    identity_share_full: float = 0.9
    identity_tolerance: float = 15.0
    # Only a flag whose design is one field on every film (its own dominant share at least
    # this on each) takes the finder's path; others keep the presence test (rule 35). 0: all.
    cloth_min_field_share: float = 0.6

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
        if not 2 <= self.identity_band <= 100 or self.identity_tolerance <= 0:
            raise ValueError("transfer identity_band must be 2..100 L* units and "
                             "identity_tolerance positive")
        if not 0 <= self.identity_share_zero < self.identity_share_full <= 1:
            raise ValueError("transfer identity shares need 0 <= zero < full <= 1")
        if not 0 <= self.cloth_min_field_share <= 1:
            raise ValueError(f"transfer cloth_min_field_share must be within [0, 1], got "
                             f"{self.cloth_min_field_share}")


@dataclass(frozen=True)
class Transfer:
    """Colors matched from the exemplars, on the photo's stride-8 grid."""

    ab: torch.Tensor  # (1, 2, h, w) transferred a*b*
    confidence: torch.Tensor  # (1, 1, h, w) in [0, 1]
    spread: torch.Tensor  # (1, 1, h, w) in [0, 1]: how much the matched colors disagree
    mass: torch.Tensor  # (K, h, w): share of each cell's match that went to exemplar k
    # (K,): share of exemplar k's colored cells found in the photo; for a cloth exemplar the
    # finder's evidence, 0 when no piece of the cloth shows its design (see `rejected`)
    presence: torch.Tensor
    admitted: torch.Tensor  # (K,) in [0, 1]: how far exemplar k may transfer (1 if trusted)
    # (K, h, w) where exemplar k may put color (a cloth exemplar: the finder's cloth cells;
    # 1 elsewhere) and (K,) whether the round-trip/similarity confidence applies to it (not
    # to a cloth exemplar, whose evidence is the finder's). None: ones and all True.
    region: torch.Tensor | None = None
    gated: torch.Tensor | None = None
    # Per exemplar, why it put color nowhere: the gate that stopped it, with its numbers
    # (None: it was free to; empty: not recorded).
    rejected: tuple[str | None, ...] = ()

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
        weight = resize_cells(self._weight(strengths, torch.ones_like(self.admitted)), size)
        mixed_ab = ab * (1 - weight) + resize_cells(self.ab, size) * weight
        mixed_unc = uncertainty * (1 - weight) + resize_cells(self.spread, size) * weight
        return mixed_ab, mixed_unc, weight

    def applied_by(self, strengths: list[float], which: list[bool],
                   size: torch.Size | tuple[int, int]) -> torch.Tensor:
        """(1, 1, h, w) the blend weight that came from the exemplars marked in `which` (the
        retrieved ones: where the context changed the colors), at `size`."""
        keep = torch.tensor(which, dtype=self.mass.dtype, device=self.mass.device)
        return resize_cells(self._weight(strengths, keep), size)


def resize_cells(x: torch.Tensor, size: torch.Size | tuple[int, int]) -> torch.Tensor:
    """(N, C, h, w) -> (N, C, *size), bilinear; `x` itself when it has that size already."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)
