"""Are the two views of a stereo card colored alike, and is its mount left unpainted?

    python -m eval.stereo_halves [--shared DIR]   # the datasets (default: ../shared/datasets)

In a stereoscope each eye sees one view: where the two are colored differently the eyes
rival. Each photo of `PHOTOS` is made into a stereo card as people scan one: two square views
of it 14 source pixels apart (a stereo baseline's shift), 300 px each, side by side on a flat
gray card 700 x 360, the whole saved as a gray scan. The card is colorized by the default
pipeline (embedded weights, context and exemplars on, as the CLI runs), the right view is
aligned onto the left (phase correlation of their L*) and the two views' colors are compared
under the left view's L* (CIEDE2000 of the chroma alone: the views' own tones differ by the
shift), 20 px in from their edges. The mount's mean chroma C* says whether it was painted
(a gray card should stay gray). Each card is colorized twice: as shipped, and with the
stereo mount left as it was before colorizer/pipeline/stereo.py (its clearing skipped).

The detector's false positives: every photo of historical-bw, real-color-dev and the
Prokudin-Gorsky plates, read by the pipeline's loader, given to `stereo_views` (it fires on
none to pass), and the highest halves' correlation among them without the aspect gate.

Writes eval/results/stereo-halves.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from PIL import Image
from scipy.ndimage import shift as shifted
from skimage.color import deltaE_ciede2000, rgb2lab
from skimage.registration import phase_cross_correlation

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from colorizer.pipeline.stereo import halves_correlation, stereo_views
from eval.common import (
    RESULTS_DIR,
    absent_data,
    add_shared_argument,
    missing_data,
    shared_datasets,
)
from eval.surround_off import colorized_without

PHOTOS = ("historical-bw/deoldify__1899NycBlizzard.jpg", "historical-bw/deoldify__1890Surfer.jpg",
          "historical-bw/deoldify__1900sDaytonaBeach.jpg",
          "historical-bw/deoldify__Killarney1910.jpg",
          "historical-bw/deoldify__1892WaterLillies.jpg",
          "historical-bw/deoldify__LondonSheep1920s.jpg",
          "historical-bw/deoldify__HydeParkLondon1920s.jpg",
          "historical-bw/deoldify__1910Bike.jpg", "prokudin-gorsky/pg_camel.jpg",
          "prokudin-gorsky/pg_belaia_river.jpg", "real-color-dev/bopb__old_a.png",
          "real-color-dev/bopb__old_c.png")
VIEW, SHIFT, MOUNT_LEVEL, MARGIN = 300, 14, 175, 20
LEFT, RIGHT = (slice(30, 330), slice(40, 340)), (slice(30, 330), slice(360, 660))


def stereo_card(photo: Image.Image) -> Image.Image:
    """Two views of `photo` (gray) SHIFT source px apart on a flat gray card."""
    width, height = photo.size
    side = min(width // 2, height)
    x, y = max(0, (width - side) // 2 - SHIFT), (height - side) // 2
    card = Image.new("L", (700, 360), MOUNT_LEVEL)
    for left, dx in ((40, 0), (360, SHIFT)):
        view = photo.crop((x + dx, y, x + dx + side, y + side)).resize((VIEW, VIEW))
        card.paste(view, (left, 30))
    return card


def compare(colored: Image.Image) -> dict:
    lab = rgb2lab(np.asarray(colored.convert("RGB"), np.float64) / 255)
    left, right = lab[LEFT], lab[RIGHT]
    offset, _, _ = phase_cross_correlation(left[..., 0], right[..., 0], upsample_factor=4)
    right = np.stack([shifted(right[..., c], offset, order=1) for c in range(3)], -1)
    inner = (slice(MARGIN, -MARGIN), slice(MARGIN, -MARGIN))
    a, b = left[inner], right[inner].copy()
    b[..., 0] = a[..., 0]
    delta = deltaE_ciede2000(a, b)
    mount = np.ones(lab.shape[:2], bool)
    mount[LEFT] = mount[RIGHT] = False
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    return {"de00_mean": round(float(delta.mean()), 2),
            "de00_p95": round(float(np.percentile(delta, 95)), 2),
            "view_chroma": round(float(np.hypot(a[..., 1], a[..., 2]).mean()), 2),
            "mount_chroma": round(float(chroma[mount].mean()), 2),
            "mount_hue": round(float(np.degrees(np.arctan2(lab[..., 2][mount].mean(),
                                                           lab[..., 1][mount].mean())) % 360))}


def false_positives(shared) -> dict:
    """How the detector does on ordinary photos (see the module docstring)."""
    fired, highest, photos = [], (0.0, ""), 0
    for folder in ("historical-bw", "real-color-dev", "prokudin-gorsky"):
        for path in sorted((shared / folder).glob("*.*")):
            if path.suffix.lower() not in (".jpg", ".png"):
                continue
            lightness = lightness_of(load_image(path))[0, 0].numpy()
            photos += 1
            if stereo_views(lightness) is not None:
                fired.append(f"{folder}/{path.name}")
            highest = max(highest, (_ungated_correlation(lightness), f"{folder}/{path.name}"))
    return {"photos": photos, "fired": fired, "highest_correlation": round(highest[0], 3),
            "highest_photo": highest[1]}


def _ungated_correlation(lightness: np.ndarray) -> float:
    from scipy.ndimage import gaussian_filter

    height, width = lightness.shape
    small = np.asarray(Image.fromarray(lightness).resize(
        (320, max(8, round(320 * height / width))), Image.Resampling.BILINEAR), np.float64)
    return halves_correlation(small - gaussian_filter(small, 2.0))


def write(rows: dict, ordinary: dict) -> None:
    (RESULTS_DIR / "stereo-halves.json").write_text(
        json.dumps({"cards": rows, "ordinary": ordinary}, indent=1) + "\n")
    lines = ["# Stereo cards: the two views' colors and the mount", "",
             ("`python -m eval.stereo_halves` (how the cards are made: its docstring). "
              "CIEDE2000 between the aligned views' chroma; C* of the views and of the gray "
              "mount (0 = unpainted), before (the mount's clearing skipped) → as shipped; "
              "ΔE00 views: how far the shipped views' colors moved from before."), "",
             ("| photo | ΔE00 between views | views C* | mount C* | mount hue before | "
             "ΔE00 views |"), "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {name} | {r['before']['de00_mean']} → {r['now']['de00_mean']} | "
              f"{r['now']['view_chroma']} | {r['before']['mount_chroma']} → "
              f"{r['now']['mount_chroma']} | {r['before']['mount_hue']} | {r['views_moved']} |"
              for name, r in rows.items()]
    mean = {k: {w: np.mean([r[w][k] for r in rows.values()]) for w in ("before", "now")}
            for k in ("de00_mean", "mount_chroma")}
    lines += ["", (f"Mean over {len(rows)} cards: ΔE00 between the views "
              f"{mean['de00_mean']['before']:.2f} → {mean['de00_mean']['now']:.2f}, mount C* "
              f"{mean['mount_chroma']['before']:.1f} → {mean['mount_chroma']['now']:.1f}."), "",
              (f"Ordinary photos: the detector fires on **{len(ordinary['fired'])} of "
               f"{ordinary['photos']}** (historical-bw, real-color-dev, prokudin-gorsky); "
               f"their halves' highest correlation without the aspect gate "
               f"{ordinary['highest_correlation']} ({ordinary['highest_photo']}); the cards' "
               f"lowest {min(r['correlation'] for r in rows.values())}.")]
    (RESULTS_DIR / "stereo-halves.md").write_text("\n".join(lines) + "\n")


def colorize_both(pipe: ColorizationPipeline, card: Image.Image) -> dict:
    now = pipe(card).image
    before = colorized_without(pipe, card, "stereo_inside")  # as before stereo.py
    moved = deltaE_ciede2000(*(rgb2lab(np.asarray(i.convert("RGB"))[LEFT] / 255.0)
                               for i in (before, now)))[MARGIN:-MARGIN, MARGIN:-MARGIN]
    return {"before": compare(before), "now": compare(now),
            "views_moved": round(float(moved.mean()), 2),
            "correlation": round(_ungated_correlation(
                lightness_of(load_image(card))[0, 0].numpy()), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.stereo_halves",
                                     description=__doc__.splitlines()[0])
    add_shared_argument(parser, "historical-bw, prokudin-gorsky, real-color-dev")
    shared, asked = shared_datasets(parser.parse_args(argv))
    if problem := absent_data(shared, "historical-bw", "prokudin-gorsky", "real-color-dev"):
        return missing_data(asked, "stereo_halves", problem)
    pipe = ColorizationPipeline.from_pretrained()
    rows = {}
    for name in PHOTOS:
        rows[name] = colorize_both(pipe, stereo_card(Image.open(shared / name).convert("L")))
        print(name, rows[name], flush=True)
    ordinary = false_positives(shared)
    print(ordinary)
    write(rows, ordinary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
