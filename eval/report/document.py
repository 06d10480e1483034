"""The report as JSON and markdown, with every model version's earlier figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from eval import metrics
from eval.common import rounded
from eval.datasets import EvalDataset
from eval.report.rows import Row, summarize

COLUMNS = (  # (key, header, format)
    ("psnr_db", "PSNR dB ↑", "{:.2f}"),
    ("ssim", "SSIM ↑", "{:.4f}"),
    ("ciede2000", "ΔE00 ↓", "{:.2f}"),
    ("colorfulness", "CF", "{:.1f}"),
    ("colorfulness_gap", "ΔCF", "{:+.1f}"),
    ("hue_js_bits", "hue JS bits ↓", "{:.3f}"),
    ("blue_share", "blue share", "{:.3f}"),
    ("frechet_encoder", "FD enc ↓", "{:.1f}"),
)


def markdown_table(report: dict[str, Any]) -> str:
    """The report's rows as a markdown table, with the ground truth's own figures last."""
    data = report["dataset"]
    lines = [f"## chronochrome eval: {data['name']} ({data['count']} images)", "",
             "| row | " + " | ".join(h for _, h, _ in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for row in report["rows"]:
        cells = [_cell(row["metrics"].get(k), fmt) for k, _, fmt in COLUMNS]
        lines.append(f"| {row['label']} | " + " | ".join(cells) + " |")
    for row in report.get("history", []):
        cells = [_cell(row["metrics"].get(k), fmt) for k, _, fmt in COLUMNS]
        lines.append(f"| {row['label']} (earlier version) | " + " | ".join(cells) + " |")
    truth = report["truth"]
    truth_cells = {"colorfulness": f"{truth['colorfulness']:.1f}",
                   "blue_share": f"{truth['blue_share']:.3f}"}
    lines.append("| ground truth | " + " | ".join(truth_cells.get(k, "—")
                                                   for k, _, _ in COLUMNS) + " |")
    lo, hi = metrics.BLUE_HUE_RANGE
    lines += ["", (f"`{report['command']}` at {report['finished_at']}. "
                   "ΔCF: colorfulness (Hasler-Suesstrunk) minus the truth's; hue JS: "
                   "Jensen-Shannon divergence of pooled chroma-weighted hue histograms; blue "
                   f"share: pooled chroma in hues {lo:.0f}-{hi:.0f}°; FD enc: Fréchet distance "
                   "in ImageNet Lite0 pooled features (compare our own versions only)."), ""]
    return "\n".join(lines)


def _cell(value: float | None, fmt: str) -> str:
    return "—" if value is None else fmt.format(value)


def build_report(dataset: EvalDataset, rows: list[Row], truth: metrics.Palette,
                 context: dict[str, Any]) -> dict[str, Any]:
    """The JSON document: dataset, run context, truth figures, and figures per row."""
    return rounded({
        "schema": 1,
        "dataset": {"name": dataset.name, "description": dataset.description,
                    "path": str(dataset.root), "count": len(dataset.files),
                    "files": [p.name for p in dataset.files]},
        **context,
        "truth": {"colorfulness": float(np.mean(truth.cf)),
                  "blue_share": truth.blue_share,
                  "hue_histogram": [round(float(v), 2) for v in truth.hue_hist]},
        "rows": [{"label": row.label, "kind": row.kind, "model": row.model,
                  "metrics": summarize(row, truth), "per_image": row.per_image}
                 for row in rows],
    })


def merge_history(report: dict[str, Any], out: Path, record: bool) -> dict[str, Any]:
    """Keep every model version's figures per dataset, so progress stays visible.

    `history-<dataset>.json` maps a model row's label (name + version) to its figures; a
    full run (`record`) adds or refreshes its own rows. Versions not in this run are listed
    in the report under `history`.
    """
    path = out / f"history-{report['dataset']['name']}.json"
    history = json.loads(path.read_text()) if path.is_file() else {}
    current = {row["label"] for row in report["rows"]}
    if record:
        for row in report["rows"]:
            if row["kind"] == "model":
                history[row["label"]] = {"metrics": row["metrics"], "model": row["model"],
                                         "finished_at": report["finished_at"]}
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(history, indent=1) + "\n")
    earlier = [{"label": label, **entry} for label, entry in sorted(history.items())
               if label not in current]
    return {**report, "history": earlier}


def write_report(report: dict[str, Any], out: Path, stem: str) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=1, allow_nan=False) + "\n")
    md_path.write_text(markdown_table(report))
    return json_path, md_path
