"""Colorize each photo from its path, measure its blobs, keep the worst for the sheet."""

from __future__ import annotations

import csv
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from colorizer.check.blobs import (
    HUE_FAMILIES,
    Blob,
    BlobSettings,
    BlobSummary,
    blob_summary,
    candidate_blobs,
    hue_family,
    lab_of_output,
)
from colorizer.errors import ChronochromeError
from colorizer.pipeline.assemble import NEAR_GRAY_CHROMA
from colorizer.pipeline.imageio import iter_image_files

if TYPE_CHECKING:  # annotations only: the pipeline is imported where it is built
    from colorizer.pipeline.colorization import ColorizationPipeline

log = logging.getLogger("chronochrome.eval.blobs")


def dataset_files(folder: Path) -> list[Path]:
    """The photos of `folder` in its manifest.csv order (column `file`), else sorted."""
    manifest = folder / "manifest.csv"
    if manifest.is_file():
        with manifest.open(newline="") as handle:
            return [folder / row["file"] for row in csv.DictReader(handle)]
    return iter_image_files([folder])


def manifest_tones(folder: Path) -> dict[str, str]:
    """file -> tone ("grayscale", "toned (sepia/tinted)"...) where the manifest says."""
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        return {}
    with manifest.open(newline="") as handle:
        return {row["file"]: row.get("tone", "") for row in csv.DictReader(handle)}


@dataclass(frozen=True)
class PhotoResult:
    """One photo's row and what the sheet would need of it."""

    row: dict[str, Any]
    summary: BlobSummary
    output: np.ndarray
    blobs: tuple[Blob, ...]


def score_photo(pipe: ColorizationPipeline, path: Path, settings: BlobSettings,
                tone: str | None) -> PhotoResult:
    """Colorize one photo from its path (as the CLI would: the name is the caption, no hints)."""
    start = time.perf_counter()
    result = pipe(str(path))
    seconds = time.perf_counter() - start
    output = np.asarray(result.image.convert("RGB"))
    lab = lab_of_output(output)
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    candidates = candidate_blobs(output, settings, lab=lab)
    summary = blob_summary(candidates, settings)
    isolated = tuple(blob for blob in candidates if blob.isolated)
    shape = output.shape[:2]
    row = {"file": path.name, "tone": tone, "size": [shape[1], shape[0]], **asdict(summary),
           "largest_hue_family": (hue_family(summary.largest_hue)
                                  if summary.largest_hue is not None else None),
           # How much color the photo got at all (blobs are the harm; gray is the other
           # failure users see on these photos).
           "mean_chroma": float(chroma.mean()), "p90_chroma": float(np.percentile(chroma, 90)),
           "seconds": seconds,
           "isolated_blobs": [blob.to_dict(shape) for blob in
                              sorted(isolated, key=lambda blob: -blob.area)],
           # Every candidate's ring, so the report can show where the threshold falls.
           "candidate_rings": [[hue_family(blob.hue), _finite(blob.ring_chroma), blob.isolated]
                               for blob in candidates]}
    return PhotoResult(row, summary, output, isolated)


def badness(row: dict[str, Any]) -> tuple[float, int, str]:
    """Sort key, worst first: by score, then more blobs, then file name (stable ties)."""
    return -row["score"], -row["blobs"], row["file"]


def worst_first(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows by score, highest first."""
    return sorted(rows, key=badness)


def run_photos(pipe: ColorizationPipeline, files: Sequence[Path], settings: BlobSettings,
               tones: dict[str, str], keep: int
               ) -> tuple[list[dict[str, Any]], list[BlobSummary], list[PhotoResult]]:
    """Score every photo; keep the `keep` worst photos' pixels for the sheet (not all 194)."""
    rows, summaries, worst = [], [], []
    for index, path in enumerate(files, 1):
        try:
            photo = score_photo(pipe, path, settings, tones.get(path.name))
        except ChronochromeError as exc:  # one unreadable photo should not end the run
            log.warning("[%d/%d] %s: %s", index, len(files), path.name, exc)
            rows.append({"file": path.name, "error": str(exc)})
            continue
        rows.append(photo.row)
        summaries.append(photo.summary)
        log.info("[%d/%d] %s: %d blobs, score %.2f", index, len(files), path.name,
                 photo.summary.blobs, photo.summary.score)
        if photo.summary.has_blobs:
            worst = sorted([*worst, photo], key=lambda p: badness(p.row))[:keep]
    return rows, summaries, worst


def hue_breakdown(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per hue family: isolated blobs (count, total area share) and the candidates' ring C*
    quartiles (5th, 25th, 50th, 75th, 95th percentiles), which show where the threshold falls
    between patches and fragments of colored regions."""
    out: dict[str, dict[str, Any]] = {name: {"blobs": 0, "area_share": 0.0, "candidates": 0}
                                      for name, _, _ in HUE_FAMILIES}
    rings: dict[str, list[float]] = {name: [] for name, _, _ in HUE_FAMILIES}
    for row in rows:
        for blob in row.get("isolated_blobs", []):
            out[blob["hue_family"]]["blobs"] += 1
            out[blob["hue_family"]]["area_share"] += blob["area_share"]
        for family, ring, _ in row.get("candidate_rings", []):
            out[family]["candidates"] += 1
            if ring is not None:
                rings[family].append(ring)
    for family, values in rings.items():
        out[family]["ring_chroma_percentiles"] = (
            [float(v) for v in np.percentile(values, [5, 25, 50, 75, 95])] if values else None)
    return out


def output_color(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How colored the outputs are, over the photos that were colorized: mean and median of
    each photo's mean C*, the median of its 90th percentile, and how many read as gray."""
    means = [row["mean_chroma"] for row in rows if "mean_chroma" in row]
    if not means:
        return {"photos": 0}
    return {"photos": len(means), "mean_chroma": float(np.mean(means)),
            "median_chroma": float(np.median(means)),
            "median_p90_chroma": float(np.median([row["p90_chroma"] for row in rows
                                                  if "p90_chroma" in row])),
            "near_gray": int(sum(m < NEAR_GRAY_CHROMA for m in means)),
            "near_gray_below": NEAR_GRAY_CHROMA}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
