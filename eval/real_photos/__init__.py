"""Real-photo benchmark: old color photographs, their luminance in, three hint conditions.

    python -m eval.real_photos                          # both datasets, default weights
    python -m eval.real_photos --dataset prokudin-gorsky --limit 5 --no-sheets
    python -m eval.real_photos --set temperature=0.3 --set transfer.photo_size=384 --out /tmp/op

The project's primary quality report. Each photo's L* goes in as an 8-bit gray PIL "L" image
(a bare image: no file name, so no caption can leak the place or year) and is colorized three
times: with no hint (`none`), with the hint an archivist would type (`right`: English place
without parentheses + the first year of the era, from the manifest), and with a hint that is
wrong on purpose (`wrong`: "USA 1950" for the Soviet slides and the Prokudin-Gorsky plates,
"USSR 1950" for the others). The truth is the photo itself.

Per photo and condition: mean CIEDE2000 against the truth (and the gray input's), colorfulness
against the truth's, the falsely vivid and falsely red shares (color where the photo has none,
red where it has no red), the mean a*/b* balance, and the context effect (how far a hint moves
the output away from the no-hint output, overall and outside the region where context was
found, when the result reports one). Writes `<out>/<dataset>.json`, `<dataset>.md`, contact
sheets `<dataset>-sheet-<k>.png` and a combined `summary.md`.

Other eval code calls `score_dataset(pipe, photos, conditions)` and `aggregate(scores)`, which
write nothing.
"""

from __future__ import annotations

from eval.common import luminance_input
from eval.real_photos.aggregates import (
    WORSE_MARGIN,
    ConditionAggregate,
    aggregate,
    aggregate_by_subset,
    aggregate_condition,
)
from eval.real_photos.cli import OUT_DIR, build_parser, main, parse_setting
from eval.real_photos.document import build_report, photo_record, protocol
from eval.real_photos.markdown import markdown_report, summary_markdown, write_summary
from eval.real_photos.photos import (
    CONDITIONS,
    DATASETS,
    SUBSET_TITLES,
    RealPhoto,
    load_prokudin_gorsky,
    load_real_color_dev,
    manifest_hint,
    right_hint,
    wrong_hint,
)
from eval.real_photos.pixel_stats import (
    chroma_and_hue,
    context_effect,
    falsely_red_share,
    falsely_vivid_share,
    in_red_range,
    region_at,
)
from eval.real_photos.scoring import (
    ConditionScore,
    PhotoScore,
    Truth,
    load_truth,
    score_dataset,
    score_output,
    score_photo,
)
from eval.real_photos.sheets import (
    HEADER_HEIGHT,
    LABEL_HEIGHT,
    PAD,
    THUMB_HEIGHT,
    SheetRow,
    render_page,
    sheet_row,
    write_sheets,
)

__all__ = [
    "CONDITIONS", "DATASETS", "HEADER_HEIGHT", "LABEL_HEIGHT", "OUT_DIR", "PAD",
    "SUBSET_TITLES", "THUMB_HEIGHT", "WORSE_MARGIN", "ConditionAggregate", "ConditionScore",
    "PhotoScore", "RealPhoto", "SheetRow", "Truth", "aggregate", "aggregate_by_subset",
    "aggregate_condition", "build_parser", "build_report", "chroma_and_hue",
    "context_effect", "falsely_red_share", "falsely_vivid_share", "in_red_range",
    "load_prokudin_gorsky", "load_real_color_dev", "load_truth", "luminance_input", "main",
    "manifest_hint", "markdown_report", "parse_setting", "photo_record", "protocol",
    "region_at", "render_page", "right_hint", "score_dataset", "score_output", "score_photo",
    "sheet_row", "summary_markdown", "write_sheets", "write_summary", "wrong_hint",
]



