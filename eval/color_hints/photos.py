"""Color hints on photos with known colors: random points of their true color, what they fix,
whether their region reaches its color, whether it bleeds, and what an edit costs.

Per photo (its luminance in, the true color photo as the truth):
    fresh      the pipeline without hints (timed: a first run of this photo)
    1 point    one point of the truth's color at a random place (timed: the first hinted
               run, reusing the fresh run's steps 2-6 and building what hints need once)
    edit       point 1 and a new one after the 1-point run (timed: an edit with one
               more hint; twice, each time another new point, the faster kept)
Each is timed twice and the faster kept (the fresh run on a second pipeline with an empty edit
cache), in CPU seconds of this process and its children (Tesseract may run as one): on a
shared machine wall time measures the neighbours too (one photo's fresh run read 0.2 s, then
12 s), and with one torch thread (`--threads 1`) CPU time is what a dedicated core would take.
    5 points   five such points (the first one included)
Scores: mean CIEDE2000 against the truth of each; for the first point, its *segment* (the
true photo's own region around it: a Felzenszwalb segmentation of the color truth, which the
colorizer never sees) and
    at_point        CIEDE2000 of the output to the hinted color (the output's L*, the hint's
                    a*b*) over the 3 x 3 pixels at the point
    over_segment    the same over the segment
    bleed           mean CIEDE2000 between the hinted and the unhinted output outside the
                    segment (what the hint changed where it should not)
"""

from __future__ import annotations

import resource
from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage.color import deltaE_ciede2000
from skimage.segmentation import felzenszwalb

from colorizer.pipeline.color_hints import ColorHint, Point, hex_color
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.hint_spread import hint_ab
from eval import metrics
from eval.common import luminance_input, pixels

LONG_SIDE = 512  # photos are scored at this long side (the pipeline's cost grows with it)
POINTS = 5
BORDER = 0.03  # points keep this share of the long side from the photo's border
# Felzenszwalb on the truth at LONG_SIDE: scale 300 gives object-sized segments (a wall, a
# sky, a coat) on photos-train, not stripes of texture; min_size keeps specks out.
SEGMENT_SCALE = 300
SEGMENT_MIN = 200


@dataclass(frozen=True)
class PhotoScores:
    name: str
    size: tuple[int, int]
    de_none: float
    de_one: float
    de_five: float
    at_point: float
    over_segment: float
    segment_share: float
    bleed: float
    fresh_s: float
    first_hint_s: float
    edit_s: float
    points: list[dict[str, object]]

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def load_truth(path) -> np.ndarray:
    """A color photo as (H, W, 3) float sRGB with its long side at most LONG_SIDE."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        rgb.thumbnail((LONG_SIDE, LONG_SIDE), Image.LANCZOS)
        return np.asarray(rgb, dtype=np.float64) / 255.0


def random_points(rng: np.random.Generator, shape: tuple[int, int], count: int
                  ) -> list[tuple[int, int]]:
    """`count` (x, y) uniformly at random, `BORDER` of the long side away from the border."""
    h, w = shape
    margin = max(1, round(BORDER * max(h, w)))
    return [(int(rng.integers(margin, w - margin)), int(rng.integers(margin, h - margin)))
            for _ in range(count)]


def truth_hints(truth: np.ndarray, points: list[tuple[int, int]]) -> list[ColorHint]:
    """Point hints of the truth's color (the 8-bit pixel) at each point."""
    out = []
    for x, y in points:
        rgb = tuple(int(v * 255 + 0.5) for v in truth[y, x])
        out.append(ColorHint(Point(x, y), hex_color(rgb), source="the photo's true color"))
    return out


def segment_of(truth: np.ndarray, point: tuple[int, int]) -> np.ndarray:
    """(H, W) bool: the truth's Felzenszwalb segment containing the point."""
    labels = felzenszwalb(truth, scale=SEGMENT_SCALE, sigma=0.8, min_size=SEGMENT_MIN)
    return labels == labels[point[1], point[0]]


