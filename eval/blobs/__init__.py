"""Isolated saturated color blobs on real black-and-white photos (what users see first).

    python -m eval.blobs                          # 194 historical photos, default pipeline
    python -m eval.blobs --limit 20 --no-sheet    # quick look
    python -m eval.blobs --set chroma_scale=1.2 --out /tmp/blobs-cs12
    python -m eval.blobs --shared DIR             # DIR/historical-bw (or --data-dir FOLDER)

Runs the pipeline on the 194 historical-bw photos and counts isolated saturated color blobs
on each output with the metric of `colorizer/check/blobs.py` (its docstring defines the metric and
says how its constants were chosen).

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

from colorizer.check.blobs import (
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
    "markdown_report", "run", "run_photos", "save_sheet", "score_photo",
]



