"""Isolated saturated color blobs on a colorized photo: the metric (`eval.blobs` runs it over
a data set; `colorizer.check` reports a blob the model also finds unlikely as a finding).

The colorizer sometimes paints an isolated, saturated red/orange patch on a gray photo: a
cameraman's cheek, a surgeon's white coat, a cloud. This module counts such patches on its
outputs. Everything is measured on the output's CIELAB (D65, `lab_of_rgb`):

1. *Saturated* pixel: chroma C* = hypot(a*, b*) >= `SATURATED_CHROMA` (40). On this set
   most output pixels stay below 30, while the colorizer's blobs average C* 50-80.
2. *Candidates*: the saturated mask is opened with a `OPENING_PX` x `OPENING_PX` square (so
   single pixels and 1-2 px lines, JPEG and grain noise, vanish), then split into connected
   components (8-connectivity). A component is a candidate when it covers between
   `MIN_AREA_SHARE` (0.05%) and `MAX_AREA_SHARE` (5%) of the photo: smaller is a speck nobody
   sees, larger is a region (a sky, a lawn, a hillside) and not a patch.
3. *Surround*: the ring of pixels whose distance to the component lies in
   (`RING_GAP`, `RING_GAP` + `RING_WIDTH`] times the photo's short side, i.e. from 1% to 3%.
   The first 1% is skipped on purpose: the colorizer predicts chroma on a coarse grid and
   upsamples it bilinearly, so every patch fades out through a soft halo of its own color;
   measuring right at the edge scores a patch's own halo, not its surround.
4. *Isolated blob*: a candidate whose ring has mean C* below `MAX_RING_CHROMA` (18): a
   saturated island in a low-chroma surround, color that belongs to no region around it.
   A fragment of a legitimately colored region (a lawn cut into pieces by the threshold)
   has a ring of the same color just below the threshold (C* 25-40) and is not isolated.

Per photo: the number of isolated blobs, their total area share, the largest one's mean C*
and hue angle h = atan2(mean b*, mean a*), and a score used to rank the worst photos:

    score = 100 * sum over isolated blobs of area_share * mean_C* / SATURATED_CHROMA

(a blob covering 1% of the photo at exactly C* = 40 scores 1; twice as vivid scores 2). A
photo *has blobs* when it has at least one isolated blob. The metric sees chroma, not
content: it cannot tell a red blob on a coat from a real red scarf, or a patch of blue sky
between clouds from a blue blob; the hue families in the report show which kind dominates.

How the constants were chosen (by looking at the default pipeline's outputs on this set,
candidates drawn with their ring values): with the ring taken right at the edge (no gap),
red patches that anyone calls blobs scored 15-27 because of their halo, too close to lawn
fragments (28-38); with the 1% gap, red patches score mostly 5-20 and lawn and painted
backdrop fragments mostly 20-36 (5th percentile 20), hence 18. Photos are at most 640 px on
the long side here; the ring scales with the short side, the halo with the render size.

Writes `<out>/blobs.json` (settings including the weights' sha256, the constants, one row
per photo, the share of photos with blobs), `<out>/blobs.md` (definition, headline, the

    blobs = find_blobs(np.asarray(result.image))     # isolated blobs only
    summary = blob_summary(candidate_blobs(rgb))     # counts, area share, score
    dataset_summary([summary, ...])                  # share of photos with blobs
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image
from scipy import ndimage as ndi

from colorizer.model.colorspace import rgb_to_lab

SATURATED_CHROMA = 40.0  # C* at or above which a pixel is saturated
OPENING_PX = 3  # side of the square that opens the saturated mask (1 = no opening)
MIN_AREA_SHARE = 0.0005  # a candidate covers at least this share of the photo...
MAX_AREA_SHARE = 0.05  # ... and at most this share (more is a region, not a patch)
RING_GAP = 0.01  # the ring starts this far from the blob (share of the short side)
RING_WIDTH = 0.02  # ... and is this wide (share of the short side)
MAX_RING_CHROMA = 18.0  # isolated: the ring's mean C* is below this


# Hue families (CIELAB hue angle, degrees): red/orange/brown is where the complaints are.
HUE_FAMILIES = (("red/orange", 345.0, 75.0), ("yellow", 75.0, 105.0), ("green", 105.0, 180.0),
                ("blue", 180.0, 315.0), ("purple", 315.0, 345.0))


@dataclass(frozen=True)
class BlobSettings:
    """The metric's constants in one value, so a caller can try others (and record them)."""

    saturated_chroma: float = SATURATED_CHROMA
    opening_px: int = OPENING_PX
    min_area_share: float = MIN_AREA_SHARE
    max_area_share: float = MAX_AREA_SHARE
    ring_gap: float = RING_GAP
    ring_width: float = RING_WIDTH
    max_ring_chroma: float = MAX_RING_CHROMA

    def __post_init__(self) -> None:
        if not 0 < self.min_area_share <= self.max_area_share <= 1:
            raise ValueError("need 0 < min_area_share <= max_area_share <= 1")
        if self.opening_px < 1 or self.ring_gap < 0 or self.ring_width <= 0:
            raise ValueError("need opening_px >= 1, ring_gap >= 0 and ring_width > 0")