def to_hint_color(output_lab: np.ndarray, hint: ColorHint) -> np.ndarray:
    """(H, W) CIEDE2000 of the output to the hint's color at the output's own L*."""
    a, b = hint_ab(hint.rgb)
    target = output_lab.copy()
    target[..., 1], target[..., 2] = a, b
    return deltaE_ciede2000(target, output_lab, channel_axis=-1)


def score_photo(pipe: ColorizationPipeline, name: str, truth: np.ndarray,
                rng: np.random.Generator) -> PhotoScores:
    gray = luminance_input(truth)
    truth_lab = metrics.lab_of(truth)
    points = random_points(rng, truth.shape[:2], POINTS)
    hints = truth_hints(truth, points)
    fresh_s, plain = _timed(lambda run: run(gray), [pipe.with_config(), pipe])
    first_hint_s, hinted = _timed(lambda run: run(gray, color_hints=hints[:1]),
                                  [pipe.with_config(), pipe], prime=lambda run: run(gray))
    # The edit: one new point beside the first, twice with a different new point each time
    # (the same two points again would find both distances kept and time nothing new).
    edit_s = min(_timed(lambda run, extra=extra: run(gray, color_hints=[hints[0], extra]),
                        [pipe])[0] for extra in hints[1:3])
    none, one = pixels(plain.image), pixels(hinted.image)
    five = pixels(pipe(gray, color_hints=hints).image)
    labs = [metrics.lab_of(p) for p in (none, one, five)]
    de = [float(deltaE_ciede2000(truth_lab, lab, channel_axis=-1).mean()) for lab in labs]
    x, y = points[0]
    segment = segment_of(truth, points[0])
    reach = to_hint_color(labs[1], hints[0])
    change = deltaE_ciede2000(labs[0], labs[1], channel_axis=-1)
    return PhotoScores(
        name=name, size=(truth.shape[1], truth.shape[0]), de_none=de[0], de_one=de[1],
        de_five=de[2], at_point=float(reach[y - 1:y + 2, x - 1:x + 2].mean()),
        over_segment=float(reach[segment].mean()), segment_share=float(segment.mean()),
        bleed=float(change[~segment].mean()) if (~segment).any() else 0.0,
        fresh_s=fresh_s, first_hint_s=first_hint_s, edit_s=edit_s,
        points=[{"x": h.where.x, "y": h.where.y, "color": h.color} for h in hints])


def _timed(call, runners: list[ColorizationPipeline], prime=None):
    """(the fewest CPU seconds of `call(runner)` over the runners, the last result);
    `prime(runner)` runs first, untimed."""
    best, result = float("inf"), None
    for runner in runners:
        if prime is not None:
            prime(runner)
        start = _cpu_seconds()
        result = call(runner)
        best = min(best, _cpu_seconds() - start)
    return best, result


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children, to the
    microsecond (`os.times` counts 10-ms ticks: a sixth of an edit)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def summarize(scores: list[PhotoScores]) -> dict[str, float]:
    """The acceptance figures over photos (means; ratios of the means)."""
    def mean(key: str) -> float:
        return float(np.mean([getattr(s, key) for s in scores]))

    none, one, five = mean("de_none"), mean("de_one"), mean("de_five")
    ratios = [s.edit_s / s.fresh_s for s in scores]
    return {"photos": len(scores), "de_none": none, "de_one_point": one,
            "de_five_points": five, "reduction_one_point": 1 - one / none,
            "reduction_five_points": 1 - five / none, "at_point": mean("at_point"),
            "over_segment": mean("over_segment"), "segment_share": mean("segment_share"),
            "bleed": mean("bleed"), "bleed_max": float(max(s.bleed for s in scores)),
            "fresh_s": mean("fresh_s"), "first_hint_s": mean("first_hint_s"),
            "edit_s": mean("edit_s"),
            "first_hint_ratio_median": float(np.median([s.first_hint_s / s.fresh_s
                                                        for s in scores])),
            "edit_ratio_median": float(np.median(ratios)),
            "edit_ratio_mean": float(np.mean(ratios))}
