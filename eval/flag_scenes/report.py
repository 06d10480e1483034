"""flag_scenes.md and sheet.png."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from eval.flag_scenes.definitions import (
    FONTS,
    LEAK_DILATE,
    RED_CHROMA,
    RED_HUE,
    RED_SHARE,
    SOVIET_HINT,
    STRONG_CHROMA,
    TARGETS,
)
from eval.flag_scenes.drawings import _font
from eval.flag_scenes.scenes import FlagScene


def _pct(value: float | None, digits: int = 0) -> str:
    """A share as a percentage; rounded first, so a tiny negative gain is no "-0.00%"."""
    return "—" if value is None else f"{round(100 * value, digits) + 0.0:.{digits}f}%"


def markdown(report: dict[str, Any]) -> str:
    """The headline against the targets, then per kind, film, control and other flags."""
    s = report["summary"]
    lines = _headline(s) + [""] + _kinds_table(s) + _control_and_others(s) + _notes(report)
    return "\n".join(lines)


def _headline(s: dict[str, Any]) -> list[str]:
    """Title and the headline table: each target with its value and PASS/FAIL."""
    h = s["headline"]
    status = {k: "PASS" if v else "FAIL" for k, v in h["pass"].items()}
    n, control = h["scenes"], s["control"] or {}
    lines = [(f"## chronochrome flag scenes unlike our training renders ({n} Soviet scenes, "
             f"{control.get('photos', 0)} control photos)"), "",
             "| headline | value | target | status |", "|---|---:|---|---|",
             (f'| Soviet red with hint "{SOVIET_HINT}" | {h["red_hint"]}/{n} '
             f'({_pct(h["rate_hint"])}) | >= {TARGETS["hint"]:.0%} | {status["hint"]} |'),
             (f"| Soviet red with caption only (Cyrillic, no hint) | {h['red_caption']}/{n} "
             f"({_pct(h['rate_caption'])}) | >= {TARGETS['caption']:.0%} | "
             f"{status['caption']} |"),
             (f"| red leak outside the flags, with hint | {_pct(h['leak_hint'], 2)} | "
             f"<= {_pct(TARGETS['leak'], 1)} | {status['leak']} |"),
             (f"| red leak outside the flags, caption only | {_pct(h['leak_caption'], 2)} | — "
             "| info |"),
             (f"| control gain: strongly red share, hint minus none, bare photos | "
             f"{_pct(h['control_gain'], 2)} | <= {_pct(TARGETS['control_gain'], 1)} | "
             f"{status['control_gain']} |"),
             (f"| sanity: truth red / gray red | {h['truth_red']}/{n} / {h['gray_red']}/{n} | "
             f"{n}/{n} / 0/{n} | info |")]
    if h.get("red_none") is not None:
        lines.append(f"| baseline: Soviet red with neither hint nor caption | {h['red_none']}/{n} "
                     "| — | info |")
    return lines


def _kinds_table(s: dict[str, Any]) -> list[str]:
    """Per kind, per film and overall: red counts and shares, misses, leaks, exemplar use."""
    lines: list[str] = []
    lines += [("| kind | scenes | red: hint · caption · none | red share: hint · caption · "
               "none | not red (hint): gray · weak · other hue | leak: hint · caption | leak on "
               "other flags (hint) | flag exemplar used · admitted (hint) | best found_in_photo "
               "(hint) | attention · transfer (hint) |"),
              "|---|---:|---|---|---|---|---:|---|---:|---|"]
    for row in [*s["kinds"], *s["film"], s["overall"]]:
        conds = [row[c] for c in ("hint", "caption", "none") if c in row]
        ex = row["hint"]["exemplars"]
        found = "—" if ex["best_found"] is None else f"{ex['best_found']:.2f}"
        lines.append(
            f"| {row['kind']} | {row['scenes']} | {' · '.join(str(c['red']) for c in conds)} | "
            f"{' · '.join(_pct(c['red_share']) for c in conds)} | "
            f"{' · '.join(str(v) for v in row['hint']['misses'].values())} | "
            f"{_pct(row['hint']['leak'], 2)} · {_pct(row['caption']['leak'], 2)} | "
            f"{_pct(row['hint']['other_leak'], 1)} | {ex['flag_exemplar']} · {ex['admitted']} "
            f"| {found} | {ex['attention'] or 0:.2f} · {ex['transfer'] or 0:.2f} |")
    return lines


def _control_and_others(s: dict[str, Any]) -> list[str]:
    """The bare photos' strongly red share, and the other flags (report only)."""
    lines: list[str] = []
    control = s["control"] or {}
    if control:
        lines += ["", (f"Control ({control['photos']} bare photos): strongly red share "
                  f"{_pct(control['strong_none'], 2)} without a hint, "
                  f"{_pct(control['strong_hint'], 2)} with \"{SOVIET_HINT}\"; where the "
                  f"truth is not red {_pct(control['leak_none'], 2)} without a hint, "
                  f"{_pct(control['leak_hint'], 2)} with it.")]
    if s["others"]:
        lines += ["", ("| other flag, own hint (report only) | scenes | own colors | red stripe "
                  "red | red share | leak |"), "|---|---:|---:|---:|---:|---:|"]
        for o in s["others"]:
            lines.append(f"| {o['design']} | {o['scenes']} | {o['own']} | {o['red']} | "
                         f"{_pct(o['red_share'])} | {_pct(o['leak'], 2)} |")
    return lines