DEFAULT_SETTINGS = BlobSettings()
EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)


@dataclass(frozen=True)
class Blob:
    """One candidate (a compact saturated component); `isolated` says whether it is a blob.

    `mask` is the component's pixels inside its bounding box, whose top-left corner in the
    photo is (`top`, `left`); it is left out of comparisons and the repr.
    """

    top: int
    left: int
    area: int  # pixels
    area_share: float  # of the photo
    mean_chroma: float  # mean C* over the blob
    hue: float  # degrees, angle of the blob's mean (a*, b*)
    ring_chroma: float  # mean C* of its surround ring
    isolated: bool
    mask: np.ndarray = field(compare=False, repr=False)

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(top, left, bottom, right), bottom and right exclusive."""
        return self.top, self.left, self.top + self.mask.shape[0], self.left + self.mask.shape[1]

    @property
    def center(self) -> tuple[float, float]:
        """(y, x) centroid in photo pixels."""
        ys, xs = np.nonzero(self.mask)
        return self.top + float(ys.mean()), self.left + float(xs.mean())

    def to_dict(self, shape: tuple[int, int]) -> dict[str, Any]:
        """JSON record; the centre as a share of the photo's height and width (where it sits)."""
        y, x = self.center
        ring = self.ring_chroma if math.isfinite(self.ring_chroma) else None
        return {"area_share": self.area_share, "mean_chroma": self.mean_chroma, "hue": self.hue,
                "hue_family": hue_family(self.hue), "ring_chroma": ring,
                "center_yx": [y / shape[0], x / shape[1]], "bbox": list(self.bbox)}


@dataclass(frozen=True)
class BlobSummary:
    """What one photo's blobs amount to (the per-photo row of the report)."""

    blobs: int  # isolated blobs
    candidates: int  # compact saturated components, isolated or not
    area_share: float  # total area share of the isolated blobs
    score: float  # 100 * sum(area_share * mean C* / saturated_chroma) over isolated blobs
    largest_chroma: float | None  # mean C* of the largest isolated blob
    largest_hue: float | None  # its hue angle, degrees

    @property
    def has_blobs(self) -> bool:
        return self.blobs > 0


