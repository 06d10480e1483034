"""Does the color-negative note fire on ordinary photos? (colorizer/pipeline/negative.py)

    python -m eval.negative_look [--shared DIR]   # the datasets (default: ../shared/datasets)

Every photo of historical-bw, real-color-dev and the Prokudin-Gorsky plates is read by the
pipeline's loader and given to `looks_like_color_negative` as the pipeline gives it (color
scans only: a gray one cannot look orange). Each is a false positive if it fires. The same
photos are then made into color negatives, their luminance inverted under three orange film
bases (scanned as they are, 8 bits), and each is a miss if it does not fire. The film bases
are made up, not measured from real stock: the hit rate says the rule is not blind to them,
not how it does on real scans.

Writes eval/results/negative-look.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.negative import looks_like_color_negative
from eval.common import RESULTS_DIR, add_shared_argument, shared_datasets

SETS = ("historical-bw", "real-color-dev", "prokudin-gorsky")
# sRGB levels of a clear film base (brightest) per channel: orange masks of color stock.
BASES = {"deep orange": (0.95, 0.62, 0.38), "orange": (0.90, 0.60, 0.42),
         "dark orange": (0.85, 0.55, 0.35)}


def orange_negative(rgb: np.ndarray, base: tuple[float, float, float]) -> np.ndarray:
    """An 8-bit scan of `rgb` (float in [0, 1]) as a color negative on film `base`."""
    density = 1.0 - rgb.mean(axis=-1, keepdims=True)
    return np.rint(255 * (0.08 + 0.9 * density) * np.array(base)).astype(np.uint8)


def measure(shared) -> dict:
    found, misses, photos = [], {name: [] for name in BASES}, 0
    for folder in SETS:
        for path in sorted((shared / folder).glob("*.*")):
            if path.suffix.lower() not in (".jpg", ".png"):
                continue
            loaded = load_image(path)
            photos += 1
            if loaded.is_color and looks_like_color_negative(loaded.pixels):
                found.append(f"{folder}/{path.name}")
            for name, base in BASES.items():
                if not looks_like_color_negative(orange_negative(loaded.rgb, base)):
                    misses[name].append(f"{folder}/{path.name}")
    return {"photos": photos, "false_positives": found,
            "misses": {name: len(m) for name, m in misses.items()},
            "missed": {name: m[:10] for name, m in misses.items()}}


def write(result: dict) -> None:
    (RESULTS_DIR / "negative-look.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = ["# The color-negative note on ordinary photos", "",
             ("`python -m eval.negative_look` (colorizer/pipeline/negative.py). Each photo "
              "read by the pipeline's loader."), "",
             f"- False positives: **{len(result['false_positives'])} of {result['photos']}** "
             "ordinary photos (historical-bw, real-color-dev, prokudin-gorsky)"
             + "".join(f"\n  - {name}" for name in result["false_positives"]),
             "- Misses on the same photos made into color negatives (made-up film bases):"]
    lines += [f"  - {name}: {count} of {result['photos']}"
              for name, count in result["misses"].items()]
    (RESULTS_DIR / "negative-look.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.negative_look",
                                     description=__doc__.splitlines()[0])
    add_shared_argument(parser, ", ".join(SETS))
    shared, _ = shared_datasets(parser.parse_args(argv))
    if not (shared / SETS[0]).is_dir():
        print(f"error: {shared / SETS[0]} is absent: pass --shared DIR", file=sys.stderr)
        return 2
    result = measure(shared)
    write(result)
    print(json.dumps({k: result[k] for k in ("photos", "false_positives", "misses")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
