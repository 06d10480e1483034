"""Does the color-negative note fire on ordinary photos? (colorizer/pipeline/negative.py)
And could a gray scan be told from a B&W negative? (eval/gray_negative_cues.py)

    python -m eval.negative_look [--shared DIR]   # the datasets (default: ../shared/datasets)

Every photo of historical-bw, real-color-dev and the Prokudin-Gorsky plates is read by the
pipeline's loader and given to `looks_like_color_negative` as the pipeline gives it (color
scans only: a gray one cannot look orange). Each is a false positive if it fires. The same
photos are then made into color negatives, their luminance inverted under three orange film
bases (scanned as they are, 8 bits), and each is a miss if it does not fire. The film bases
are made up, not measured from real stock: the hit rate says the rule is not blind to them,
not how it does on real scans.

The gray case: every photo of the same three sets and of photos-train's held-out halves
('val', 'test'), as the luminance the colorizer reads, is given to the gray cues (faces found
only in the inverse; a bright frame) as it is (a false alarm if a cue fires) and inverted, a
B&W negative scanned as it is (a hit if it fires). Photos "with people" are those in which
the detector finds a face as they are. The inverted copies are cropped photos: they carry no
rebate, so the frame cue's hits say nothing about real negatives, only its false alarms do.

Writes eval/results/negative-look.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from colorizer.pipeline.image_pixels import unit_pixels
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.negative import looks_like_color_negative
from colorizer.training.data import split_of
from eval.common import (
    RESULTS_DIR,
    VAL_FRACTION,
    add_shared_argument,
    luminance_input,
    shared_datasets,
)
from eval.gray_negative_cues import GrayCues, gray_cues, has_bright_frame

SETS = ("historical-bw", "real-color-dev", "prokudin-gorsky")
HELD_OUT = "photos-train"  # its 'val' and 'test' halves (never trained on)
FACE_COUNTS = (1, 2, 3)  # the face cue asks for at least this many faces in the inverse
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


def gray_photos(shared: Path) -> list[tuple[str, Path]]:
    """(set, path) of every photo the gray case reads."""
    found = [(folder, path) for folder in SETS for path in sorted((shared / folder).glob("*.*"))
             if path.suffix.lower() in (".jpg", ".png")]
    for path in sorted((shared / HELD_OUT).glob("*.jpg")):
        split = split_of(path, VAL_FRACTION)
        if split != "train":
            found.append((f"{HELD_OUT} {split}", path))
    return found


def luminance_of(path: Path) -> np.ndarray:
    """(H, W) uint8: a gray scan's levels as loaded; a color photo's L*, as the colorizer
    reads it (a color photo stands for the gray scan of the same scene)."""
    loaded = load_image(path)
    if loaded.is_color:
        return np.asarray(luminance_input(loaded.rgb))
    levels = loaded.pixels if loaded.pixels.ndim == 2 else loaded.pixels[..., 0]
    if levels.dtype != np.uint8:  # 16-bit gray is uint16 (0..65535), other deep gray floats
        levels = np.rint(unit_pixels(levels) * 255.0).astype(np.uint8)
    return levels


def inverse_cues(cues: GrayCues, gray: np.ndarray) -> GrayCues:
    """The cues of `255 - gray` from those of `gray`: the face counts swap places."""
    return GrayCues(faces_as_is=cues.faces_inverted, faces_inverted=cues.faces_as_is,
                    bright_frame=has_bright_frame(255 - gray))


def cue_milliseconds(gray: np.ndarray) -> float:
    """How long the cues take on `gray` at 512 pixels on its longest side."""
    image = Image.fromarray(gray)
    image.thumbnail((512, 512), Image.BILINEAR)
    small = np.asarray(image)
    start = time.perf_counter()
    gray_cues(small)
    return 1000.0 * (time.perf_counter() - start)


def measure_gray(shared: Path) -> dict:
    rows, times = [], []
    for folder, path in gray_photos(shared):
        gray = luminance_of(path)
        cues = gray_cues(gray)
        if len(times) < 20:  # a sample is enough for the time
            times.append(cue_milliseconds(gray))
        rows.append((f"{folder}/{path.name}", cues, inverse_cues(cues, gray)))
    people = [row for row in rows if row[1].faces_as_is > 0]
    faces = {n: {"false_alarms": [name for name, as_is, _ in rows
                                  if as_is.faces_only_inverted(n)],
                 "hits": sum(neg.faces_only_inverted(n) for _, _, neg in rows),
                 "hits_with_people": sum(neg.faces_only_inverted(n) for _, _, neg in people)}
             for n in FACE_COUNTS}
    sets: dict[str, int] = {}
    for name, _, _ in rows:
        sets[name.split("/")[0]] = sets.get(name.split("/")[0], 0) + 1
    return {"photos": len(rows), "sets": sets, "with_people": len(people), "faces": faces,
            "frame": {"false_alarms": [name for name, as_is, _ in rows if as_is.bright_frame],
                      "hits": sum(neg.bright_frame for _, _, neg in rows)},
            "cue_ms_median_512px": round(float(np.median(times)), 1) if times else None}


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
    if "gray" in result:
        lines += gray_lines(result["gray"])
    (RESULTS_DIR / "negative-look.md").write_text("\n".join(lines) + "\n")


def gray_lines(gray: dict) -> list[str]:
    """The gray case's section of the report."""
    photos, people = gray["photos"], gray["with_people"]
    sets = ", ".join(f"{name} {count}" for name, count in gray["sets"].items())
    lines = ["", "# A B&W negative scanned as gray (eval/gray_negative_cues.py)", "",
             (f"{photos} ordinary photos as the luminance the colorizer reads ({sets}); each "
              "also inverted, a B&W negative scanned as it is. "
              f"{people} of them show a face to the detector as they are ('with people')."), "",
             "| cue | false alarms (ordinary) | hits (inverted) | hits, with people |",
             "|---|---|---|---|"]
    for count, rule in gray["faces"].items():
        lines.append(f"| at least {count} face(s) in the inverse, none as it is "
                     f"| {len(rule['false_alarms'])} of {photos} | {rule['hits']} of {photos} "
                     f"| {rule['hits_with_people']} of {people} |")
    frame = gray["frame"]
    lines.append(f"| a bright frame on every edge (a clear rebate) "
                 f"| {len(frame['false_alarms'])} of {photos} "
                 f"| {frame['hits']} of {photos} (these copies have no rebate) | - |")
    lines += ["", f"The cues take {gray['cue_ms_median_512px']} ms (median) on a 512 px photo.",
              "", ("None is used: where the face cue has no false alarm it is silent on most "
                   "photos with people, and it costs far more than 30 ms; the frame cue fires "
                   "on prints with a white margin. A gray negative gets no note "
                   "(colorizer/pipeline/negative.py).")]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.negative_look",
                                     description=__doc__.splitlines()[0])
    add_shared_argument(parser, ", ".join(SETS))
    shared, _ = shared_datasets(parser.parse_args(argv))
    if not (shared / SETS[0]).is_dir():
        print(f"error: {shared / SETS[0]} is absent: pass --shared DIR", file=sys.stderr)
        return 2
    result = measure(shared)
    result["gray"] = measure_gray(shared)
    write(result)
    print(json.dumps({k: result[k] for k in ("photos", "false_positives", "misses")}))
    print(json.dumps({k: result["gray"][k] for k in ("photos", "with_people",
                                                      "cue_ms_median_512px")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
