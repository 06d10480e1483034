"""Colorize a scene under each condition, score its flag (red, own colors), count the passes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from eval import metrics
from eval.common import pixels
from eval.flag_bench.scenes import Scene
from eval.flags.designs import SOVIET
from eval.flags.measure import CHROMA_RATIO, HUE_TOLERANCE, context_read, hue_chroma, hue_gap

if TYPE_CHECKING:  # annotations only: the pipeline is imported where it is built
    from colorizer.pipeline.colorization import ColorizationPipeline

log = logging.getLogger("chronochrome.eval.flags")


RED_HUE = (0.0, 60.0)  # degrees, inclusive
RED_MIN_CHROMA = 30.0


CONDITIONS = ("hint", "caption", "none")

# Acceptance of issue 6: (group, condition, test, target) -> a row of the table.
ACCEPTANCE = (
    ("soviet", "hint", "red", 0.9),
    ("soviet", "caption", "red", 0.8),
    ("soviet", "none", "red", "half"),  # at most half as many red as with the hint
    ("others", "hint", "own", 0.7),
)


def is_red(hue: float, chroma: float) -> bool:
    return RED_HUE[0] <= hue <= RED_HUE[1] and chroma >= RED_MIN_CHROMA


def score(pred: np.ndarray, scene: Scene) -> dict[str, Any]:
    """Red test and own-colors test of a prediction (H, W, 3 float sRGB) inside the flag."""
    lab, truth_lab = metrics.lab_of(pred), metrics.lab_of(scene.truth)
    hue, chroma = hue_chroma(lab, scene.mask)
    regions, total = [], int(scene.mask.sum())
    for k in scene.flag.scored:
        where = scene.labels == k
        share = float(where.sum() / total)
        if share == 0:  # eroded away: too small in this scene to score
            continue
        t_hue, t_chroma = hue_chroma(truth_lab, where)
        p_hue, p_chroma = hue_chroma(lab, where)
        regions.append({
            "truth_hue": t_hue, "truth_chroma": t_chroma, "hue": p_hue, "chroma": p_chroma,
            "share": share,
            "ok": hue_gap(p_hue, t_hue) <= HUE_TOLERANCE and p_chroma >= CHROMA_RATIO * t_chroma,
        })
    return {"hue": hue, "chroma": chroma, "red": is_red(hue, chroma),
            "own": bool(regions) and all(r["ok"] for r in regions), "regions": regions}


def run_scene(pipe: ColorizationPipeline, scene: Scene, save: Path | None = None) -> dict[str, Any]:
    """Colorize `scene` under every condition and score it (plus the truth and gray rows)."""
    spec = scene.flag.spec
    record: dict[str, Any] = {
        "id": scene.id, "flag": spec.file, "background": scene.background,
        "size": [scene.truth.shape[1], scene.truth.shape[0]], "mask_share": scene.mask_share,
        "scored_pixels": int(scene.mask.sum()), "pole": scene.pole, "caption": scene.caption,
        "truth": score(scene.truth, scene),
        "gray": score(metrics.gray_baseline(scene.truth), scene),
        "conditions": {},
    }
    inputs = {"hint": (scene.gray(), spec.hint), "caption": (scene.gray(True), None),
              "none": (scene.gray(), None)}
    for condition, (gray, hint) in inputs.items():
        result = pipe(gray, hints=hint, caption=None)
        entry = {"hints": hint, **score(pixels(result.image), scene),
                 "exemplars": [e.id for e in result.exemplars]}
        if condition == "caption":
            entry["context"] = context_read(result.context.to_dict(), spec.polity)
        record["conditions"][condition] = entry
        if save:
            result.image.save(save / f"{scene.id}.{condition}.png")
    if save:
        scene.gray().save(save / f"{scene.id}.gray.png")
        scene.gray(True).save(save / f"{scene.id}.caption.gray.png")
        Image.fromarray((scene.truth * 255 + 0.5).astype(np.uint8)).save(
            save / f"{scene.id}.truth.png")
        Image.fromarray(scene.mask.astype(np.uint8) * 255).save(save / f"{scene.id}.mask.png")
    return record


def _count(records: list[dict], condition: str, test: str) -> int:
    """How many records pass `test` ("red" / "own") under `condition` (or "truth", "gray")."""
    return sum(bool((r[condition] if condition in ("truth", "gray")
                     else r["conditions"][condition])[test]) for r in records)


def summarize(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows: acceptance first, then information and sanity rows."""
    groups = {"soviet": [r for r in records if r["flag"] == SOVIET.file],
              "others": [r for r in records if r["flag"] != SOVIET.file]}
    names = {"soviet": "Soviet flag", "others": "other flags"}
    tests = {"red": "red", "own": "own colors"}
    hints = {"soviet": f'hint "{SOVIET.hint}"', "others": "own hint"}
    rows: list[dict[str, Any]] = []

    def add(group: str, condition: str, test: str, label: str,
            target: float | str | None = None) -> None:
        subset = groups[group]
        passed = _count(subset, condition, test)
        rate = passed / len(subset) if subset else 0.0
        row = {"group": group, "condition": condition, "test": test, "label": label,
               "scenes": len(subset), "passed": passed, "rate": rate, "target": target}
        if target == "half":
            reference = _count(subset, "hint", test)
            row["target_text"] = f"<= {reference / 2:g} (half the {reference} with the hint)"
            row["status"] = ("n/a: no red with the hint" if reference == 0
                             else "PASS" if passed <= reference / 2 else "FAIL")
        elif target is not None:
            row["target_text"] = f">= {target:.0%}"
            row["status"] = "PASS" if subset and rate >= target else "FAIL"
        else:
            row["target_text"], row["status"] = "—", "info"
        rows.append(row)

    for group, condition, test, target in ACCEPTANCE:
        cond = {"hint": hints[group], "caption": "caption drawn, no hint",
                "none": "no hint, no caption (control)"}[condition]
        add(group, condition, test, f"{names[group]} · {cond} · {tests[test]}", target)
    add("others", "caption", "own", "other flags · caption drawn, no hint · own colors")
    add("others", "none", "own", "other flags · no hint, no caption · own colors")
    for group, subset in groups.items():  # does context read the signs? (caption rows' validity)
        read = sum(r["conditions"]["caption"]["context"]["reads_polity"] for r in subset)
        rows.append({"group": group, "condition": "caption", "test": "context reads polity",
                     "label": f"{names[group]} · caption read by context as the flag's polity",
                     "scenes": len(subset), "passed": read,
                     "rate": read / len(subset) if subset else 0.0, "target": 1.0,
                     "target_text": "all (validity)",
                     "status": "PASS" if subset and read == len(subset) else "FAIL"})
    for group in groups:
        test = "red" if group == "soviet" else "own"
        add(group, "gray", test, f"gray baseline · {names[group]} · {tests[test]}")
        add(group, "truth", test, f"truth (sanity) · {names[group]} · {tests[test]}")
    return rows


def per_flag(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per design: scenes, and red / own-colors counts and mean hue/chroma per condition."""
    out = []
    for file in dict.fromkeys(r["flag"] for r in records):
        subset = [r for r in records if r["flag"] == file]
        row: dict[str, Any] = {"flag": file, "scenes": len(subset)}
        for condition in CONDITIONS:
            entries = [r["conditions"][condition] for r in subset]
            row[condition] = {"red": sum(e["red"] for e in entries),
                              "own": sum(e["own"] for e in entries),
                              "mean_hue": _circular_mean([e["hue"] for e in entries]),
                              "mean_chroma": float(np.mean([e["chroma"] for e in entries]))}
        out.append(row)
    return out


def _circular_mean(degrees: list[float]) -> float:
    rad = np.radians(degrees)
    return float(np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean())) % 360.0)
