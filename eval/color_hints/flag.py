"""One point on a flag colors the whole flag and nothing beyond it.

Rendered scenes of eval/flag_scenes (a Soviet flag drawn into a held-out photo, its gray
print what the colorizer sees, the cloth's true extent known): one point of the flag's red,
picked at random on its red cloth. Scored:
    flag_reached   share of the red cloth whose output is within CIEDE2000 10 of the red
                   (at the output's L*)
    outside_change mean CIEDE2000 between the hinted and the unhinted output off the flag
                   (cloth, pole, emblem) and 4 px around it
and a picture: gray input | no hint | one point (marked) | the region map.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy.ndimage import binary_dilation
from skimage.color import deltaE_ciede2000

from colorizer.pipeline.color_hints import ColorHint, Point, hex_color
from colorizer.pipeline.colorization import ColorizationPipeline
from eval import metrics
from eval.color_hints.photos import to_hint_color
from eval.common import SHARED_DATASETS, pixels
from eval.flag_scenes.scenes import FlagScene, build_scenes

REACHED = 10.0  # CIEDE2000 to the hinted red below which a cloth pixel counts as reached
HALO = 4  # px around the flag that are neither flag nor "beyond it" (anti-aliased border)


def flag_scenes(count: int, shared: Path = SHARED_DATASETS) -> list[FlagScene]:
    """The first `count` Soviet scenes of single flags (angle and fold layouts), from the
    flags and photos of `shared` (the shared datasets folder)."""
    scenes = build_scenes(count=4 * count, controls=0, others=0, shared=shared)
    return [s for s in scenes if s.kind in ("angle", "fold")][:count]


def score_flag(pipe: ColorizationPipeline, scene: FlagScene, rng: np.random.Generator
               ) -> tuple[dict[str, object], Image.Image]:
    rows, cols = np.nonzero(scene.red_mask)
    pick = int(rng.integers(len(rows)))
    x, y = int(cols[pick]), int(rows[pick])
    rgb = tuple(int(v * 255 + 0.5) for v in scene.truth[y, x])
    hint = ColorHint(Point(x, y), hex_color(rgb), source="the scene's true flag red")
    gray = scene.input_image()
    plain = pipe(gray)
    hinted = pipe(gray, color_hints=[hint])
    lab_plain, lab_hint = (metrics.lab_of(pixels(r.image)) for r in (plain, hinted))
    reach = to_hint_color(lab_hint, hint)
    flag = binary_dilation(scene.flag_mask | scene.red_mask, iterations=HALO)
    change = deltaE_ciede2000(lab_plain, lab_hint, channel_axis=-1)
    score = {"scene": scene.id, "background": scene.background, "point": [x, y],
             "color": hint.color, "flag_share": float(scene.red_mask.mean()),
             "flag_reached": float((reach[scene.red_mask] <= REACHED).mean()),
             "flag_de_to_hint": float(reach[scene.red_mask].mean()),
             "outside_change": float(change[~flag].mean()),
             "outside_changed_share": float((change[~flag] > 2.0).mean())}
    return score, _picture(gray, plain.image, hinted, (x, y))


def _picture(gray: Image.Image, plain: Image.Image, hinted, point: tuple[int, int]
             ) -> Image.Image:
    marked = hinted.image.copy()
    draw = ImageDraw.Draw(marked)
    x, y = point
    draw.ellipse((x - 5, y - 5, x + 5, y + 5), outline="white", width=2)
    draw.ellipse((x - 7, y - 7, x + 7, y + 7), outline="black", width=1)
    panels = [gray.convert("RGB"), plain, marked, hinted.color_regions.image().convert("RGB")]
    width, height = panels[0].size
    sheet = Image.new("RGB", (4 * width + 12, height + 18), "white")
    labels = ["gray input", "no hint", "one point (circled)", "region map (red: the hint)"]
    draw = ImageDraw.Draw(sheet)
    for i, (panel, label) in enumerate(zip(panels, labels)):
        sheet.paste(panel, (i * (width + 4), 18))
        draw.text((i * (width + 4) + 2, 3), label, fill="black")
    return sheet
