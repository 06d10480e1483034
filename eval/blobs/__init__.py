"""Isolated saturated color blobs on real black-and-white photos (what users see first).

    python -m eval.blobs                          # 194 historical photos, default pipeline
    python -m eval.blobs --limit 20 --no-sheet    # quick look
    python -m eval.blobs --set chroma_scale=1.2 --out /tmp/blobs-cs12

The colorizer sometimes paints an isolated, saturated red/orange patch on a gray photo: a
cameraman's cheek, a surgeon's white coat, a cloud. This module counts such patches on its
outputs. Everything is measured on the output's CIELAB (D65, `eval.metrics.lab_of`):

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
worst 20) and `<out>/worst10.png` (gray input and output side by side, isolated blobs
outlined in cyan, file name and score under each).

Python API, for use elsewhere (an operating-point search) without writing files:

    blobs = find_blobs(np.asarray(result.image))     # isolated blobs only
    summary = blob_summary(candidate_blobs(rgb))     # counts, area share, score
    dataset_summary([summary, ...])                  # share of photos with blobs
"""

from __future__ import annotations

from eval.blob_metric import (
    DEFAULT_SETTINGS,
    HUE_FAMILIES,
    MAX_AREA_SHARE,
    MAX_RING_CHROMA,
    MIN_AREA_SHARE,
    OPENING_PX,
    RING_GAP,
    RING_WIDTH,
    SATURATED_CHROMA,
    Blob,
    BlobSettings,
    BlobSummary,
    blob_mask,
    blob_summary,
    candidate_blobs,
    dataset_summary,
    find_blobs,
    hue_family,
    lab_of_output,
)
from eval.blobs.cli import (
    DATASET,
    OUT_DIR,
    SettingError,
    build_parser,
    load_pipeline,
    main,
    parse_set,
    run,
)
from eval.blobs.markdown import markdown_report
from eval.blobs.photos import dataset_files, hue_breakdown, manifest_tones, run_photos, score_photo
from eval.blobs.sheet import OUTLINE, SHEET_THUMB, SheetEntry, contact_sheet, gray_of, save_sheet

__all__ = [
    "DATASET", "DEFAULT_SETTINGS", "HUE_FAMILIES", "MAX_AREA_SHARE", "MAX_RING_CHROMA",
    "MIN_AREA_SHARE", "OPENING_PX", "OUTLINE", "OUT_DIR", "RING_GAP", "RING_WIDTH",
    "SATURATED_CHROMA", "SHEET_THUMB", "Blob", "BlobSettings", "BlobSummary", "SettingError",
    "SheetEntry", "blob_mask", "blob_summary", "build_parser", "candidate_blobs",
    "contact_sheet", "dataset_files", "dataset_summary", "find_blobs", "gray_of",
    "hue_breakdown", "hue_family", "lab_of_output", "load_pipeline", "main", "manifest_tones",
    "markdown_report", "parse_set", "run", "run_photos", "save_sheet", "score_photo",
]



