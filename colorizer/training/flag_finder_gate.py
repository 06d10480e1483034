"""The flag finder's evidence gate, chosen on bare photos as the whole pipeline colors them.

    python -m colorizer.training.flag_finder_gate --weights FOLDER [--photos 120]

`train_flag_finder --evaluate` scores the finder alone; what reaches a photo also passes the
cloth identity test (colorizer/pipeline/cloth_identity.py) against the flags actually
retrieved. So here the pipeline of FOLDER (its generator, finder and the default retrieval)
colors flag-free photos given the hint "USSR 1950" with the evidence gate wide open, and
records per photo the finder's evidence (`found_in_photo` of the retrieved flags: 0 where
the identity test rejected every piece of cloth, which colors nothing at any gate, so the
expected colored share below is what the raw evidence gives) and the share of pixels the
retrieved flags colored (`context_region` >= 0.5). For each candidate
(no-transfer, full-transfer) pair the expected colored share is then the mean over photos of
clip((evidence - lo) / (hi - lo)) x that share. The rule (as for the finder alone): the
lowest pair whose expected share stays <= 0.1% of pixels (the flag benchmark's control
target, which is measured on other photos); with several `--hint`s, under every one of them
(a wrong hint such as "USA 1950" retrieves a striped flag, whose identity test a white wall
passes more easily: rule 33 of eval/operating_point_rules.md). `--set KEY=VALUE` (as the
benchmarks take it, e.g. `--set transfer.identity_tolerance=10`) measures the gate under
another pipeline setting; the two evidence fields are the gate's own and stay open.

Photos: the val split of photos-train and the finder's own held-out train-split photos
(`finder_split`), never the test split (the flag benchmark's backgrounds and controls).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from colorizer.pipeline.config_edits import parse_setting, with_settings
from colorizer.training.data import list_photos
from colorizer.training.flag_finder_scenes import VAL_FRACTION, finder_split

HINT = "USSR 1950"
PAIRS = ((0.9, 0.95), (0.94, 0.97), (0.96, 0.98), (0.98, 0.99), (0.99, 0.995), (0.995, 0.998),
         (0.998, 0.999), (0.999, 0.9995))  # the last two: rule 29 of eval/operating_point_rules.md
CLOTH = ("flag", "banner", "ensign")
BUDGET = 0.001  # expected colored share of bare photos' pixels a gate may reach
GATE_FIELDS = ("transfer.min_cloth_evidence", "transfer.full_cloth_evidence")  # what it opens


def _photos(datasets: Path, count: int) -> list[Path]:
    folder = datasets / "photos-train"
    val = list_photos(folder, "val", VAL_FRACTION)[:count]
    held = [p for p in list_photos(folder, "train", VAL_FRACTION)
            if finder_split(p) == "holdout"][:count]
    return val + held


def measure(weights: Path, photos: list[Path], identity: bool = True, hint: str = HINT,
            settings: Sequence[tuple[str, Any]] = ()) -> tuple[np.ndarray, np.ndarray]:
    """(N,) evidence and (N,) colored share of each photo, the gate wide open (and the
    cloth identity test on or off), under the pipeline `settings` (`--set` pairs)."""
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(weights, device="cpu")
    if pipe.flag_finder is None:
        raise SystemExit(f"{weights} has no flag_finder.safetensors: train one with "
                         "`python -m colorizer.training.train_flag_finder --out FOLDER`")
    pipe = with_settings(pipe, settings)
    pipe = pipe.with_config(transfer=replace(pipe.config.transfer, min_cloth_evidence=0.0,
                                             full_cloth_evidence=1e-6,
                                             cloth_identity=identity))
    evidence, share = [], []
    for i, path in enumerate(photos):
        with Image.open(path) as img:
            gray = img.convert("L")
        result = pipe(gray, hints=hint)
        found = [e.found_in_photo for e in result.exemplars
                 if e.kind in CLOTH and e.found_in_photo is not None]
        evidence.append(max(found, default=0.0))
        region = result.context_region
        share.append(0.0 if region is None else float((region >= 0.5).mean()))
        if (i + 1) % 20 == 0:
            print(f"  {i + 1}/{len(photos)}", flush=True)
    return np.array(evidence), np.array(share)


def table(evidence: np.ndarray, share: np.ndarray) -> list[dict[str, float]]:
    """Per pair: photos firing at all, fully, and the expected colored share of pixels."""
    return [{"min": lo, "full": hi, "fired_min": float((evidence >= lo).mean()),
             "fired_full": float((evidence >= hi).mean()),
             "colored_pixels": float((np.clip((evidence - lo) / (hi - lo), 0, 1)
                                      * share).mean())} for lo, hi in PAIRS]


def chosen(tables: list[list[dict[str, float]]]) -> dict[str, float] | None:
    """The lowest pair within BUDGET under every hint's table (each hint retrieves other
    flags: a striped flag's lenient identity test fires where a one-field flag's does not);
    for it, the largest colored share over the hints. None: no pair is."""
    for i, row in enumerate(tables[0]):
        worst = max(t[i]["colored_pixels"] for t in tables)
        if worst <= BUDGET:
            return {**row, "colored_pixels": worst}
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m colorizer.training.flag_finder_gate",
                                description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, required=True)
    p.add_argument("--datasets", type=Path,
                   default=Path(__file__).resolve().parents[3] / "shared" / "datasets")
    p.add_argument("--photos", type=int, default=120, help="of each source (val, held-out)")
    p.add_argument("--no-identity", dest="identity", action="store_false",
                   help="without the cloth identity test (what it saves)")
    p.add_argument("--hint", dest="hints", action="append", default=None,
                   help=f"a hint the bare photos are colored with; repeatable, the pair must "
                        f"keep every hint within budget (default: {HINT!r})")
    p.add_argument("--set", dest="settings", type=parse_setting, action="append", default=[],
                   metavar="KEY=VALUE", help="pipeline setting, VALUE as JSON; repeatable "
                   "(e.g. transfer.identity_tolerance=10); not the gate's own two fields")
    args = p.parse_args(argv)
    gate_set = [key for key, _ in args.settings if key in GATE_FIELDS]
    if gate_set:
        p.error(f"--set {gate_set[0]}: the gate opens that field itself and chooses it")
    torch.set_num_threads(1)
    start = time.time()
    photos = _photos(args.datasets, args.photos)
    hints = args.hints or [HINT]
    try:
        tables = [table(*measure(args.weights, photos, args.identity, hint, args.settings))
                  for hint in hints]
    except ValueError as exc:  # an unknown --set key, or a value it refuses
        p.error(f"--set: {exc}")
    print(json.dumps({"photos": len(photos), "rows": tables[0],
                      **({"hints": dict(zip(hints, tables))} if len(hints) > 1 else {}),
                      "chosen": chosen(tables),
                      "seconds": round(time.time() - start)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
