"""A color input of several hues (a hand-tinted or faded color print) gets a note beside "color
input reduced to luminance" saying how its own colors are kept: give the photo as its own
exemplar. A toned print (sepia, selenium, cyanotype: one toner) gets none; its one hue is what
the colorization replaces on purpose.

Colorized from its luminance, a hand-tinted print loses the tinting that was its point; with
itself as `--exemplar` the colors are copied back (an earlier audit: CIEDE2000 distance to the
print's own colors 8.5 -> 2.0 on a hand-tinted print).

"Several hues" is read per lightness: a toner's hue drifts with density (sepia shadows are
redder than its highlights, a split-toned print two hues apart), so each tenth of the L* range
is compared with its own mean hue. A print has several hues when at least `_OFF_HUE_SHARE` of
all its pixels are clearly colored (C* >= `_MIN_CHROMA`) and more than `_HUE_APART` degrees
from the mean hue of their lightness. Measured (2026-12-06) on historical-bw (194 photos: 107
load as color, 59 of them clearly toned, C* >= 8 in a tenth of their pixels): at most 2.4% (a
tinted postcard), so none gets the note; of real-color-dev's 8 old color photos the four of
several hues read 16-24%, the four of one cast (yellowed or faded to one hue) 0-1.4%. A color
negative's orange film base holds its hues together: those four made into color negatives (the
base of tests/pipeline/test_negative.py) read 0.6-4.8%, so a scanned negative is not told to
be its own exemplar.

Only a note: the pixels, and so the colorization, are the same as before.
"""

from __future__ import annotations

import numpy as np
import torch

from colorizer.model.colorspace import rgb_to_lab

SEVERAL_HUES_NOTE = ("its colors are of several hues (a hand-tinted or color print?): to keep "
                     "them, give the photo as its own exemplar (--exemplar SAME_FILE; Python: "
                     "exemplars=[the same file])")
_MIN_CHROMA = 8.0  # C* below this: paper tone or JPEG noise, whose hue means nothing
_HUE_APART = 45.0  # degrees from the mean hue of the pixel's lightness
_OFF_HUE_SHARE = 0.06  # of all pixels (historical-bw at most 0.024; several hues 0.16+)
_SAMPLE_PIXELS = 100_000  # read at most about this many pixels (a statistic of the photo)


def tint_notes(pixels: np.ndarray) -> list[str]:
    """[SEVERAL_HUES_NOTE] for color `pixels` ((H, W, 3), uint8 or float in [0, 1]) of
    several hues; [] otherwise."""
    return [SEVERAL_HUES_NOTE] if off_hue_share(pixels) >= _OFF_HUE_SHARE else []


def off_hue_share(pixels: np.ndarray) -> float:
    """Share of the pixels that are clearly colored and of another hue than the mean hue of
    their lightness (0 for a gray or one-toned photo)."""
    if pixels.ndim != 3:
        return 0.0
    step = max(1, int(np.sqrt(pixels.shape[0] * pixels.shape[1] / _SAMPLE_PIXELS)))
    sample = np.ascontiguousarray(pixels[::step, ::step])
    rgb = sample.astype(np.float32) / (255.0 if sample.dtype == np.uint8 else 1.0)
    lab = rgb_to_lab(torch.from_numpy(rgb.reshape(1, -1, 1, 3)).permute(0, 3, 1, 2))
    lightness, a, b = (channel.flatten().numpy() for channel in lab[0])
    colored = np.hypot(a, b) >= _MIN_CHROMA
    if not colored.any():
        return 0.0
    lightness, a, b = lightness[colored], a[colored], b[colored]
    hue = np.degrees(np.arctan2(b, a))
    tenth = np.clip((lightness / 10).astype(int), 0, 9)
    off = 0
    for k in np.unique(tenth):
        here = tenth == k
        mean = np.degrees(np.arctan2(b[here].mean(), a[here].mean()))
        off += int((np.abs((hue[here] - mean + 180) % 360 - 180) > _HUE_APART).sum())
    return off / lightness.size * colored.mean()
