"""Run the check on the built cases, on real-color-dev and on the calibration photos."""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from colorizer.check.checker import ColorizationChecker
from colorizer.check.findings import CheckReport
from colorizer.training.data import list_photos
from eval.check.cases import CheckCase, build_cases
from eval.common import SHARED_DATASETS, VAL_FRACTION

# Hints the calibration photos are checked with, cycled: the hints of the cases, so the
# knowledge check is as active on true colors as on the cases.
CALIBRATION_HINTS = ("USSR 1950", "France 1916", "USA 1944", "German Empire 1910",
                     "French army 1916", "British army 1916", None)


def _kinds(report: CheckReport) -> list[str]:
    return [f.kind for f in report.findings]


def cached_colorize(checker: ColorizationChecker, cache: Path | None
                    ) -> Callable[[Image.Image, str], Image.Image]:
    """Our colorization of a scene's gray with its hint; kept in `cache` (a folder) by the
    gray's bytes, the hint and the pipeline's fingerprint, so a rerun checks again without
    colorizing again (the colorizations do not depend on the check's thresholds)."""
    def colorize(gray: Image.Image, hint: str) -> Image.Image:
        key = hashlib.sha256(gray.tobytes() + hint.encode() +
                             checker.pipeline.fingerprint.encode()).hexdigest()[:24]
        path = cache / f"{key}.png" if cache else None
        if path is not None and path.is_file():
            try:
                return Image.open(path).convert("RGB")
            except OSError:  # removed meanwhile (another version's run): colorize again
                pass
        image = checker.pipeline(gray, hints=hint).image
        if path is not None:  # whole or not at all: a run cut short leaves no half file
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_suffix(".part.png")
            image.save(part)
            part.replace(path)
        return image

    return colorize


def run_cases(checker: ColorizationChecker, limit: int | None = None,
              cache: Path | None = None, shared: Path = SHARED_DATASETS
              ) -> list[dict[str, Any]]:
    """Each case: was it flagged (any finding), by what, and on the cloth?"""
    rows = []
    cases: Sequence[CheckCase] = build_cases(cached_colorize(checker, cache), shared=shared)
    for case in cases[:limit]:
        report = checker(case.image, original=case.gray, hint=case.hint)
        rows.append({"id": case.id, "cloth": case.cloth, "hint": case.hint, "wrong": case.wrong,
                     "recolor": case.recolor, "flagged": not report.passed,
                     "kinds": _kinds(report),
                     "on_cloth": [f.kind for f in report.findings if on_cloth(f.mask, case.mask)],
                     "correct": (not report.passed) == case.wrong,
                     "messages": [f.message for f in report.findings]})
    return rows


def on_cloth(finding: np.ndarray | None, cloth: np.ndarray, share: float = 0.3) -> bool:
    """Whether more than `share` of a finding's pixels lie on the case's cloth (masks at any
    two sizes; a finding without a mask is on no cloth)."""
    if finding is None:
        return False
    if finding.shape != cloth.shape:
        image = Image.fromarray(finding.astype(np.uint8) * 255)
        finding = np.asarray(image.resize(cloth.shape[::-1], Image.NEAREST)) > 127
    return float((finding & cloth).sum() / max(1, finding.sum())) > share


def real_color_dev(shared: Path = SHARED_DATASETS) -> list[tuple[Path, str | None]]:
    """(photo, hint) of real-color-dev: its era and place as a user would give them."""
    folder = shared / "real-color-dev"
    out = []
    with (folder / "manifest.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            hint = " ".join(p for p in (row.get("place_en", ""), row.get("era", "")) if p)
            out.append((folder / row["file"], hint or None))
    return out


def calibration_photos(count: int, shared: Path = SHARED_DATASETS) -> list[tuple[Path, str | None]]:
    """`count` train-split photos of photos-train (a fixed draw), each with a case hint."""
    photos = list_photos(shared / "photos-train", "train", VAL_FRACTION)
    order = np.random.default_rng(11).permutation(len(photos))[:count]
    return [(photos[i], CALIBRATION_HINTS[k % len(CALIBRATION_HINTS)])
            for k, i in enumerate(order)]


def run_photos(checker: ColorizationChecker, photos: Sequence[tuple[Path, str | None]]
               ) -> list[dict[str, Any]]:
    """True color photos checked as colorizations (the gray is their own L*)."""
    rows = []
    for path, hint in photos:
        report = checker(path, hint=hint)
        rows.append({"file": path.name, "hint": hint, "flagged": not report.passed,
                     "kinds": _kinds(report),
                     "messages": [f.message for f in report.findings]})
    return rows


def summarize(cases: list[dict], real: list[dict], calibration: list[dict],
              seconds: float) -> dict[str, Any]:
    wrong = [r for r in cases if r["wrong"]]
    right = [r for r in cases if not r["wrong"]]
    by_cloth: dict[str, dict[str, int]] = {}
    for r in cases:
        row = by_cloth.setdefault(r["cloth"], {"wrong": 0, "wrong_flagged": 0, "right": 0,
                                               "right_passed": 0})
        key = "wrong" if r["wrong"] else "right"
        row[key] += 1
        row[f"{key}_{'flagged' if r['wrong'] else 'passed'}"] += r["correct"]

    def rate(rows: list[dict], kind: str | None = None) -> float:
        if not rows:
            return 0.0
        hit = [r for r in rows if (r["flagged"] if kind is None else kind in r["kinds"])]
        return len(hit) / len(rows)

    kinds = ("knowledge", "likelihood", "skin", "blob", "luminance")
    return {
        "cases": len(cases), "accuracy": sum(r["correct"] for r in cases) / max(1, len(cases)),
        "wrong_flagged": sum(r["flagged"] for r in wrong), "wrong": len(wrong),
        "right_passed": sum(not r["flagged"] for r in right), "right": len(right),
        "by_cloth": by_cloth,
        "real_color_dev": {"photos": len(real), "no_finding": 1 - rate(real),
                           "by_kind": {k: rate(real, k) for k in kinds}},
        "calibration": {"photos": len(calibration), "no_finding": 1 - rate(calibration),
                        "by_kind": {k: rate(calibration, k) for k in kinds}},
        "seconds": round(seconds, 1),
    }


def run_all(checker: ColorizationChecker, limit: int | None, calibration: int,
            real: bool = True, cache: Path | None = None, shared: Path = SHARED_DATASETS
            ) -> dict[str, Any]:
    start = time.perf_counter()
    cases = run_cases(checker, limit, cache, shared)
    real_rows = run_photos(checker, real_color_dev(shared)[:limit]) if real else []
    calib_rows = (run_photos(checker, calibration_photos(calibration, shared))
                  if calibration else [])
    summary = summarize(cases, real_rows, calib_rows, time.perf_counter() - start)
    return {"summary": summary, "cases": cases, "real_color_dev": real_rows,
            "calibration": calib_rows}
