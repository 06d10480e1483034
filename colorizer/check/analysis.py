"""The findings of one check, each from the arrays the checker computed once.

All maps are at the render size (rh, rw) of the model, where the colorization's L*a*b* is
compared with the model's distribution (upsampled from its stride-4 grid) and the flag
finder's cloth probability; boxes are reported in the colorization's own pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.check import knowledge
from colorizer.check.blobs import candidate_blobs, hue_family
from colorizer.check.config import CheckConfig
from colorizer.check.findings import (
    BLOB,
    KNOWLEDGE,
    LIKELIHOOD,
    SKIN,
    FactUse,
    Finding,
    box_of,
)
from colorizer.check.likelihood import color_ratio, not_skin, regions


@dataclass(frozen=True, eq=False)
class Maps:
    """What every finding reads, at the render size."""

    lab: np.ndarray  # (rh, rw, 3) the colorization's L*a*b*
    ratio: np.ndarray  # (rh, rw) likelihood ratio of its colors (likelihood.py)
    skin: np.ndarray  # (rh, rw) the model's probability mass on skin tones
    pool: torch.Tensor  # (Q, h, w) pooled bin probabilities (the model's grid)
    bins: torch.Tensor  # (Q, 2) bin centers
    size: tuple[int, int]  # (width, height) of the colorization
    # (rh, rw, 2) the a*b* our model itself decodes from the gray (no context); None: unknown
    decoded: np.ndarray | None = None

    @property
    def chroma(self) -> np.ndarray:
        return np.hypot(self.lab[..., 1], self.lab[..., 2])


def upsample(values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    tensor = torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))[None, None]
    return F.interpolate(tensor, size=shape, mode="bilinear", align_corners=False)[0, 0].numpy()


def _severity(share: float, strength: float) -> str:
    """high: a large region and strong evidence; low: small or weak; medium between."""
    if share >= 0.02 and strength >= 0.7:
        return "high"
    return "medium" if share >= 0.005 or strength >= 0.7 else "low"


def _model_cells(where: np.ndarray, maps: Maps) -> np.ndarray:
    """A render-size mask on the model's grid (for `color_ratio`)."""
    h, w = maps.pool.shape[-2:]
    return upsample(where.astype(np.float32), (h, w)) >= 0.5


def likelihood_findings(maps: Maps, config: CheckConfig) -> list[Finding]:
    """Saturated regions whose color the model finds very unlikely for what it sees."""
    unlikely = (maps.ratio < config.unlikely_ratio) & (maps.chroma >= config.likely_chroma)
    out = []
    for region in regions(unlikely, config.likely_region):
        share = float(region.mean())
        mean = maps.lab[region].mean(0)
        ratio = float(maps.ratio[region].mean())
        name = knowledge.class_name(int(knowledge.color_classes(mean[None])[0]), tuple(mean))
        out.append(Finding(
            LIKELIHOOD, _severity(share, 1.0 - ratio / config.unlikely_ratio),
            f"A {name} region covering {share:.1%} of the image has a color our model finds "
            f"very unlikely for what the photo shows there (about {ratio:.1%} as likely as "
            "the color it finds most likely).",
            {"mean_likelihood_ratio": round(ratio, 4), "color": knowledge.lab_to_hex(tuple(mean)),
             "threshold": config.unlikely_ratio}, box_of(region, maps.size), share, region))
    return out


def skin_findings(maps: Maps, config: CheckConfig) -> list[Finding]:
    """Where the model sees skin but the colorization gives a color skin never has."""
    wrong = (maps.skin >= config.skin_mass) & not_skin(maps.lab[..., 1:])
    out = []
    for region in regions(wrong, config.skin_region):
        share = float(region.mean())
        mean = maps.lab[region].mean(0)
        mass = float(maps.skin[region].mean())
        name = knowledge.class_name(int(knowledge.color_classes(mean[None])[0]), tuple(mean))
        out.append(Finding(
            SKIN, _severity(share, mass),
            f"A region our model reads as skin ({mass:.0%} of its probability on skin tones) "
            f"is colored {name}, a color skin does not have.",
            {"skin_probability": round(mass, 3), "color": knowledge.lab_to_hex(tuple(mean))},
            box_of(region, maps.size), share, region))
    return out


def blob_findings(maps: Maps, config: CheckConfig) -> list[Finding]:
    """Isolated saturated patches (colorizer.check.blobs) the model finds unlikely too."""
    out = []
    for blob in candidate_blobs(None, lab=maps.lab):
        if not blob.isolated:
            continue
        mask = np.zeros(maps.lab.shape[:2], bool)
        top, left, bottom, right = blob.bbox
        mask[top:bottom, left:right] = blob.mask
        ratio = float(maps.ratio[mask].mean())
        if ratio >= config.blob_ratio or float(maps.lab[mask, 0].mean()) < config.blob_min_l:
            continue  # the model finds it likely enough, or it lies in deep shade
        out.append(Finding(
            BLOB, _severity(blob.area_share * 4, 1.0 - ratio / config.blob_ratio),
            f"An isolated {hue_family(blob.hue)} patch (C* {blob.mean_chroma:.0f}) sits in a "
            f"nearly gray surround (C* {blob.ring_chroma:.0f}); our model finds its color "
            f"unlikely there ({ratio:.1%} as likely as its best).",
            {"mean_chroma": round(blob.mean_chroma, 1), "ring_chroma": round(blob.ring_chroma, 1),
             "hue": round(blob.hue, 1), "likelihood_ratio": round(ratio, 4)},
            box_of(mask, maps.size), blob.area_share, mask))
    return out


