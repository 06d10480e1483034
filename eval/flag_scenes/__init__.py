"""Flag scenes unlike our training renders: is Soviet red cloth red in photos as they show it?

    python -m eval.flag_scenes                        # 60 scenes x 3, 30 controls x 2, 12
    python -m eval.flag_scenes --limit 4 --set temperature=0.3 --set transfer.min_presence=0.2

    scenes = build_scenes(60, 30, 0)                  # from Python, no files written:
    summary = score_scenes(pipe.with_config(...), scenes, baseline=False)["summary"]

Why: eval.flag_bench (24/24 Soviet flags red) waves its flags the way the training data is
made (retrieval/render.py, colorizer/training/exemplar_data.py): one large flag on a pole, a
vertical sine wave growing from the hoist, luminance = L*. Real photos show other drawings, at
angles, in deep folds, small and many, half hidden, beside flags of other colors, and on film
that is not L*. Every scene here is built from its own seed, on a held-out photo (the test split
flag_bench uses; never training photos, never real-color-dev), with distortions of its own:

- drawings: the flags folder's USSR SVG (it holds no other USSR variant), a 1:2 variant drawn
  here as SVG, and cloth drawn here with PIL: a red flag with a gold hammer-and-sickle-like
  emblem and fringe, a plain red flag, a slogan banner in Cyrillic (DejaVu), a vertical hanging
  banner, a narrow ribbon; reds vary between kumach shades.
- geometry: a projective warp of the layout box; folds as a sum of sines of several
  frequencies (tilted), mapped by arc length (a horizontal displacement: steep folds show less
  cloth) and shaded by Lambert from the fold normal; the sag of a banner hung by its ends.
- kinds (cycled): angle, fold, hanging (vertical banners), crowd (4-7 flags and ribbons of
  1-3% of the photo), slogan, hidden (a rectangle of the photo pasted over 25-50% of the
  flag), beside (flags of other colors next to it), ortho (one of the first five geometries
  seen through orthochromatic film: linear Y = 0.05 R + 0.45 G + 0.5 B, so red prints dark).
  Every input gets a little film grain.

Conditions: Soviet scenes with the hint "USSR 1950" and, separately, with no hint but a
Cyrillic caption (`caption=`), and with neither (the baseline: what hint or caption changed);
the bare control photos with "USSR 1950" and with nothing; German and Russian Empire flags
with their own hint (report only).

Scores (per pixel, CIELAB): red = hue in RED_HUE and C* >= RED_CHROMA; strongly red = the same
hue with C* >= STRONG_CHROMA. A scene is red when RED_SHARE of its red-cloth pixels are red.
Red leak: the share of the photo's pixels outside the scored cloth's whole mask (dilated;
flags of other colors count as outside) that are strongly red where the truth is not red.
Control gain: the strongly-red share with the hint minus without, on the bare photos.
Writes <out>/flag_scenes.json, flag_scenes.md and sheet.png.
"""

from __future__ import annotations

from eval.flag_scenes.cli import build_parser, configured, main
from eval.flag_scenes.definitions import (
    BACKGROUND,
    CAPTIONS,
    DETAIL,
    DISTRACTORS,
    FLAG_DESIGNS,
    KINDS,
    LEAK_DILATE,
    MIN_RED_PIXELS,
    ORTHO_GEOMETRIES,
    OTHER,
    OTHER_FLAGS,
    OTHER_GEOMETRIES,
    OUT_DIR,
    PALETTE0,
    POLE,
    RED,
    RED_CHROMA,
    RED_HUE,
    RED_SHARE,
    STRONG_CHROMA,
    TARGETS,
    red_hue,
    red_pixels,
)
from eval.flag_scenes.drawings import DesignBook, Texture, load_designs
from eval.flag_scenes.hanging import Layer, Placement, compose, fold_field, homography, warp
from eval.flag_scenes.layouts import _single, occlude
from eval.flag_scenes.report import markdown, sheet, sheet_ids
from eval.flag_scenes.scenes import (
    FlagScene,
    build_scenes,
    control_scene,
    film_gray,
    other_scene,
    soviet_scene,
)
from eval.flag_scenes.scoring import conditions, run_scene, score_output, score_scenes
from eval.flag_scenes.summary import summarize

__all__ = [
    "BACKGROUND", "CAPTIONS", "DETAIL", "DISTRACTORS", "FLAG_DESIGNS", "KINDS", "LEAK_DILATE",
    "MIN_RED_PIXELS", "ORTHO_GEOMETRIES", "OTHER", "OTHER_FLAGS", "OTHER_GEOMETRIES",
    "OUT_DIR", "PALETTE0", "POLE", "RED", "RED_CHROMA", "RED_HUE", "RED_SHARE",
    "STRONG_CHROMA", "TARGETS", "DesignBook", "FlagScene", "Layer", "Placement", "Texture",
    "_single", "build_parser", "build_scenes", "compose", "conditions", "configured",
    "control_scene", "film_gray", "fold_field", "homography", "load_designs", "main",
    "markdown", "occlude", "other_scene", "red_hue", "red_pixels", "run_scene",
    "score_output", "score_scenes", "sheet", "sheet_ids", "soviet_scene", "summarize", "warp",
]



