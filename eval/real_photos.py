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

import argparse
import csv
import io
import json
import logging
import platform
import re
import shlex
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont
from skimage.color import deltaE_ciede2000

from colorizer.errors import ChronochromeError
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import load_image
from eval import metrics
from eval.report import SHARED_DATASETS, luminance_input, positive_int, rounded

log = logging.getLogger("chronochrome.eval.real_photos")

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "eval" / "results" / "real"
CONDITIONS = ("none", "right", "wrong")

# Falsely vivid: the output is vivid where the photo is (nearly) neutral.
VIVID_CHROMA = 40.0  # output C* at or above this is vivid
DULL_TRUTH_CHROMA = 20.0  # truth C* below this is dull
# Falsely red: the output is strongly red/orange where the photo is not. The range covers
# magenta-reds through orange (CIELAB hue of sRGB red is ~40 degrees, orange ~60-70): the
# colors a wrong era or place cue tends to paint onto roofs, faces and flags.
RED_HUE_RANGE = (-20.0, 60.0)  # degrees of h_ab, closed, wrapping through 0
RED_CHROMA = 30.0  # output C* at or above this (and red hue) is strongly red
NOT_RED_TRUTH_CHROMA = 15.0  # truth C* below this counts as not red, whatever its hue
WORSE_MARGIN = 0.5  # a hint "hurts" a photo when its ΔE00 exceeds no hint's by more than this

# The BOPB photos have no place or era in the manifest. Their `note` column's visual guesses,
# turned into hints by the manifest rule (place when named, first year of the guessed era):
BOPB_RIGHT_HINTS: dict[str, str | None] = {
    "bopb__old_a.png": "1970",  # colour print, "looks 1970s-1980s"; no place named
    "bopb__old_b.png": "1907",  # "autochrome, ca. 1907-1930s"; no place named
    "bopb__old_c.png": "Japan 1870",  # "Meiji-era Japanese albumen print, ca. 1870s-1890s"
    "bopb__old_d.png": "Paris 1910",  # "Moulin Rouge (sign readable), Paris; ca. 1910s"
    "bopb__old_e.png": "1910",  # "autochrome, ca. 1910s"; no place named
    "bopb__old_f.png": "Hong Kong 1980",  # "Hong Kong-like harbour; colour print, ca. 1980s"
    "bopb__old_g.png": "1910",  # "autochrome, ca. 1910s"; no place named
    "bopb__old_h.png": "1906",  # "resembles A. L. Coburn's 1906 autochrome"; no place named
}
PG_RIGHT_HINT = "Russian Empire 1910"  # the plates: Russian Empire, 1905-1915

SUBSET_TITLES = {
    "all": "all photos",
    "bopb-old": "BOPB old photos",
    "slides-photo": "Soviet slides, content=photo",
    "slides-text": "Soviet slides, content=photo_with_text",
    "plates": "Prokudin-Gorsky plates",
}
CONDITION_TITLES = {"none": "no hint", "right": "right hint", "wrong": "wrong hint"}

THUMB_HEIGHT = 150
ROWS_PER_PAGE = 15
MAX_SHEET_BYTES = 2_000_000
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


# --- datasets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealPhoto:
    """One ground-truth photo and the hints each condition gives it."""

    file: str
    path: Path
    subset: str  # see SUBSET_TITLES
    right_hint: str | None  # None: no right hint is known (the condition is n/a)
    wrong_hint: str

    def hint(self, condition: str) -> str | None:
        """The hint of `condition` (`none` -> None); raises for an n/a right hint."""
        if condition == "none":
            return None
        if condition == "right":
            if self.right_hint is None:
                raise ValueError(f"{self.file} has no right hint")
            return self.right_hint
        if condition == "wrong":
            return self.wrong_hint
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")

    def applies(self, condition: str) -> bool:
        return condition != "right" or self.right_hint is not None


def manifest_hint(row: Mapping[str, str]) -> str | None:
    """The archivist's hint from a manifest row: English place without its parenthesised
    details, then the first 4-digit year of the era; None when the row names neither (the
    same rule as ../shared/hooks/real_check.py)."""
    place = re.sub(r"\s*\(.*?\)", "", row.get("place_en") or "").strip()
    years = re.findall(r"1[89]\d\d", row.get("era") or "")
    return " ".join(part for part in (place, years[0] if years else "") if part) or None


def right_hint(row: Mapping[str, str]) -> str | None:
    """The manifest's hint, or for a BOPB photo (no place, no era) its note's visual guess."""
    return manifest_hint(row) or BOPB_RIGHT_HINTS.get(row["file"])


def wrong_hint(file: str) -> str:
    """A plausible but wrong place and era: America for Soviet and Tsarist photos, else USSR."""
    return "USA 1950" if file.startswith(("sokirko", "pg_")) else "USSR 1950"


def real_color_dev_subset(row: Mapping[str, str]) -> str:
    if row.get("set") == "bopb-old":
        return "bopb-old"
    return "slides-text" if row.get("content") == "photo_with_text" else "slides-photo"


