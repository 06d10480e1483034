"""Choose the exemplar transfer's gate (colorizer.pipeline.correspondence) on validation data only.

    OMP_NUM_THREADS=2 python -m eval.tune_transfer        # ~10 min on 2 CPU cores

The direct transfer helps where an exemplar shows what the photo shows (a flag, the same
scene) and harms where it does not (a retrieved flag's white field copied onto a sky). Each
candidate gate is scored on three validation tasks, none of them a test set:

    flags   flag scenes (as eval.flag_bench builds them) on *validation* photos, with the
            flag's hint: share of scenes where the flag gets its colors (red for the Soviet
            flag, own colors for the others)
    harm    validation photos colorized with unrelated hints ("Russian Empire 1910",
            "USSR 1950"): the retrieved flags and uniforms do not belong in these scenes;
            mean CIEDE2000 minus that with the transfer off
    own     validation photos with their own augmented color version as `--exemplar`: mean
            CIEDE2000 relative to the transfer off

Every gate runs with the transfer on for retrieved exemplars too (`retrieved_transfer=1`),
which first must find their object in the photo (the presence test; a flag rendered for the
hint "USSR 1950" is not on a street without flags). Rule: among gates whose harm stays within
`--max-harm` (default 0.05 CIEDE2000), the one with the most flags right (ties: the lowest
own-exemplar error), and retrieved exemplars transfer; if no gate is that safe, the one with
the lowest own-exemplar error (gates within `TIE` of it tie, and the one with less harm
wins), and only the user's exemplars transfer. Writes
`eval/results/transfer-tuning.{json,md}` and prints the table; `TransferConfig`'s defaults
and `PipelineConfig.retrieved_transfer` hold what it chose (set by hand from this table).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.result import ColorizationResult
from colorizer.training.data import list_photos
from eval import metrics
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    VAL_FRACTION,
    absent_data,
    add_shared_argument,
    augmented_view,
    configure_logging,
    luminance_input,
    missing_data,
    parse_eval_args,
    pixels,
    positive_int,
    rounded,
    shared_datasets,
)
from eval.flag_bench.scenes import Scene, build_scenes
from eval.flag_bench.scoring import score
from eval.flags.designs import OTHERS, SOVIET, load_flag

log = logging.getLogger("chronochrome.eval.tune_transfer")

GATE_FIELDS = ("min_similarity", "full_similarity", "gate_luminance_weight", "full_confidence")
GATES = (  # values of GATE_FIELDS; every gate also runs the presence test on retrieved ones
    (0.35, 0.45, 2.0, 0.2), (0.35, 0.45, 0.0, 0.2), (0.35, 0.45, 0.0, 0.1),
    (0.3, 0.4, 0.0, 0.1), (0.4, 0.5, 0.0, 0.1),
)
UNRELATED_HINTS = ("Russian Empire 1910", "USSR 1950")
TIE = 0.05  # CIEDE2000: own-exemplar errors closer than this are a tie


def _found(result: ColorizationResult) -> float:
    """The presence-test score of the retrieved exemplar best found in the photo (0 if none
    was tested)."""
    return max((e.found_in_photo for e in result.exemplars
                if e.kind != "user" and e.found_in_photo is not None),
               default=0.0)


def _error(pipe: ColorizationPipeline, truth: np.ndarray, **kwargs: object
           ) -> tuple[float, float]:
    """(mean CIEDE2000, presence score of the best-found retrieved exemplar)."""
    result = pipe(luminance_input(truth), caption=None, **kwargs)
    pred = np.asarray(result.image, dtype=np.float64) / 255.0
    return metrics.mean_ciede2000(pred, truth), _found(result)


def flag_score(pipe: ColorizationPipeline, scenes: list[Scene]) -> tuple[float, list[float]]:
    """(share of scenes right, presence score of the best-found exemplar per scene)."""
    right, found = 0, []
    for scene in scenes:
        result = pipe(scene.gray(), hints=scene.flag.spec.hint, caption=None)
        scored = score(pixels(result.image), scene)
        right += scored["red"] if scene.flag.spec is SOVIET else scored["own"]
        found.append(_found(result))
    return right / len(scenes), found


def photo_errors(pipe: ColorizationPipeline,
                 photos: list[np.ndarray]) -> tuple[float, float, list[float]]:
    """(mean CIEDE2000 with unrelated hints, mean with the own exemplar, presence score of the
    best-found retrieved exemplar per photo and hint)."""
    hinted = [_error(pipe, t, hints=h) for t in photos for h in UNRELATED_HINTS]
    own = [_error(pipe, t, exemplars=[UserExemplar("own", augmented_view(t), None)])[0]
           for t in photos]
    return (float(np.mean([e for e, _ in hinted])), float(np.mean(own)),
            [found for _, found in hinted])


def choose(rows: list[dict[str, Any]], max_harm: float) -> dict[str, Any]:
    """{"gate": the gate, "retrieved": True when retrieved exemplars may transfer with it}.

    One gate serves both kinds of exemplar. Where some gate keeps the harm within
    `max_harm`, the gate is the safe one with the most flags right (ties: the lowest
    own-exemplar error) and retrieved exemplars transfer; otherwise the gate is the one with
    the lowest own error (within `TIE`: the one with less harm) and only the user's do.
    """
    gated = [r for r in rows if r["gate"] is not None]
    safe = [r for r in gated if r["harm"] <= max_harm]
    if safe:
        return {"gate": max(safe, key=lambda r: (r["flags"], -r["own"]))["gate"],
                "retrieved": True}
    best = min(r["own"] for r in gated)
    tied = [r for r in gated if r["own"] <= best + TIE]
    return {"gate": min(tied, key=lambda r: r["harm"])["gate"], "retrieved": False}


def markdown(report: dict[str, Any]) -> str:
    lines = ["## Exemplar transfer gate, chosen on validation data", "",
             (f"| gate ({', '.join(GATE_FIELDS)}) | flags right ↑ | harm ΔE00 ↓ | "
              "own exemplar ΔE00 ↓ | chosen |"), "|---|---:|---:|---:|---|"]
    chosen = report["chosen"]
    for r in report["rows"]:
        gate = "transfer off" if r["gate"] is None else ", ".join(str(v) for v in r["gate"])
        use = ""
        if r["gate"] is not None and list(r["gate"]) == list(chosen["gate"]):
            use = "user and retrieved exemplars" if chosen["retrieved"] else "user exemplars"
        lines.append(f"| {gate} | {r['flags']:.0%} | {r['harm']:+.3f} | {r['own']:.2f} | "
                     f"{use} |")
    presence = next(r["presence"] for r in report["rows"] if r["gate"] is not None)
    base = report["settings"]["base"]
    lines += ["", (f"Presence test (share of a retrieved exemplar's colored cells that find a "
                   f"cell at least {base['presence_similarity']} alike; the best-found exemplar "
                   f"per image): flag scenes min {presence['flag_scenes_min']:.2f}, median "
                   f"{presence['flag_scenes_median']:.2f}; photos with unrelated hints max "
                   f"{presence['unrelated_max']:.2f}, median "
                   f"{presence['unrelated_median']:.2f}. An exemplar transfers nothing below "
                   f"{base['min_presence']} and fully from {base['full_presence']}.")]
    lines += ["", ("Retrieved exemplars transfer (`retrieved_transfer=1`) once their object is "
                   "found in the photo (presence test, `TransferConfig.min_presence`)."
                   if chosen["retrieved"] else
                   "No gate keeps the harm within the limit: the transfer from retrieved "
                   "exemplars stays off (`retrieved_transfer=0`).")]
    lines += ["", (f"{report['settings']['flag_scenes']} flag scenes on validation photos, "
              f"{report['settings']['photos']} validation photos (hints "
              f"{', '.join(UNRELATED_HINTS)}; own exemplar). Rule: among gates with harm <= "
              f"{report['settings']['max_harm']} the most flags right (ties: lowest own error), "
              "retrieved exemplars on; if none, the lowest own error (within "
              f"{TIE}: less harm), retrieved off. `python -m eval.tune_transfer`.")]
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.tune_transfer",
                                description=__doc__.split("\n")[0])
    p.add_argument("--photos", type=positive_int, default=16, help="validation photos")
    p.add_argument("--scenes-per-flag", type=positive_int, default=3)
    p.add_argument("--soviet-scenes", type=positive_int, default=6)
    p.add_argument("--max-harm", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--weights", type=Path, default=None)
    add_shared_argument(p, f"{TRAIN_PHOTOS}/ (its val split) and flags/")
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    return p


def validation_tasks(args: argparse.Namespace) -> tuple[list[Scene], list[np.ndarray]]:
    """Flag scenes on validation photos, and the other validation photos (harm, own)."""
    val = list_photos(args.shared / TRAIN_PHOTOS, "val", VAL_FRACTION)
    flags = [load_flag(args.shared / "flags", s) for s in (SOVIET, *OTHERS)]
    counts = {SOVIET.file: args.soviet_scenes, **{s.file: args.scenes_per_flag for s in OTHERS}}
    scenes = build_scenes(flags, val, counts, args.seed)
    # Photos for the harm and own tests: the validation photos the flag scenes did not use.
    used = {s.background for s in scenes}
    photos = [load_image(p).rgb.astype(np.float64) for p in val if p.name not in used]
    return scenes, photos[: args.photos]


def gate_pipe(base: ColorizationPipeline, gate: tuple[float, ...] | None
              ) -> ColorizationPipeline:
    """The pipeline with the transfer off (None), or on for every exemplar with `gate`."""
    if gate is None:
        return base.with_config(exemplar_transfer=0.0, retrieved_transfer=0.0)
    return base.with_config(retrieved_transfer=1.0, transfer=dict(zip(GATE_FIELDS, gate)))


def score_gates(base: ColorizationPipeline, scenes: list[Scene], photos: list[np.ndarray]
                ) -> list[dict[str, Any]]:
    """One row per gate (the transfer off first): flags right, harm, own error, presence."""
    rows = []
    off_hinted = off_own = 0.0
    for gate in (None, *GATES):
        pipe = gate_pipe(base, gate)
        hinted, own, found_unrelated = photo_errors(pipe, photos)
        if gate is None:
            off_hinted, off_own = hinted, own
        flags, found_flags = flag_score(pipe, scenes)
        rows.append({"gate": gate, "flags": flags, "harm": hinted - off_hinted,
                     "own": own, "own_vs_off": own / off_own - 1,
                     "presence": {"flag_scenes_min": min(found_flags),
                                  "flag_scenes_median": float(np.median(found_flags)),
                                  "unrelated_max": max(found_unrelated),
                                  "unrelated_median": float(np.median(found_unrelated))}})
        log.info("gate %s: %s", gate, rows[-1])
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any] | int:
    """Run the sweep; returns the report, or 0 when the data is absent at the default
    --shared (skipped)."""
    args = parse_eval_args(build_parser(), sys.argv[1:] if argv is None else argv)
    args.shared, asked = shared_datasets(args)
    if problem := absent_data(args.shared, TRAIN_PHOTOS, "flags"):
        return missing_data(asked, "tune_transfer", problem)
    configure_logging()
    scenes, photos = validation_tasks(args)
    base = ColorizationPipeline.from_pretrained(args.weights, device="cpu")
    rows = score_gates(base, scenes, photos)
    chosen = choose(rows, args.max_harm)
    report = rounded(digits=4, value={
        "command": "python -m eval.tune_transfer " + " ".join(argv or sys.argv[1:]),
        "settings": {"photos": len(photos), "flag_scenes": len(scenes), "seed": args.seed,
                     "max_harm": args.max_harm, "hints": list(UNRELATED_HINTS),
                     "base": asdict(base.config.transfer)},
        "rows": rows, "chosen": chosen,
    })
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "transfer-tuning.json").write_text(json.dumps(report, indent=1) + "\n",
                                                   encoding="utf-8")
    table = markdown(report)
    (args.out / "transfer-tuning.md").write_text(table, encoding="utf-8")
    print(table)
    return report


if __name__ == "__main__":
    main()