def _notes(report: dict[str, Any]) -> list[str]:
    """Provenance and the definitions behind the columns."""
    lines: list[str] = []
    model = report["model"]
    lines += ["", (
        f"Model {model['name']} {model['version']}; `{report['command']}` at "
        f"{report['finished_at']} ({report['seconds']:.0f} s). A pixel is red when its CIELAB "
        f"hue is in [{RED_HUE[0]:.0f}, 360) or [0, {RED_HUE[1]:.0f}]° and C* >= "
        f"{RED_CHROMA:.0f}; strongly red from C* >= {STRONG_CHROMA:.0f}. A scene is red when "
        f">= {RED_SHARE:.0%} of its red-cloth pixels are. Leak: strongly red pixels outside the "
        f"whole-flag mask dilated {LEAK_DILATE} px where the truth is not red, over the pixels "
        "outside. Found/admitted: the retrieved flag-like exemplar's `found_in_photo` and "
        "whether the direct transfer moved any of its color (`transfer_share` > 0)."), ""]
    return lines


def sheet(scenes: Sequence[FlagScene], outputs: dict[tuple[str, str], Image.Image],
          records: dict[str, dict[str, Any]], tile: int = 170) -> Image.Image:
    """Rows: truth | gray input | output with hint | output caption only, labeled."""
    label_w, head, cell = 150, 22, tile * 4 // 3 + 4
    rows = [s for s in scenes if (s.id, "hint") in outputs]
    board = Image.new("RGB", (label_w + 4 * cell, head + len(rows) * (tile + 4) + 4),
                      (255, 255, 255))
    draw = ImageDraw.Draw(board)
    for c, title in enumerate(("truth", "gray input", f'hint "{SOVIET_HINT}"',
                               "caption only (no hint)")):
        draw.text((label_w + c * cell + 4, 4), title, fill=(0, 0, 0), font=_font(FONTS[0], 14))
    for r, scene in enumerate(rows):
        y = head + 4 + r * (tile + 4)
        images = [Image.fromarray((scene.truth * 255 + 0.5).astype(np.uint8)),
                  scene.input_image().convert("RGB"), outputs[(scene.id, "hint")],
                  outputs.get((scene.id, "caption"), Image.new("RGB", (8, 8), "white"))]
        for c, image in enumerate(images):
            image = image.copy()
            image.thumbnail((tile * 4 // 3, tile))
            board.paste(image, (label_w + c * cell, y))
        cond = records[scene.id]["conditions"]
        text = [scene.id, scene.geometry + (" / ortho" if scene.film != "L*" else ""),
                *[f"{c}: {100 * cond[c]['red_share']:.0f}% red" for c in ("hint", "caption",
                                                                          "none")
                  if c in cond and "red_share" in cond[c]]]
        draw.multiline_text((4, y + 4), "\n".join(text), fill=(0, 0, 0),
                            font=_font(FONTS[0], 13))
    return board


def sheet_ids(scenes: Sequence[FlagScene], per_kind: int = 2) -> set[str]:
    """Up to `per_kind` Soviet scenes of each kind (16 for the 8 kinds)."""
    chosen: dict[str, list[str]] = {}
    for s in scenes:
        if s.group == "soviet" and len(chosen.setdefault(s.kind, [])) < per_kind:
            chosen[s.kind].append(s.id)
    return {i for ids in chosen.values() for i in ids}
