"""Flag benchmark (issue 6): does context make a Soviet flag red, and other flags their own colors?

    OMP_NUM_THREADS=1 python -m eval.flag_bench      # default weights; ~1-2 min on one CPU core

Scenes are built at run time, never stored: a flag from `../shared/datasets/flags` (SVG,
rasterized with resvg-py) is waved and shaded like cloth and placed, 12-35% of the image area,
on a real color photo the generator never trained on (the held-out "test" split of
photos-train). The color composite is the truth; its luminance, as an 8-bit gray PIL image
(not a path: the pipeline would read a path's file name as a caption), is what the pipeline
sees. Each scene also has a captioned variant: the same scene with a legible sign in the
flag's language ("КАЗАНЬ 1952", "BERLIN 1900").

Each gray scene is colorized under three conditions: `hint` (the plain scene with a hint such
as "USSR 1950"), `caption` (the captioned scene, no hint: context must read the sign) and
`none` (the plain scene, no hint: the control). Scoring uses CIELAB inside the flag mask
(eroded, so edges do not count): hue = atan2(mean b*, mean a*), chroma = mean of C*. A flag
is *red* when its hue is in [0, 60] degrees and its chroma is at least 30. A flag has its
*own colors* when every chromatic color of the design (truth C* >= 25) that covers at least
15% of the flag is predicted within 40 degrees of its true hue with at least 40% of its true
chroma. The gray baseline and the truth itself are scored as sanity rows.

Writes `<out>/flags.json` (every scene and condition, including what context read from each
caption) and `<out>/flags.md`, and prints the table.
"""

from __future__ import annotations

from eval.common import RESULTS_DIR, VAL_FRACTION
from eval.flag_bench.cli import build_parser, main
from eval.flag_bench.report import markdown
from eval.flag_bench.scenes import (
    MASK_ERODE,
    REGION_ERODE,
    SHARE_RANGE,
    Scene,
    build_scene,
    build_scenes,
    cloth,
    draw_sign,
)
from eval.flag_bench.scoring import (
    ACCEPTANCE,
    CONDITIONS,
    RED_HUE,
    RED_MIN_CHROMA,
    is_red,
    per_flag,
    run_scene,
    score,
    summarize,
)
from eval.flags.backgrounds import LONG_SIDE, background_photos, load_background
from eval.flags.designs import (
    CHROMATIC,
    MIN_REGION_SHARE,
    OTHERS,
    SOVIET,
    Flag,
    FlagSpec,
    design_palette,
    load_flag,
    rasterize,
)
from eval.flags.measure import CHROMA_RATIO, HUE_TOLERANCE, hue_chroma
from eval.flags.measure import context_read as _context_read

__all__ = [
    "ACCEPTANCE",
    "CHROMATIC",
    "CHROMA_RATIO",
    "CONDITIONS",
    "HUE_TOLERANCE",
    "LONG_SIDE",
    "MASK_ERODE",
    "MIN_REGION_SHARE",
    "OTHERS",
    "RED_HUE",
    "RED_MIN_CHROMA",
    "REGION_ERODE",
    "RESULTS_DIR",
    "SHARE_RANGE",
    "SOVIET",
    "VAL_FRACTION",
    "Flag",
    "FlagSpec",
    "Scene",
    "_context_read",
    "background_photos",
    "build_parser",
    "build_scene",
    "build_scenes",
    "cloth",
    "design_palette",
    "draw_sign",
    "hue_chroma",
    "is_red",
    "load_background",
    "load_flag",
    "main",
    "markdown",
    "per_flag",
    "rasterize",
    "run_scene",
    "score",
    "summarize",
]