def lab_of_rgb(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) float sRGB in [0, 1] -> (H, W, 3) L*a*b* (float64, as eval.metrics.lab_of)."""
    bchw = torch.from_numpy(np.ascontiguousarray(rgb, dtype=np.float64)).permute(2, 0, 1)[None]
    return rgb_to_lab(bchw)[0].permute(1, 2, 0).numpy()


def lab_of_output(output_rgb: np.ndarray | Image.Image) -> np.ndarray:
    """(H, W, 3) L*a*b* of an 8-bit (uint8) or float [0, 1] sRGB image, or a PIL image."""
    rgb = np.asarray(output_rgb.convert("RGB") if isinstance(output_rgb, Image.Image)
                     else output_rgb)
    if rgb.dtype == np.uint8:
        rgb = rgb.astype(np.float64) / 255.0
    return lab_of_rgb(rgb.astype(np.float64))


def saturated_components(chroma: np.ndarray, settings: BlobSettings) -> np.ndarray:
    """Label image (0 = background) of the opened saturated mask, 8-connected."""
    mask = chroma >= settings.saturated_chroma
    if settings.opening_px > 1:
        square = np.ones((settings.opening_px, settings.opening_px), dtype=bool)
        mask = ndi.binary_opening(mask, structure=square)
    labels, _ = ndi.label(mask, structure=EIGHT_CONNECTED)
    return labels


def candidate_blobs(output_rgb: np.ndarray | Image.Image,
                    settings: BlobSettings = DEFAULT_SETTINGS, *,
                    lab: np.ndarray | None = None) -> list[Blob]:
    """Every compact saturated component with its ring chroma and whether it is isolated.

    `lab`: the image's L*a*b* when the caller has it already. Components are listed in
    label order (top to bottom by first pixel).
    """
    lab = lab_of_output(output_rgb) if lab is None else lab
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    height, width = chroma.shape
    labels = saturated_components(chroma, settings)
    short = min(height, width)
    gap = settings.ring_gap * short
    outer = gap + max(1.0, settings.ring_width * short)  # at least a 1 px ring on tiny images
    pad = math.ceil(outer) + 1
    blobs = []
    for index, box in enumerate(ndi.find_objects(labels), 1):
        if box is None:
            continue
        area = int(np.count_nonzero(labels[box] == index))
        share = area / (height * width)
        if not settings.min_area_share <= share <= settings.max_area_share:
            continue
        # Work in the bounding box grown by the ring's reach (clipped by the photo's edge).
        y0, y1 = max(0, box[0].start - pad), min(height, box[0].stop + pad)
        x0, x1 = max(0, box[1].start - pad), min(width, box[1].stop + pad)
        blobs.append(_measure(labels[y0:y1, x0:x1] == index, lab[y0:y1, x0:x1],
                              chroma[y0:y1, x0:x1], (y0, x0), share, gap, outer, settings))
    return blobs


def _measure(mask: np.ndarray, lab: np.ndarray, chroma: np.ndarray, origin: tuple[int, int],
             share: float, gap: float, outer: float, settings: BlobSettings) -> Blob:
    """One candidate's figures, from crops around it (mask, L*a*b*, C*)."""
    distance = ndi.distance_transform_edt(~mask)
    ring = (distance > gap) & (distance <= outer)
    # The photo's edge clips the ring; a component with no ring left at all (possible only
    # with max_area_share near 1) is not isolated: nothing around it is seen to be gray.
    ring_chroma = float(chroma[ring].mean()) if ring.any() else math.inf
    a, b = float(lab[..., 1][mask].mean()), float(lab[..., 2][mask].mean())
    ys, xs = np.nonzero(mask)
    top, left = int(ys.min()), int(xs.min())
    return Blob(top=origin[0] + top, left=origin[1] + left, area=int(mask.sum()),
                area_share=share, mean_chroma=float(chroma[mask].mean()),
                hue=math.degrees(math.atan2(b, a)) % 360.0, ring_chroma=ring_chroma,
                isolated=ring_chroma < settings.max_ring_chroma,
                mask=mask[top:ys.max() + 1, left:xs.max() + 1].copy())


def find_blobs(output_rgb: np.ndarray | Image.Image,
               settings: BlobSettings = DEFAULT_SETTINGS) -> list[Blob]:
    """The isolated saturated blobs of a colorized image (uint8 or [0, 1] float sRGB)."""
    return [blob for blob in candidate_blobs(output_rgb, settings) if blob.isolated]


def blob_summary(blobs: Sequence[Blob], settings: BlobSettings = DEFAULT_SETTINGS) -> BlobSummary:
    """Per-photo figures from `candidate_blobs` (`candidates` counts all of them) or from
    `find_blobs` (then `candidates` equals `blobs`)."""
    isolated = [blob for blob in blobs if blob.isolated]
    largest = max(isolated, key=lambda blob: blob.area, default=None)
    return BlobSummary(
        blobs=len(isolated), candidates=len(blobs),
        area_share=float(sum(blob.area_share for blob in isolated)),
        score=100.0 * sum(blob.area_share * blob.mean_chroma / settings.saturated_chroma
                          for blob in isolated),
        largest_chroma=largest.mean_chroma if largest else None,
        largest_hue=largest.hue if largest else None)


def dataset_summary(summaries: Sequence[BlobSummary]) -> dict[str, Any]:
    """Figures over photos: how many have blobs (the headline), blobs in all, mean score."""
    count = len(summaries)
    with_blobs = sum(summary.has_blobs for summary in summaries)
    return {"photos": count, "photos_with_blobs": with_blobs,
            "share_with_blobs": with_blobs / count if count else 0.0,
            "isolated_blobs": sum(summary.blobs for summary in summaries),
            "mean_score": float(np.mean([s.score for s in summaries])) if count else 0.0,
            "mean_area_share": float(np.mean([s.area_share for s in summaries])) if count else 0.0}


def hue_family(hue: float) -> str:
    """Coarse name of a CIELAB hue angle (see `HUE_FAMILIES`)."""
    for name, lo, hi in HUE_FAMILIES:
        if (lo <= hue < hi) if lo < hi else (hue >= lo or hue < hi):
            return name
    raise ValueError(f"hue {hue} outside [0, 360)")


def blob_mask(shape: tuple[int, int], blobs: Iterable[Blob]) -> np.ndarray:
    """(H, W) bool mask of the given blobs in a photo of `shape`."""
    mask = np.zeros(shape, dtype=bool)
    for blob in blobs:
        top, left, bottom, right = blob.bbox
        mask[top:bottom, left:right] |= blob.mask
    return mask
