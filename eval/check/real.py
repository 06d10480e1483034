"""`python -m eval.check.real`: how `chronochrome check` judges real color photographs.

    python -m eval.check.real                 # both datasets, writes eval/results/check-real.*
    python -m eval.check.real --limit 5 --no-cli --out /tmp/x

A true color photo handed to the check as if it were a colorization has plausible colors by
definition: any finding on it is a false alarm. Each photo of real-color-dev (tuning) and of
the Prokudin-Gorsky plates (held out) is checked as a historian would, with its own L* as
--original (eval.common.luminance_input, the gray our colorizer reads) and the right hint
(eval.real_photos.photos: the manifest's place and first year), in four versions
(real_versions.py): `true`, `ours` (our colorization of the gray), `red-blue` (red regions
recolored blue) and `hue120` (hues turned by 120 degrees). The last two are clearly wrong: the
check should flag them. The flagged true photos are cropped to their findings' boxes into a
contact sheet, and (unless --no-cli) run again through `chronochrome check --json` in a
subprocess, to confirm that the command line says what the API says.

Writes `check-real.json`, `check-real.md` and `check-real-sheet.png` under --out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import time
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from eval.cache import code_digest, versioned_cache
from eval.check.real_report import cli_agreement, markdown, summarize
from eval.check.real_sheet import contact_sheet
from eval.check.real_versions import hue_rotated, red_to_blue
from eval.check.run import cached_colorize, on_cloth
from eval.common import (
    RESULTS_DIR,
    absent_data,
    add_shared_argument,
    luminance_input,
    missing_data,
    now,
    parse_eval_args,
    pixels,
    shared_datasets,
)
from eval.real_photos.photos import DATASETS, RealPhoto

VERSIONS = ("true", "ours", "red-blue", "hue120")
# The check's code that decides an analysis (ColorizationChecker.analyse); the findings'
# thresholds (config.py, analysis.py, knowledge.py, blobs.py) are applied afresh at each run.
ANALYSIS_CODE = ("colorizer/check/checker.py", "colorizer/check/lineup.py",
                 "colorizer/check/align.py", "colorizer/check/likelihood.py",
                 "colorizer/check/tints.py", "colorizer/check/reduce.py",
                 "colorizer/check/thumbnails.py", "colorizer/check/local_change.py")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.check.real", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--limit", type=int, default=None, help="first N photos of each dataset")
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-cli", action="store_true",
                   help="skip the command-line cross-check of the flagged true photos")
    p.add_argument("--before", type=Path, default=RESULTS_DIR / "check-real-before.json",
                   help="figures of an earlier run shown beside this one's (absent: none)")
    p.add_argument("--cache", type=Path, default=None, metavar="DIR",
                   help="keep the model's analyses here between runs (a rerun after a "
                        "threshold change then takes seconds); default: none kept")
    add_shared_argument(p, "real-color-dev/ and prokudin-gorsky/")
    return p


class AnalysisCache:
    """Analyses (ColorizationChecker.analyse) kept in `folder` by the images' bytes, the hint,
    the pipeline's fingerprint and the source of the check's reading code, so a rerun after
    a change to the findings' thresholds (config.py, analysis.py, knowledge.py, blobs.py)
    does not run the model again. `folder` None: nothing kept. The pipeline's own code is not
    in the key: give a fresh folder after changing it."""

    def __init__(self, checker: Any, folder: Path | None):
        self.checker = checker
        self.folder = folder
        self.version = checker.pipeline.fingerprint + code_digest(folders=ANALYSIS_CODE)

    def analyse(self, image: Image.Image, gray: Image.Image, hint: str | None, gray_ok: bool):
        if self.folder is None:
            return self.checker.analyse(image, original=gray, hint=hint, gray_ok=gray_ok)
        key = hashlib.sha256(image.tobytes() + b"\0" + gray.tobytes() + b"\0" +
                             (hint or "").encode() + bytes([gray_ok]) +
                             self.version.encode()).hexdigest()[:24]
        path = self.folder / f"{key}.pickle"
        if path.is_file():
            try:
                return pickle.loads(path.read_bytes())
            except (OSError, EOFError, pickle.UnpicklingError):
                pass  # cut short by a killed run: analyse again
        seen = self.checker.analyse(image, original=gray, hint=hint, gray_ok=gray_ok)
        self.folder.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        part.write_bytes(pickle.dumps(seen))
        part.replace(path)
        return seen


def check_photo(photo: RealPhoto, dataset: str, checker: Any, cache: AnalysisCache,
                colorize: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of one photo's versions, and what the contact sheet needs of its true one."""
    truth = Image.open(photo.path).convert("RGB")
    gray = luminance_input(pixels(truth))
    hint = photo.right_hint
    versions: dict[str, tuple[Image.Image, Any]] = {"true": (truth, None)}
    versions["ours"] = (colorize(gray, hint or ""), None)
    recolored = red_to_blue(truth)
    if recolored is not None:
        versions["red-blue"] = recolored
    versions["hue120"] = (hue_rotated(truth), None)
    rows, kept = [], {}
    for version, (image, region) in versions.items():
        seen = cache.analyse(image, gray, hint, gray_ok=version == "ours")
        findings = checker.findings(seen)
        rows.append({
            "dataset": dataset, "file": photo.file, "subset": photo.subset,
            "version": version, "hint": hint, "flagged": bool(findings),
            "kinds": [f.kind for f in findings],
            "on_region": (None if region is None else
                          any(on_cloth(f.mask, region) for f in findings)),
            "region_share": None if region is None else round(float(region.mean()), 4),
            "findings": [_brief(f.to_dict()) for f in findings],
        })
        if version == "true":
            kept = {"image": truth, "findings": findings}
    return rows, kept