@dataclass(frozen=True, eq=False)
class ClothRegion:
    """One connected region of likely cloth, with what the thresholds are compared with."""

    mask: np.ndarray  # (rh, rw) bool
    evidence: float  # the finder's mean cloth probability over it
    documented: float  # documented_likelihood: the model's belief in a main documented color


def cloth_regions(maps: Maps, cloth: np.ndarray | None, facts: Sequence[FactUse],
                  config: CheckConfig) -> list[ClothRegion]:
    """The regions `knowledge_findings` judges (they depend on `cloth_probability` and
    `min_region` only: eval.check's sweep finds them once per photo)."""
    if cloth is None or not facts:
        return []
    colors = _colors(facts)
    return [ClothRegion(region, float(cloth[region].mean()),
                        documented_likelihood(maps, region, colors))
            for region in regions(cloth >= config.cloth_probability, config.min_region)]


def _colors(facts: Sequence[FactUse]) -> list[knowledge.DocumentedColor]:
    return [c for fact in facts for c in knowledge.documented_colors(fact.id, fact.colors)]


def knowledge_findings(maps: Maps, cloth: np.ndarray | None, facts: Sequence[FactUse],
                       config: CheckConfig, found_regions: Sequence[ClothRegion] | None = None
                       ) -> list[Finding]:
    """Cloth regions whose colors the retrieved flags and uniforms contradict.

    A region is compared only when it is likely cloth (mean finder probability at least
    `cloth_evidence`) and when the model, reading the gray alone, finds at least one main
    documented color plausible there (`documented_likelihood` at least `min_documented`).
    A contradicting color must also lie `min_departure` from the colors our model itself
    gives the region from the gray (`departure`; 0, off, by default). Dyed cloth can be any
    color, so on cloth the model, which sees no dye in the gray, keeps some doubt about its
    color; where it rules out every documented color, it is sure of the
    region's own color (blue sky, a green hillside, water: the finder takes such areas for a
    lettered banner where a title is written over a slide) and that is not cloth.
    `found_regions`: `cloth_regions` of the same maps and cloth, when already known."""
    if cloth is None or not facts:
        return []
    colors = _colors(facts)
    if found_regions is None:
        found_regions = cloth_regions(maps, cloth, facts, config)
    out = []
    for found_region in found_regions:
        region = found_region.mask
        if found_region.evidence < config.cloth_evidence:
            continue  # a doubtful region: the finder fires on some walls and skies
        share = float(region.mean())
        found = knowledge.contradictions(maps.lab[region], colors, share, config.min_class,
                                         config.hue_tolerance, config.gray_class,
                                         config.shade_l, config.gray_field)
        found = [c for c in found if departure(maps, region, c) >= config.min_departure]
        if not found:
            continue  # colored as the model reads the gray: no colorist's choice to judge
        if found_region.documented >= config.min_documented:
            out.append(_knowledge_finding(found[0], region, cloth, maps, facts, colors,
                                          found_region.documented))
    return out


def departure(maps: Maps, region: np.ndarray, found: knowledge.Contradiction) -> float:
    """Mean a*b* distance (CIE76) of the contradicting color's pixels from the colors our
    model decodes there from the gray alone; infinite where the model's colors are unknown."""
    if maps.decoded is None or found.members is None:
        return float("inf")
    seen = maps.lab[region][found.members, 1:]
    ours = maps.decoded[region][found.members]
    return float(np.hypot(*(seen - ours).T).mean()) if len(seen) else 0.0


def documented_likelihood(maps: Maps, region: np.ndarray,
                          colors: Sequence[knowledge.DocumentedColor]) -> float:
    """How likely the model finds the most likely main documented color over the region
    (its probability near that a*b* as a share of its best color's; likelihood.py)."""
    cells = _model_cells(region, maps)
    return max((color_ratio(maps.pool, maps.bins, c.lab[1:], cells) for c in colors if c.major),
               default=0.0)


def _knowledge_finding(worst: knowledge.Contradiction, region: np.ndarray, cloth: np.ndarray,
                       maps: Maps, facts: Sequence[FactUse],
                       colors: Sequence[knowledge.DocumentedColor],
                       expected_ratio: float) -> Finding:
    major = [c for c in colors if c.major]
    expected = sorted({c.name for c in major})
    titles = "; ".join(f"{f.title} ({f.era[0]}-{f.era[1]})" for f in facts[:3])
    seen_ratio = float(maps.ratio[region].mean())
    probability = float(cloth[region].mean())
    strength = min(1.0, worst.class_share) * min(1.0, probability / 0.8)
    message = (f"Cloth that looks like a flag, banner or uniform ({worst.region_share:.1%} of "
               f"the image) is {worst.seen_name} over {worst.class_share:.0%} of it, but the "
               f"documented colors of {titles} are {', '.join(expected)}.")
    evidence = {
        "seen_color": knowledge.lab_to_hex(worst.seen_lab), "seen": worst.seen_name,
        "seen_share_of_region": round(worst.class_share, 3),
        "documented": [{"fact": c.fact, "name": c.name, "srgb": c.srgb, "role": c.role}
                       for c in colors],
        "sources": sorted({f.source for f in facts}),
        "cloth_probability": round(probability, 3),
        "model_likelihood_of_seen": round(seen_ratio, 4),
        "model_likelihood_of_documented": round(expected_ratio, 4),
        "departure_from_model": round(min(departure(maps, region, worst), 999.0), 1),
    }
    return Finding(KNOWLEDGE, _severity(worst.region_share, strength), message, evidence,
                   box_of(region, maps.size), worst.region_share, region)