def read_manifest(root: Path) -> list[dict[str, str]]:
    """Rows of `root/manifest.csv`, in its order (so --limit is reproducible)."""
    path = root / "manifest.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is absent (the datasets live in ../shared/datasets)")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_real_color_dev(root: Path) -> list[RealPhoto]:
    """The 57 old color photos: 8 BOPB photos and 49 Soviet slide title frames."""
    return [RealPhoto(r["file"], root / r["file"], real_color_dev_subset(r), right_hint(r),
                      wrong_hint(r["file"])) for r in read_manifest(root)]


def load_prokudin_gorsky(root: Path) -> list[RealPhoto]:
    """The 54 Prokudin-Gorsky plates; every one gets the era's "Russian Empire 1910"."""
    return [RealPhoto(r["file"], root / r["file"], "plates", PG_RIGHT_HINT, wrong_hint(r["file"]))
            for r in read_manifest(root)]


DATASETS: dict[str, Callable[[Path], list[RealPhoto]]] = {
    "real-color-dev": load_real_color_dev,
    "prokudin-gorsky": load_prokudin_gorsky,
}


# --- pixel statistics ----------------------------------------------------------------------


def chroma_and_hue(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C* and the hue angle h_ab in degrees [0, 360) of an (H, W, 3) Lab image."""
    a, b = lab[..., 1], lab[..., 2]
    return np.hypot(a, b), np.degrees(np.arctan2(b, a)) % 360.0


def in_red_range(hue: np.ndarray) -> np.ndarray:
    """Whether each hue angle lies in RED_HUE_RANGE (which wraps through 0 degrees)."""
    lo, hi = RED_HUE_RANGE
    return (hue - lo) % 360.0 <= hi - lo


def falsely_vivid_share(pred_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    """Share of pixels vivid in the output (C* >= 40) where the photo is dull (C* < 20):
    invented color, the failure a viewer notices first on an old photo."""
    pred_c, _ = chroma_and_hue(pred_lab)
    truth_c, _ = chroma_and_hue(truth_lab)
    return float(np.mean((pred_c >= VIVID_CHROMA) & (truth_c < DULL_TRUTH_CHROMA)))


def falsely_red_share(pred_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    """Share of pixels strongly red/orange in the output where the photo is not red (dull,
    or another hue): the red patches that era and flag cues can paint."""
    pred_c, pred_h = chroma_and_hue(pred_lab)
    truth_c, truth_h = chroma_and_hue(truth_lab)
    pred_red = (pred_c >= RED_CHROMA) & in_red_range(pred_h)
    truth_red = (truth_c >= NOT_RED_TRUTH_CHROMA) & in_red_range(truth_h)
    return float(np.mean(pred_red & ~truth_red))


def context_effect(hinted_lab: np.ndarray, plain_lab: np.ndarray,
                   region: np.ndarray | None) -> tuple[float, float | None]:
    """Mean CIEDE2000 between a hinted and the no-hint output: overall, and over the pixels
    outside the context region (region < 0.5; None without a region or outside pixels). A hint
    should recolor what it is about, not the whole photo."""
    diff = deltaE_ciede2000(plain_lab, hinted_lab, channel_axis=-1)
    overall = float(diff.mean())
    if region is None:
        return overall, None
    outside = region_at(region, diff.shape) < 0.5
    return overall, float(diff[outside].mean()) if outside.any() else None


def region_at(region: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A context region map as an (H, W) float array of the photo's size (resized if not)."""
    arr = np.asarray(region, dtype=np.float32)
    if arr.shape == tuple(shape[:2]):
        return arr
    resized = Image.fromarray(arr, "F").resize((shape[1], shape[0]), Image.BILINEAR)
    return np.asarray(resized, dtype=np.float32)


# --- scoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionScore:
    """What one condition's output scored on one photo."""

    condition: str
    hint: str | None
    ciede2000: float
    colorfulness: float
    colorfulness_ratio: float | None  # / the truth's; None for a colorless truth
    falsely_vivid: float  # share of pixels, 0-1
    falsely_red: float  # share of pixels, 0-1
    mean_a: float
    mean_b: float
    context_effect: float | None  # ΔE00 to the no-hint output; None for `none` itself
    context_effect_outside: float | None  # ... outside the context region, when reported
    seconds: float


@dataclass(frozen=True)
class PhotoScore:
    """One photo's truth figures and its scores under each condition that applies."""

    file: str
    subset: str
    width: int
    height: int
    gray_ciede2000: float  # the gray input against the truth: the bar to beat
    truth_colorfulness: float
    truth_mean_a: float
    truth_mean_b: float
    conditions: tuple[ConditionScore, ...]
    not_applicable: tuple[str, ...] = ()  # conditions skipped (a right hint nobody knows)

    def get(self, condition: str) -> ConditionScore | None:
        return next((c for c in self.conditions if c.condition == condition), None)


@dataclass(frozen=True)
class Truth:
    """A photo loaded once, with what every condition compares against."""

    rgb: np.ndarray  # (H, W, 3) float64 sRGB
    lab: np.ndarray
    gray: Image.Image  # the pipeline's input: L* as 8-bit gray
    gray_ciede2000: float
    colorfulness: float


def load_truth(path: Path) -> Truth:
    """Load a photo and derive its gray input (report.luminance_input, the eval protocol)."""
    rgb = load_image(path).rgb.astype(np.float64)
    lab = metrics.lab_of(rgb)
    gray = luminance_input(rgb)
    gray_rgb = np.repeat(np.asarray(gray, dtype=np.float64)[..., None] / 255.0, 3, axis=2)
    return Truth(rgb, lab, gray, metrics.mean_ciede2000(gray_rgb, rgb, truth_lab=lab),
                 metrics.colorfulness(rgb))


def score_output(condition: str, hint: str | None, out: np.ndarray, out_lab: np.ndarray,
                 truth: Truth, plain_lab: np.ndarray | None, region: Any,
                 seconds: float) -> ConditionScore:
    """Figures of one output (`plain_lab`: the no-hint output's Lab, for the context effect)."""
    cf = metrics.colorfulness(out)
    effect, outside = (None, None)
    if condition != "none" and plain_lab is not None:
        effect, outside = context_effect(out_lab, plain_lab, region)
    return ConditionScore(
        condition=condition, hint=hint,
        ciede2000=metrics.mean_ciede2000(out, truth.rgb, pred_lab=out_lab, truth_lab=truth.lab),
        colorfulness=cf,
        colorfulness_ratio=cf / truth.colorfulness if truth.colorfulness > 1e-9 else None,
        falsely_vivid=falsely_vivid_share(out_lab, truth.lab),
        falsely_red=falsely_red_share(out_lab, truth.lab),
        mean_a=float(out_lab[..., 1].mean()), mean_b=float(out_lab[..., 2].mean()),
        context_effect=effect, context_effect_outside=outside, seconds=seconds)


PhotoCallback = Callable[[RealPhoto, PhotoScore, dict[str, Image.Image]], None]


def score_photo(pipe: ColorizationPipeline, photo: RealPhoto,
                conditions: Sequence[str] = CONDITIONS
                ) -> tuple[PhotoScore, dict[str, Image.Image]]:
    """Colorize one photo under each condition; returns its score and the images (truth, gray
    and one output per condition run) for contact sheets."""
    truth = load_truth(photo.path)
    images = {"truth": Image.fromarray(np.round(truth.rgb * 255).astype(np.uint8), "RGB"),
              "gray": truth.gray}
    # `none` first: the hinted outputs are compared with it.
    ordered = sorted(conditions, key=lambda c: c != "none")
    plain_lab, scores = None, {}
    for condition in ordered:
        if not photo.applies(condition):
            continue
        hint = photo.hint(condition)
        start = time.perf_counter()
        result = pipe(truth.gray, hints=hint)
        seconds = time.perf_counter() - start
        out = np.asarray(result.image.convert("RGB"), dtype=np.float64) / 255.0
        out_lab = metrics.lab_of(out)
        scores[condition] = score_output(condition, hint, out, out_lab, truth, plain_lab,
                                         getattr(result, "context_region", None), seconds)
        if condition == "none":
            plain_lab = out_lab
        images[condition] = result.image
    height, width = truth.rgb.shape[:2]
    score = PhotoScore(
        file=photo.file, subset=photo.subset, width=width, height=height,
        gray_ciede2000=truth.gray_ciede2000, truth_colorfulness=truth.colorfulness,
        truth_mean_a=float(truth.lab[..., 1].mean()), truth_mean_b=float(truth.lab[..., 2].mean()),
        conditions=tuple(scores[c] for c in conditions if c in scores),
        not_applicable=tuple(c for c in conditions if not photo.applies(c)))
    return score, images


def score_dataset(pipe: ColorizationPipeline, photos: Sequence[RealPhoto],
                  conditions: Sequence[str] = CONDITIONS,
                  on_photo: PhotoCallback | None = None) -> list[PhotoScore]:
    """Score every photo (nothing is written). `on_photo(photo, score, images)` sees each
    photo's images as it is done, e.g. to keep thumbnails, so they are never all in memory."""
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        raise ValueError(f"unknown conditions {sorted(unknown)}; expected some of {CONDITIONS}")
    scores = []
    for index, photo in enumerate(photos, 1):
        score, images = score_photo(pipe, photo, conditions)
        scores.append(score)
        log.info("[%d/%d] %s  ΔE00 gray %.2f | %s", index, len(photos), photo.file,
                 score.gray_ciede2000,
                 " | ".join(f"{c.condition} {c.ciede2000:.2f}" for c in score.conditions))
        if on_photo is not None:
            on_photo(photo, score, images)
    return scores


# --- aggregates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionAggregate:
    """Means over the photos a condition applies to (gray's over the same photos)."""

    count: int
    not_applicable: int
    ciede2000: float | None
    gray_ciede2000: float | None
    ciede2000_vs_gray: float | None  # ΔE00 minus gray's: negative = better than no color
    colorfulness: float | None
    truth_colorfulness: float | None
    colorfulness_pct_of_truth: float | None  # 100 * mean colorfulness / the truth's mean
    colorfulness_ratio: float | None  # mean of per-photo ratios (colorless truths skipped)
    falsely_vivid_pct: float | None
    falsely_red_pct: float | None
    mean_a: float | None
    mean_b: float | None
    truth_mean_a: float | None
    truth_mean_b: float | None
    context_effect: float | None
    context_effect_outside: float | None
    worse_than_none: int | None  # photos where ΔE00 exceeds no hint's by > WORSE_MARGIN
    seconds_per_photo: float | None


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def aggregate_condition(scores: Sequence[PhotoScore], condition: str) -> ConditionAggregate:
    """One condition's means over `scores` (the photos where it applies)."""
    pairs = [(s, s.get(condition)) for s in scores if s.get(condition) is not None]
    runs = [c for _, c in pairs]
    photos = [s for s, _ in pairs]
    ciede, gray = _mean([c.ciede2000 for c in runs]), _mean([s.gray_ciede2000 for s in photos])
    cf, truth_cf = _mean([c.colorfulness for c in runs]), _mean([s.truth_colorfulness
                                                                   for s in photos])
    worse = None
    if condition != "none":
        baseline = [(c, s.get("none")) for s, c in pairs]
        worse = sum(1 for c, plain in baseline
                    if plain is not None and c.ciede2000 - plain.ciede2000 > WORSE_MARGIN)
    return ConditionAggregate(
        count=len(runs),
        not_applicable=sum(1 for s in scores if condition in s.not_applicable),
        ciede2000=ciede, gray_ciede2000=gray,
        ciede2000_vs_gray=None if ciede is None else ciede - gray,
        colorfulness=cf, truth_colorfulness=truth_cf,
        colorfulness_pct_of_truth=(100.0 * cf / truth_cf if cf is not None and truth_cf
                                   else None),
        colorfulness_ratio=_mean([c.colorfulness_ratio for c in runs]),
        falsely_vivid_pct=_pct(_mean([c.falsely_vivid for c in runs])),
        falsely_red_pct=_pct(_mean([c.falsely_red for c in runs])),
        mean_a=_mean([c.mean_a for c in runs]), mean_b=_mean([c.mean_b for c in runs]),
        truth_mean_a=_mean([s.truth_mean_a for s in photos]),
        truth_mean_b=_mean([s.truth_mean_b for s in photos]),
        context_effect=_mean([c.context_effect for c in runs]),
        context_effect_outside=_mean([c.context_effect_outside for c in runs]),
        worse_than_none=worse,
        seconds_per_photo=_mean([c.seconds for c in runs]))


def _pct(share: float | None) -> float | None:
    return None if share is None else 100.0 * share


def aggregate(scores: Sequence[PhotoScore], conditions: Sequence[str] = CONDITIONS
              ) -> dict[str, ConditionAggregate]:
    """Condition -> its means over all of `scores` (for an operating-point search)."""
    return {c: aggregate_condition(scores, c) for c in conditions}


def aggregate_by_subset(scores: Sequence[PhotoScore], conditions: Sequence[str] = CONDITIONS
                        ) -> dict[str, dict[str, ConditionAggregate]]:
    """`all`, then each subset present (in SUBSET_TITLES order) -> condition -> means."""
    present = [s for s in SUBSET_TITLES if s != "all" and any(p.subset == s for p in scores)]
    groups = {"all": list(scores)}
    if len(present) > 1:
        groups.update({name: [p for p in scores if p.subset == name] for name in present})
    return {name: aggregate(group, conditions) for name, group in groups.items()}


# --- contact sheets ------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    """One photo's row: thumbnails (None: condition n/a) and the label under them."""

    label: str
    cells: tuple[Image.Image | None, ...]


SHEET_COLUMNS = ("truth", "gray", "none", "right", "wrong")
SHEET_HEADERS = ("truth", "gray input", "no hint", "right hint", "wrong hint")
PAD = 6
LABEL_HEIGHT = 34
HEADER_HEIGHT = 22


def thumbnail(image: Image.Image, height: int = THUMB_HEIGHT) -> Image.Image:
    """An RGB copy `height` px tall, aspect kept (antialiased)."""
    width = max(1, round(image.width * height / image.height))
    return image.convert("RGB").resize((width, height), Image.LANCZOS)


def sheet_row(photo: RealPhoto, score: PhotoScore, images: Mapping[str, Image.Image],
              height: int = THUMB_HEIGHT) -> SheetRow:
    """The row of one photo: its thumbnails and 'file: ΔE00 per condition' (hints in quotes)."""
    cells = tuple(thumbnail(images[k], height) if k in images else None for k in SHEET_COLUMNS)
    parts = [f"gray {score.gray_ciede2000:.2f}"]
    for name in CONDITIONS:
        run = score.get(name)
        if name in score.not_applicable:
            parts.append(f"{name} n/a")
        elif run is not None:
            hint = f" '{run.hint}'" if run.hint else ""
            parts.append(f"{name}{hint} {run.ciede2000:.2f}")
    return SheetRow(f"{photo.file}\nΔE00  " + "  |  ".join(parts), cells)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT_FILE, size)
    except OSError:
        return ImageFont.load_default()