def _brief(finding: dict[str, Any]) -> dict[str, Any]:
    """A finding's JSON without the documented colors' list (the same for every finding of a
    hint: the message names them)."""
    evidence = {k: v for k, v in finding["evidence"].items() if k != "documented"}
    return {**finding, "evidence": evidence}


def main(argv: list[str] | None = None) -> int:
    args = parse_eval_args(build_parser(), argv)
    args.shared, asked = shared_datasets(args)
    if problem := absent_data(args.shared, *DATASETS):
        return missing_data(asked, "check.real", problem)
    torch.set_num_threads(args.threads)
    from colorizer.check.checker import ColorizationChecker

    start = time.perf_counter()
    checker = ColorizationChecker.from_pretrained(device="cpu")
    cache = AnalysisCache(checker, args.cache)
    colorize = cached_colorize(checker, versioned_cache("check-real-ours",
                                                        checker.pipeline.fingerprint))
    rows: list[dict[str, Any]] = []
    flagged_true: list[tuple[str, Any]] = []
    for dataset, load in DATASETS.items():
        for photo in load(args.shared / dataset)[:args.limit]:
            photo_rows, kept = check_photo(photo, dataset, checker, cache, colorize)
            rows += photo_rows
            if kept["findings"]:
                flagged_true.append((f"{dataset}/{photo.file}", kept))
            print(f"{dataset}/{photo.file}: " + ", ".join(
                f"{r['version']} {'+'.join(r['kinds']) or '-'}" for r in photo_rows),
                flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    sheet = args.out / "check-real-sheet.png"
    contact_sheet(flagged_true, sheet)
    cli = None if args.no_cli else cli_agreement(rows, args.shared, args.out)
    before = (json.loads(args.before.read_text(encoding="utf-8"))
              if args.before and args.before.is_file() else None)
    result = {"summary": summarize(rows), "cli": cli, "before": before, "rows": rows,
              "settings": {**checker.settings(), "command": "python -m eval.check.real",
                           "limit": args.limit, "at": now(),
                           "seconds": round(time.perf_counter() - start, 1)}}
    (args.out / "check-real.json").write_text(json.dumps(result, indent=1, default=str) + "\n",
                                              encoding="utf-8")
    (args.out / "check-real.md").write_text(markdown(result, sheet.name), encoding="utf-8")
    print(f"wrote {args.out / 'check-real.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
