"""Colorize a scene under its conditions and score each output: red share, leak, own colors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image
from scipy.ndimage import binary_dilation, binary_erosion

from eval import metrics
from eval.common import pixels
from eval.flag_scenes.definitions import (
    LEAK_DILATE,
    OWN_MIN_PIXELS,
    PALETTE0,
    RED_CHROMA,
    RED_SHARE,
    STRONG_CHROMA,
    red_pixels,
)
from eval.flag_scenes.scenes import FlagScene
from eval.flag_scenes.summary import summarize
from eval.flags.measure import CHROMA_RATIO, HUE_TOLERANCE, context_read, hue_chroma

if TYPE_CHECKING:  # annotations only: the pipeline is imported where it is built
    from colorizer.pipeline.colorization import ColorizationPipeline
    from colorizer.pipeline.exemplar_report import ExemplarUse

log = logging.getLogger("chronochrome.eval.flag_scenes")


def score_output(scene: FlagScene, output: np.ndarray) -> dict[str, Any]:
    """Red share of the red cloth, red leak outside the flags, and for other flags their own
    colors, of an output (H, W, 3) float sRGB."""
    lab = metrics.lab_of(output)
    strong = red_pixels(lab, STRONG_CHROMA)
    truth_red = scene.truth_red
    outside = ~binary_dilation(scene.flag_mask, iterations=LEAK_DILATE)
    entry: dict[str, Any] = {
        "strong_share": float(strong.mean()),
        "leak": float((strong & outside & ~truth_red).sum() / max(1, outside.sum())),
    }
    if scene.red_mask.any():
        share = float(red_pixels(lab, RED_CHROMA)[scene.red_mask].mean())
        hue, chroma = hue_chroma(lab, scene.red_mask)
        entry.update(red_share=share, red=share >= RED_SHARE, hue=hue, chroma=chroma)
    others = scene.other_mask & ~truth_red
    if others.any():
        entry["other_leak"] = float(strong[others].mean())
    if scene.palette:
        entry["regions"] = _own_colors(scene, lab)
        entry["own"] = bool(entry["regions"]) and all(r["ok"] for r in entry["regions"])
    return entry


def _own_colors(scene: FlagScene, lab: np.ndarray) -> list[dict[str, Any]]:
    """Per scored design color: the share of its pixels within HUE_TOLERANCE of its hue
    with CHROMA_RATIO of its chroma; a color is kept when RED_SHARE of them are."""
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360.0
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    regions = []
    for k, truth_hue, truth_chroma in scene.palette:
        where = binary_erosion(scene.labels == PALETTE0 + k)
        if where.sum() < OWN_MIN_PIXELS:
            continue
        gap = np.abs((hue[where] - truth_hue + 180.0) % 360.0 - 180.0)
        share = float(np.mean((gap <= HUE_TOLERANCE)
                              & (chroma[where] >= CHROMA_RATIO * truth_chroma)))
        regions.append({"color": k, "truth_hue": truth_hue, "share": share,
                        "ok": share >= RED_SHARE})
    return regions


def conditions(scene: FlagScene, baseline: bool = True
               ) -> dict[str, tuple[str | None, str | None]]:
    """(hint, caption) per condition of a scene's group; `baseline` adds "none" (neither) to
    Soviet scenes, which tells what the hint or caption changed."""
    if scene.group == "soviet":
        return {"hint": (scene.hint, None), "caption": (None, scene.caption),
                **({"none": (None, None)} if baseline else {})}
    if scene.group == "control":
        return {"hint": (scene.hint, None), "none": (None, None)}
    return {"hint": (scene.hint, None)}


def _exemplars(records: Sequence[ExemplarUse]) -> list[dict[str, Any]]:
    keys = ("id", "kind", "used", "score", "found_in_photo", "attention_share", "transfer_share")
    return [{k: e.to_dict().get(k) for k in keys} for e in records]


OutputHook = Callable[[FlagScene, str, Image.Image], None]


def run_scene(pipe: ColorizationPipeline, scene: FlagScene, on_output: OutputHook | None = None,
              baseline: bool = True) -> dict[str, Any]:
    """Colorize the scene under its group's conditions and score each output."""
    record: dict[str, Any] = {
        "id": scene.id, "group": scene.group, "kind": scene.kind, "geometry": scene.geometry,
        "designs": list(scene.designs), "background": scene.background, "film": scene.film,
        "size": [scene.truth.shape[1], scene.truth.shape[0]],
        "red_pixels": int(scene.red_mask.sum()), "flag_share": float(scene.flag_mask.mean()),
        "conditions": {},
    }
    if scene.group != "control":
        record["truth"] = score_output(scene, scene.truth)
        record["gray"] = score_output(scene, metrics.gray_baseline(scene.truth))
    for condition, (hint, caption) in conditions(scene, baseline).items():
        result = pipe(scene.input_image(), hints=hint, caption=caption)
        entry = {"hints": hint, "caption": caption,
                 **score_output(scene, pixels(result.image)),
                 "exemplars": _exemplars(result.exemplars)}
        if caption:
            entry["context"] = context_read(result.context.to_dict(), "USSR")
        record["conditions"][condition] = entry
        if on_output:
            on_output(scene, condition, result.image)
    return record


def score_scenes(pipe: ColorizationPipeline, scenes: Sequence[FlagScene],
                 on_output: OutputHook | None = None, baseline: bool = True) -> dict[str, Any]:
    """Colorize and score every scene: {"summary", "records"} (no files written), for this
    benchmark and for operating-point searches over `pipe.with_config(...)` (which may skip
    the `baseline` condition: it does not depend on hints)."""
    records = []
    for index, scene in enumerate(scenes, 1):
        log.info("[%d/%d] %s on %s", index, len(scenes), scene.id, scene.background)
        records.append(run_scene(pipe, scene, on_output, baseline))
    return {"summary": summarize(records), "records": records}