def render_page(rows: Sequence[SheetRow], title: str, height: int = THUMB_HEIGHT) -> Image.Image:
    """A contact-sheet page: the title, column headers, then per row the thumbnails side by
    side (each column as wide as its widest thumbnail) and the label under them."""
    widths = [max((r.cells[i].width for r in rows if r.cells[i] is not None), default=height)
              for i in range(len(SHEET_COLUMNS))]
    lefts = [PAD + sum(widths[:i]) + PAD * i for i in range(len(widths))]
    font, small = _font(14), _font(12)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    text_w = max([measure.textbbox((0, 0), title, font=font)[2]]
                 + [measure.multiline_textbbox((0, 0), r.label, font=small, spacing=2)[2]
                    for r in rows])
    page_w = max(lefts[-1] + widths[-1], PAD + text_w) + PAD
    page_h = 2 * HEADER_HEIGHT + len(rows) * (height + LABEL_HEIGHT + PAD) + PAD
    page = Image.new("RGB", (page_w, page_h), "white")
    draw = ImageDraw.Draw(page)
    draw.text((PAD, 3), title, fill="black", font=font)
    for left, header in zip(lefts, SHEET_HEADERS):
        draw.text((left, HEADER_HEIGHT + 3), header, fill="black", font=font)
    top = 2 * HEADER_HEIGHT
    for row in rows:
        for left, width, cell in zip(lefts, widths, row.cells):
            if cell is None:
                draw.rectangle([left, top, left + width - 1, top + height - 1], fill="#dddddd")
                draw.text((left + 6, top + height // 2 - 8), "n/a", fill="black", font=font)
            else:
                page.paste(cell, (left, top))
        draw.text((PAD, top + height + 2), row.label, fill="black", font=small, spacing=2)
        top += height + LABEL_HEIGHT + PAD
    return page


def write_sheets(rows: Sequence[SheetRow], out: Path, dataset: str, title: str = "",
                 rows_per_page: int = ROWS_PER_PAGE, height: int = THUMB_HEIGHT) -> list[Path]:
    """`<dataset>-sheet-<k>.png` pages (the dataset's earlier pages removed first). A page
    over MAX_SHEET_BYTES is split in two, so every page stays quick to open and to commit."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f"{dataset}-sheet-*.png"):
        stale.unlink()
    pending = [list(rows[i : i + rows_per_page]) for i in range(0, len(rows), rows_per_page)]
    pages: list[bytes] = []
    while pending:
        chunk = pending.pop(0)
        data = png_bytes(render_page(chunk, title or dataset, height))
        if len(data) > MAX_SHEET_BYTES and len(chunk) > 1:
            pending[:0] = [chunk[: len(chunk) // 2], chunk[len(chunk) // 2 :]]
            continue
        pages.append(data)
    paths = [out / f"{dataset}-sheet-{k}.png" for k in range(1, len(pages) + 1)]
    for path, data in zip(paths, pages):
        path.write_bytes(data)
    return paths


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- reports -------------------------------------------------------------------------------


def photo_record(photo: RealPhoto, score: PhotoScore) -> dict[str, Any]:
    """A per-photo JSON row: truth figures, then one entry per condition (null when n/a)."""
    record = {k: v for k, v in asdict(score).items() if k not in ("conditions", "not_applicable")}
    record["hints"] = {c: (photo.hint(c) if photo.applies(c) else None) for c in CONDITIONS}
    record["conditions"] = {c.condition: {k: v for k, v in asdict(c).items() if k != "condition"}
                            for c in score.conditions}
    for name in score.not_applicable:
        record["conditions"][name] = None
    return record


def build_report(dataset: str, root: Path, photos: Sequence[RealPhoto],
                 scores: Sequence[PhotoScore], run: Mapping[str, Any],
                 conditions: Sequence[str] = CONDITIONS) -> dict[str, Any]:
    """The JSON document: run settings, aggregates per subset and condition, per-photo rows."""
    by_file = {p.file: p for p in photos}
    aggregates = aggregate_by_subset(scores, conditions)
    return rounded({
        "schema": 1,
        "dataset": {"name": dataset, "path": str(root), "count": len(scores),
                    "files": [s.file for s in scores]},
        **run,
        "protocol": protocol(dataset),
        "not_applicable": {c: [s.file for s in scores if c in s.not_applicable]
                           for c in conditions},
        "aggregates": {subset: {c: asdict(agg) for c, agg in per.items()}
                       for subset, per in aggregates.items()},
        "photos": [photo_record(by_file[s.file], s) for s in scores],
    })


def protocol(dataset: str) -> dict[str, Any]:
    """The benchmark's fixed choices, stored with every report."""
    hints = ({"right": "manifest: place_en without parentheses + first year of era; BOPB: "
                       "bopb_right_hints", "wrong": "USA 1950 for sokirko slides, else USSR 1950",
              "bopb_right_hints": BOPB_RIGHT_HINTS}
             if dataset == "real-color-dev" else {"right": PG_RIGHT_HINT, "wrong": "USA 1950"})
    return {"input": "truth L* (CIELAB, D65) as an 8-bit gray PIL 'L' image, no caption",
            "hints": hints,
            "falsely_vivid": f"output C* >= {VIVID_CHROMA} where truth C* < {DULL_TRUTH_CHROMA}",
            "falsely_red": (f"output C* >= {RED_CHROMA} and h_ab in {list(RED_HUE_RANGE)} deg, "
                            f"where truth C* < {NOT_RED_TRUTH_CHROMA} or truth h_ab outside"),
            "worse_than_none_margin": WORSE_MARGIN,
            "colorfulness": "Hasler-Suesstrunk; % of truth = mean output / mean truth",
            "context_effect": "mean ΔE00 hinted output vs no-hint output; outside = where "
                              "result.context_region < 0.5 (null when the result has none)"}


AGG_COLUMNS = (  # (key, header, format)
    ("count", "n", "{}"),
    ("ciede2000", "ΔE00 ↓", "{:.2f}"),
    ("gray_ciede2000", "gray ΔE00", "{:.2f}"),
    ("ciede2000_vs_gray", "vs gray", "{:+.2f}"),
    ("colorfulness_pct_of_truth", "CF % of truth", "{:.0f}"),
    ("falsely_vivid_pct", "falsely vivid %", "{:.2f}"),
    ("falsely_red_pct", "falsely red %", "{:.2f}"),
    ("mean_a", "a* out", "{:+.1f}"),
    ("truth_mean_a", "a* truth", "{:+.1f}"),
    ("mean_b", "b* out", "{:+.1f}"),
    ("truth_mean_b", "b* truth", "{:+.1f}"),
    ("context_effect", "context effect ΔE00", "{:.2f}"),
    ("context_effect_outside", "… outside region", "{:.2f}"),
    ("worse_than_none", f"worse than none (>{WORSE_MARGIN})", "{}"),
)


def _cell(value: Any, fmt: str) -> str:
    return "—" if value is None else fmt.format(value)


def aggregate_table(per_condition: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["| condition | " + " | ".join(h for _, h, _ in AGG_COLUMNS) + " |",
             "|---|" + "---:|" * len(AGG_COLUMNS)]
    for condition, agg in per_condition.items():
        cells = [_cell(agg.get(k), fmt) for k, _, fmt in AGG_COLUMNS]
        lines.append(f"| {CONDITION_TITLES.get(condition, condition)} | " + " | ".join(cells)
                     + " |")
    return lines


def _run_cell(runs: Mapping[str, Any], name: str, key: str, fmt: str,
              scale: float = 1.0) -> str:
    """One condition's figure in the per-photo table: n/a when the condition does not apply."""
    if name not in runs:
        return "—"
    if runs[name] is None:
        return "n/a"
    value = runs[name][key]
    return "—" if value is None else fmt.format(value * scale)


def per_photo_table(report: Mapping[str, Any]) -> list[str]:
    conditions = list(next(iter(report["aggregates"].values())))
    hinted = [c for c in conditions if c != "none"]
    groups = (("ΔE00", "ciede2000", "{:.2f}", 1.0, conditions),
              ("CF %", "colorfulness_ratio", "{:.0f}", 100.0, conditions),
              ("vivid %", "falsely_vivid", "{:.2f}", 100.0, conditions),
              ("red %", "falsely_red", "{:.2f}", 100.0, conditions),
              ("ctx", "context_effect", "{:.2f}", 1.0, hinted))
    heads = ["file", "subset", "right hint", "gray ΔE00"]
    heads += [f"{title} {c}" for title, _, _, _, conds in groups for c in conds]
    lines = ["| " + " | ".join(heads) + " |", "|---|---|---|" + "---:|" * (len(heads) - 3)]
    for row in report["photos"]:
        cells = [f"`{row['file']}`", row["subset"], row["hints"].get("right") or "n/a",
                 f"{row['gray_ciede2000']:.2f}"]
        cells += [_run_cell(row["conditions"], c, key, fmt, scale)
                  for _, key, fmt, scale, conds in groups for c in conds]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _header(report: Mapping[str, Any]) -> list[str]:
    """Title, provenance and the definitions behind the columns."""
    data, model = report["dataset"], report["model"]
    provenance = (f"Weights `{model['name']}` {model['version']} (sha256 "
                  f"`{model['sha256'][:16]}…`); `{report['command']}`, finished "
                  f"{report['finished_at']} in {report['wall_seconds']:.0f} s. Settings: "
                  f"`{json.dumps(report['settings'])}`.")
    lo, hi = RED_HUE_RANGE
    definitions = (
        "Input: the photo's L* as an 8-bit gray image, no caption. Conditions: no hint; the "
        "right hint (place and era from the manifest); a wrong hint (another country, 1950). "
        "ΔE00: mean CIEDE2000 against the photo (gray: the gray input's; vs gray: the "
        "difference, negative = better than leaving it gray). CF % of truth: mean "
        "colorfulness over the truth's. Falsely vivid: % of pixels with output C* ≥ "
        f"{VIVID_CHROMA:.0f} where the truth has C* < {DULL_TRUTH_CHROMA:.0f}. Falsely red: % "
        f"with output C* ≥ {RED_CHROMA:.0f} and hue {lo:.0f}..{hi:.0f}° where the truth is not "
        f"red (C* < {NOT_RED_TRUTH_CHROMA:.0f} or another hue). a*/b*: mean over pixels and "
        "photos (the overall balance). Context effect: mean ΔE00 between the hinted and the "
        "no-hint output; outside region: where the result's context_region < 0.5 (— when "
        f"results carry none). Worse than none: photos whose ΔE00 exceeds no hint's by more "
        f"than {WORSE_MARGIN}.")
    return [f"# Real-photo benchmark: {data['name']} ({data['count']} photos)", "",
            provenance, "", definitions, ""]


def markdown_report(report: Mapping[str, Any]) -> str:
    """Aggregate tables (all photos, then each subset), notes, then the per-photo table."""
    lines = _header(report)
    for subset, per in report["aggregates"].items():
        count = max(agg["count"] + agg["not_applicable"] for agg in per.values())
        lines += [f"## {SUBSET_TITLES.get(subset, subset)} ({count})", ""]
        lines += aggregate_table(per) + [""]
    missing = report["not_applicable"].get("right") or []
    lines.append("Right hint n/a (no place or era known; left out of the right-hint figures): "
                 + (", ".join(f"`{f}`" for f in missing) if missing else "none") + ".")
    hints = report["protocol"]["hints"].get("bopb_right_hints")
    if hints:
        lines += ["", "BOPB right hints, from the manifest note's visual guesses (place when "
                      "named, first year of the guessed era): "
                  + "; ".join(f"`{f}` → {h or 'n/a'}" for f, h in hints.items()) + "."]
    lines += ["", "## Per photo", "",
              ("CF %: colorfulness over the truth's; vivid/red %: falsely vivid/red pixels; "
               "ctx: context effect (ΔE00 to the no-hint output)."), ""]
    lines += per_photo_table(report) + [""]
    return "\n".join(lines)


SUMMARY_COLUMNS = (
    ("count", "n", "{}"),
    ("ciede2000", "ΔE00 ↓", "{:.2f}"),
    ("gray_ciede2000", "gray ΔE00", "{:.2f}"),
    ("colorfulness_pct_of_truth", "CF % of truth", "{:.0f}"),
    ("falsely_vivid_pct", "falsely vivid %", "{:.2f}"),
    ("falsely_red_pct", "falsely red %", "{:.2f}"),
    ("context_effect", "context effect ΔE00", "{:.2f}"),
    ("worse_than_none", f"worse than none (>{WORSE_MARGIN})", "{}"),
)


def summary_markdown(reports: Sequence[Mapping[str, Any]]) -> str:
    """The headline table: per dataset and condition, over all its photos."""
    lines = ["# Real-photo benchmark: summary", "",
             "| dataset | condition | " + " | ".join(h for _, h, _ in SUMMARY_COLUMNS) + " |",
             "|---|---|" + "---:|" * len(SUMMARY_COLUMNS)]
    for report in reports:
        for condition, agg in report["aggregates"]["all"].items():
            cells = [_cell(agg.get(k), fmt) for k, _, fmt in SUMMARY_COLUMNS]
            lines.append(f"| {report['dataset']['name']} | "
                         f"{CONDITION_TITLES.get(condition, condition)} | "
                         + " | ".join(cells) + " |")
    lines.append("")
    for report in reports:
        model = report["model"]
        limit = report["settings"].get("limit")
        lines.append(f"- {report['dataset']['name']}: weights `{model['name']}` "
                     f"{model['version']} (sha256 `{model['sha256'][:16]}…`), "
                     f"{report['finished_at']}, {report['wall_seconds']:.0f} s"
                     + (f", **first {limit} photos only**" if limit else "")
                     + f"; details in `{report['dataset']['name']}.md`.")
    lines += ["", ("ΔE00: mean CIEDE2000 against the photo; gray: the gray input's; falsely "
                   "vivid/red: % of pixels (definitions in each dataset's report); context "
                   "effect: ΔE00 between the hinted and the no-hint output."), ""]
    return "\n".join(lines)


def write_summary(out: Path) -> Path:
    """summary.md from the dataset reports present in `out` (in DATASETS order)."""
    reports = [json.loads((out / f"{name}.json").read_text()) for name in DATASETS
               if (out / f"{name}.json").is_file()]
    path = out / "summary.md"
    path.write_text(summary_markdown(reports))
    return path


# --- command line --------------------------------------------------------------------------


def parse_setting(text: str) -> tuple[str, Any]:
    """argparse type of --set: KEY=VALUE with VALUE as JSON (quote strings: 'k="v"')."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"value of {key} is not JSON: {value!r} ({exc})") from exc


def config_changes(config: Any, settings: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Keyword changes for `pipe.with_config`: `a=1` sets a field, `transfer.size=384` a field
    of a nested settings dataclass (replaced as a whole). Unknown fields are an error."""
    changes: dict[str, Any] = {}
    for key, value in settings:
        head, _, rest = key.partition(".")
        names = {f.name for f in fields(config)}
        if head not in names:
            raise ValueError(f"unknown pipeline setting {head!r}; known: {sorted(names)}")
        if not rest:
            changes[head] = value
            continue
        current = changes.get(head, getattr(config, head))
        if not is_dataclass(current) or rest not in {f.name for f in fields(current)}:
            raise ValueError(f"unknown pipeline setting {key!r}")
        changes[head] = replace(current, **{rest: value})
    return changes


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.real_photos",
                                description=__doc__.split("\n")[0])
    p.add_argument("--dataset", choices=[*DATASETS, "all"], default="all",
                   help="default: %(default)s")
    p.add_argument("--limit", type=positive_int, default=None, help="first N photos only")
    p.add_argument("--out", type=Path, default=OUT_DIR, help="default: eval/results/real")
    p.add_argument("--weights", type=Path, default=None,
                   help="a model folder (default: the embedded weights)")
    p.add_argument("--no-context", dest="context", action="store_false",
                   help="context inference off (hints then reach only exemplar retrieval)")
    p.add_argument("--no-exemplars", dest="exemplars", action="store_false",
                   help="exemplar retrieval off (hints then reach only the context encoder)")
    p.add_argument("--no-sheets", dest="sheets", action="store_false",
                   help="skip the contact sheets")
    p.add_argument("--set", dest="settings", type=parse_setting, action="append", default=[],
                   metavar="KEY=VALUE",
                   help="pipeline setting for pipe.with_config, VALUE as JSON; repeatable "
                        "(e.g. temperature=0.3, transfer.photo_size=384)")
    p.add_argument("--shared", type=Path, default=SHARED_DATASETS,
                   help="the shared datasets folder (default: ../shared/datasets)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--threads", type=positive_int, default=None,
                   help="torch CPU threads (default: torch's choice)")
    return p


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_dataset(name: str, pipe: ColorizationPipeline, args: argparse.Namespace,
                argv: Sequence[str]) -> Path:
    """Score one dataset, write its JSON, markdown and sheets; returns the JSON path."""
    started, clock = _now(), time.perf_counter()
    root = args.shared / name
    photos = DATASETS[name](root)[: args.limit]
    sheet_rows: list[SheetRow] = []

    def keep_thumbnails(photo: RealPhoto, score: PhotoScore,
                        images: dict[str, Image.Image]) -> None:
        if args.sheets:
            sheet_rows.append(sheet_row(photo, score, images))

    scores = score_dataset(pipe, photos, CONDITIONS, keep_thumbnails)
    info = pipe.model_info
    run = {"command": "python -m eval.real_photos " + shlex.join(argv),
           "started_at": started, "finished_at": _now(),
           "wall_seconds": time.perf_counter() - clock,
           "model": info.to_dict(),
           "settings": {"limit": args.limit, "context": args.context,
                        "exemplars": args.exemplars,
                        "device": str(pipe.device), "render_size": pipe.render_size,
                        "overrides": dict(args.settings), "conditions": list(CONDITIONS),
                        "pipeline_config": asdict(pipe.config)},
           "environment": {"python": platform.python_version(), "torch": torch.__version__,
                           "numpy": np.__version__, "machine": platform.machine(),
                           "threads": torch.get_num_threads()}}
    report = build_report(name, root, photos, scores, run)
    args.out.mkdir(parents=True, exist_ok=True)
    json_path = args.out / f"{name}.json"
    json_path.write_text(json.dumps(report, indent=1, allow_nan=False, ensure_ascii=False) + "\n")
    (args.out / f"{name}.md").write_text(markdown_report(report))
    if args.sheets:
        title = (f"{name} · {info.name} {info.version} · under each row: ΔE00 vs truth "
                 "(lower is better)")
        pages = write_sheets(sheet_rows, args.out, name, title)
        log.info("wrote %d contact sheet page(s) for %s", len(pages), name)
    return json_path


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m eval.real_photos`; returns an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)
    names = list(DATASETS) if args.dataset == "all" else [args.dataset]
    available = [n for n in names if (args.shared / n / "manifest.csv").is_file()]
    for name in sorted(set(names) - set(available)):
        print(f"real-photo benchmark: {name} skipped, {args.shared / name} is absent",
              file=sys.stderr)
    if not available:
        return 0
    try:
        pipe = ColorizationPipeline.from_pretrained(args.weights, device=args.device,
                                                    context=args.context,
                                                    exemplars=args.exemplars)
        try:
            pipe = pipe.with_config(**config_changes(pipe.config, args.settings))
        except ValueError as exc:  # an unknown or out-of-range --set
            print(f"error: --set: {exc}", file=sys.stderr)
            return 2
        for name in available:
            log.info("wrote %s", run_dataset(name, pipe, args, argv))
    except (FileNotFoundError, ChronochromeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(write_summary(args.out).read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
