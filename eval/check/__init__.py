"""Does `chronochrome check` flag wrong colors and pass right ones?

    python -m eval.check                    # 48 cases, real-color-dev, 60 calibration photos
    python -m eval.check --limit 6 --calibration 0 --no-real

Cases (eval/check/cases.py): 24 scenes (12 Soviet flags, 3 French tricolours, 3 US flags,
2 German Empire flags, 2 French horizon-blue and 2 British khaki uniform cloths) on held-out
photos, colorized by our pipeline with the scene's hint, then recolored right (the cloth's
true colors) and wrong (a Soviet flag blue or gray, a tricolour's red green, ...): 24 right and
24 wrong, built deterministically. A case is flagged when the check reports any finding.

Photos with true colors must raise no finding: real-color-dev (57 old color photographs,
checked with their era and place as hint; reported, never tuned on) and calibration photos
(train-split photos of photos-train with the cases' hints, on which the thresholds of
colorizer/check/config.py were set). Writes eval/results/check.md and check.json.

`python -m eval.check.whole_photo` measures a whole-photo statistic (the share of a photo's
colored area whose colors the model finds unlikely) on train-split true photos and their
hue-turned and channel-swapped versions; it did not meet its rule, so the check has no such
finding (eval/results/check-whole-photo.md).
"""

from eval.check.cli import main

__all__ = ["main"]
