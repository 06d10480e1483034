"""The plausibility report for every photo of historical-bw, as HTML and as PDF.

    python -m eval.check_reports [--limit N] [--out DIR] [--shared DIR]

Issue 20 asks that the report render to PDF and HTML for any photo of `historical-bw`. Each
photo goes the way of `chronochrome report`: colorized by the default pipeline (no hint), the
colorization checked against the photo, the report written twice. A photo fails when either
file is missing, empty, or the PDF has no page (pdftoppm reads its first page back as a PNG
that is not blank). Prints and writes (eval/results/check-reports.{json,md}) the count, the
failures with their error, the findings per photo, and the seconds per photo; the reports
themselves go to a scratch folder (--out), not the repository.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image

from eval.common import (
    PARTIAL_RUNS,
    absent_data,
    add_shared_argument,
    missing_data,
    parse_eval_args,
    shared_datasets,
)

DATASET = "historical-bw"  # a folder of --shared
RESULTS = Path(__file__).resolve().parent / "results"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")


def first_page_is_drawn(pdf: Path) -> bool:
    """pdftoppm renders page 1 at 30 dpi; drawn = some pixels far from white."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(pdf),
                        f"{tmp}/page"], check=True, capture_output=True, timeout=60)
        pages = sorted(Path(tmp).glob("page*.png"))
        if not pages:
            return False
        with Image.open(pages[0]) as page:
            return bool((np.asarray(page.convert("L")) < 200).mean() > 0.01)


def render(checker, photo: Path, out: Path) -> dict:
    """Both reports of one photo; the row of the table (an error instead of raising)."""
    from colorizer.check.report import write_report

    start = time.perf_counter()
    try:
        result = checker.pipeline(photo)
        with Image.open(photo) as im:
            original = im.convert("RGB")
        check = checker(result.image, original=photo, gray_ok=True)
        paths = [write_report(out / f"{photo.stem}{suffix}", check, result.image, original,
                              result, photo.name) for suffix in (".html", ".pdf")]
        empty = [p.name for p in paths if not p.is_file() or p.stat().st_size == 0]
        if empty:
            raise RuntimeError(f"empty or missing: {', '.join(empty)}")
        if not first_page_is_drawn(paths[1]):
            raise RuntimeError("the PDF's first page is blank")
        error, findings = None, [f.kind for f in check.findings]
    except Exception as exc:  # noqa: BLE001 - a failed photo is this benchmark's figure
        error, findings = f"{type(exc).__name__}: {exc}", []
    return {"photo": photo.name, "ok": error is None, "error": error, "findings": findings,
            "seconds": round(time.perf_counter() - start, 2)}


def markdown(report: dict) -> str:
    rows = report["rows"]
    failed = [r for r in rows if not r["ok"]]
    lines = [f"# Plausibility reports for historical-bw ({report['created']})", "",
             (f"`python -m eval.check_reports` — {report['ok']}/{len(rows)} photos rendered "
              f"to HTML and PDF ({report['seconds_per_photo']:.1f} s per photo: colorize, "
              "check, both reports)."), "",
             f"Photos with at least one finding: {report['with_findings']}.", ""]
    lines += (["## Failures", "", "| photo | error |", "|---|---|"]
              + [f"| `{r['photo']}` | {r['error']} |" for r in failed] if failed
              else ["No failure."])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="the first N photos only")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir())
                        / "chronochrome-check-reports", help="where the reports go")
    add_shared_argument(parser, f"{DATASET}/")
    args = parse_eval_args(parser, argv)
    shared, asked = shared_datasets(args)
    if problem := absent_data(shared, DATASET):
        return missing_data(asked, "check_reports", problem)
    from colorizer.check.checker import ColorizationChecker

    photos = sorted(p for p in (shared / DATASET).iterdir()
                    if p.suffix.lower() in PHOTO_SUFFIXES)
    photos = photos[: args.limit] if args.limit else photos
    args.out.mkdir(parents=True, exist_ok=True)
    checker = ColorizationChecker.from_pretrained()
    rows = []
    for photo in photos:
        rows.append(render(checker, photo, args.out))
        row = rows[-1]
        print(f"{'ok  ' if row['ok'] else 'FAIL'} {row['photo'][:60]:60s} {row['seconds']:6.1f} s"
              f" {row['error'] or ', '.join(row['findings']) or 'no finding'}", flush=True)
    report = {"created": datetime.now(UTC).isoformat(timespec="seconds"),
              "photos": len(rows), "ok": sum(r["ok"] for r in rows),
              "with_findings": sum(bool(r["findings"]) for r in rows),
              "seconds_per_photo": float(np.mean([r["seconds"] for r in rows])) if rows else 0.0,
              "rows": rows}
    # The committed summary is a whole run's; a --limit run's goes beside the partial runs.
    name = "check-reports" if args.limit is None else f"check-reports-first{args.limit}"
    summary = RESULTS if args.limit is None else PARTIAL_RUNS
    summary.mkdir(parents=True, exist_ok=True)
    (summary / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n")
    (summary / f"{name}.md").write_text(markdown(report))
    print(f"{report['ok']}/{len(rows)} rendered; wrote {summary / name}.{{json,md}}")
    return 0 if report["ok"] == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
