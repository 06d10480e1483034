"""The markdown reports: per dataset (aggregates, per photo) and the summary over datasets."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.real_photos.aggregates import WORSE_MARGIN
from eval.real_photos.photos import DATASETS, SUBSET_TITLES
from eval.real_photos.pixel_stats import (
    DULL_TRUTH_CHROMA,
    NOT_RED_TRUTH_CHROMA,
    RED_CHROMA,
    RED_HUE_RANGE,
    VIVID_CHROMA,
)

CONDITION_TITLES = {"none": "no hint", "right": "right hint", "wrong": "wrong hint"}


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


def _cell(value: float | None, fmt: str) -> str:
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
