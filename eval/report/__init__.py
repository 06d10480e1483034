"""Evaluation report: colorize the luminance of color photos and compare with the originals.

    python -m eval.report                          # Prokudin-Gorsky plates, default weights
    python -m eval.report --limit 5 --weights runs/lite0-v1/step_1500
    python -m eval.report --dataset val-split      # held-out split of photos-train
    python -m eval.report --data-dir my/photos     # any folder of color photos

On the Prokudin-Gorsky plates two conditioned rows follow the plain model row: the hint
"Russian Empire 1910" (what an archivist would type), and each plate's own color version,
augmented (another crop, mirrored), given as a user exemplar (`--exemplar`): the upper bound
of what an exemplar can lend. `--hint` and `--own-exemplar` add them on other datasets.

Each photo's L* (as an 8-bit gray image, like a scanned black-and-white print) goes through
the pipeline, and the colorized result is compared with the photo. Rows: a gray baseline
(a* = b* = 0), a sepia baseline (one constant a*b*: the mean of the training photos), and one
row per model. Writes `<out>/latest.json` and `<out>/latest.md` for the default dataset
(`latest-<dataset>.*` for the others) and prints the markdown table.
"""

from __future__ import annotations

from eval.common import (
    REPO,
    RESULTS_DIR,
    SHARED_DATASETS,
    TRAIN_PHOTOS,
    VAL_FRACTION,
    augmented_view,
    luminance_input,
    positive_int,
    rounded,
)
from eval.datasets import (
    DATASETS,
    DEFAULT_DATASET,
    DatasetUnavailableError,
    EvalDataset,
    folder_dataset,
)
from eval.report.cli import build_parser, main, run_report
from eval.report.document import COLUMNS, build_report, markdown_table, merge_history, write_report
from eval.report.rows import Row, baseline_rows, evaluate, model_row, score_image, summarize
from eval.report.sepia import MEAN_AB_CACHE, MEAN_AB_SUBSET, train_mean_ab

__all__ = [
    "COLUMNS", "DATASETS", "DEFAULT_DATASET", "MEAN_AB_CACHE", "MEAN_AB_SUBSET", "REPO",
    "RESULTS_DIR", "SHARED_DATASETS", "TRAIN_PHOTOS", "VAL_FRACTION", "DatasetUnavailableError",
    "EvalDataset", "Row", "augmented_view", "baseline_rows", "build_parser", "build_report",
    "evaluate", "folder_dataset", "luminance_input", "main", "markdown_table", "merge_history",
    "model_row", "positive_int", "rounded", "run_report", "score_image", "summarize",
    "train_mean_ab", "write_report",
]



