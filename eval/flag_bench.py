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

import argparse
import csv
import io
import json
import logging
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import binary_erosion, gaussian_filter, map_coordinates

from colorizer.pipeline.imageio import load_image
from colorizer.training.data import list_photos
from eval import metrics
from eval.report import RESULTS_DIR, SHARED_DATASETS, VAL_FRACTION, positive_int, rounded

log = logging.getLogger("chronochrome.eval.flags")

LONG_SIDE = 448  # scene size (long side, pixels)
SHARE_RANGE = (0.12, 0.35)  # flag mask / image area
MASK_ERODE = 3  # pixels taken off the flag mask before scoring
REGION_ERODE = 2  # further pixels taken off each color region of the design
RED_HUE = (0.0, 60.0)  # degrees, inclusive
RED_MIN_CHROMA = 30.0
CHROMATIC = 25.0  # a design color with at least this C* must be reproduced
MIN_REGION_SHARE = 0.15  # ... when it covers at least this share of the flag
HUE_TOLERANCE = 40.0  # degrees
CHROMA_RATIO = 0.4  # predicted C* must reach this share of the truth's
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CONDITIONS = ("hint", "caption", "none")


@dataclass(frozen=True)
class FlagSpec:
    """A flag design and how it is named: the hint, the signs drawn, the polity context reads."""

    file: str  # SVG in the flags folder (its manifest note must not carry a CAUTION)
    label: str
    hint: str
    captions: tuple[str, ...]  # in the flag's language; cycled over its scenes
    polity: str  # region name context should infer from a caption (in its hierarchy)


SOVIET = FlagSpec(
    "freeciv21_soviet.svg", "Soviet Union", "USSR 1950",
    ("КАЗАНЬ 1952", "МОСКВА 1950", "СТАЛИНГРАД 1948", "СВЕРДЛОВСК 1955", "ГОРЬКИЙ 1951",
     "КУЙБЫШЕВ 1953", "МИНСК 1954", "КИЕВ 1956", "ОДЕССА 1957", "АЛМА-АТА 1958"), "USSR")
OTHERS = (
    FlagSpec("freeciv21_russia.svg", "Russian Empire", "Russian Empire 1910",
             ("МОСКВА 1910", "КАЗАНЬ 1905", "ОДЕССА 1912", "КИЕВ 1908"), "Russian Empire"),
    FlagSpec("freeciv21_germanempire.svg", "German Empire", "German Empire 1900",
             ("BERLIN 1900", "HAMBURG 1905", "DRESDEN 1910", "MÜNCHEN 1895"), "German Empire"),
    FlagSpec("freeciv21_taiwan.svg", "Republic of China", "Republic of China 1935",
             ("SHANGHAI 1935", "PEIPING 1932"), "Republic of China (1912–1949)"),
    FlagSpec("freeciv21_yugoslavia.svg", "Yugoslavia", "Yugoslavia 1955",
             ("BEOGRAD 1955", "БЕОГРАД 1960"), "Yugoslavia"),
    FlagSpec("freeciv21_austriahungary.svg", "Austria-Hungary", "Austria-Hungary 1900",
             ("WIEN 1900", "BUDAPEST 1905", "PRAHA 1910"), "Austria-Hungary"),
)
# Acceptance of issue 6: (group, condition, test, target) -> a row of the table.
ACCEPTANCE = (
    ("soviet", "hint", "red", 0.9),
    ("soviet", "caption", "red", 0.8),
    ("soviet", "none", "red", "half"),  # at most half as many red as with the hint
    ("others", "hint", "own", 0.7),
)


# --- flags ---------------------------------------------------------------------------------


def rasterize(svg: str | Path, width: int) -> np.ndarray:
    """An SVG (file or markup) -> (H, W, 4) float RGBA in [0, 1], `width` pixels wide."""
    import resvg_py

    source = {"svg_string": svg} if isinstance(svg, str) and "<svg" in svg else {
        "svg_path": str(svg)}
    # dpi=96: resvg-py's default dpi of 0 turns "mm"-sized drawings into a zero-sized canvas.
    png = resvg_py.svg_to_bytes(**source, width=int(width), dpi=96, skip_system_fonts=True)
    rgba = Image.open(io.BytesIO(bytes(png))).convert("RGBA")
    return np.asarray(rgba, dtype=np.float64) / 255.0


def design_palette(rgba: np.ndarray, min_share: float = 0.01,
                   merge_delta: float = 20.0) -> np.ndarray:
    """Dominant colors of a flat flag as (K, 3) L*a*b*, largest first.

    Opaque pixels are binned (16 levels per channel); bins covering `min_share` of the flag
    become palette colors unless within `merge_delta` (Euclidean Lab) of a larger one; each
    color is then the mean of the pixels nearest to it.
    """
    opaque = rgba[..., 3] > 0.5
    rgb = rgba[..., :3][opaque]
    lab = metrics.lab_of(rgb[None])[0]  # (N, 3)
    keys = np.floor(rgb * 15.999).astype(int) @ np.array([256, 16, 1])
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    palette: list[np.ndarray] = []
    for index in np.argsort(-counts):
        if counts[index] < min_share * len(rgb):
            break
        color = lab[inverse == index].mean(axis=0)
        if all(np.linalg.norm(color - p) >= merge_delta for p in palette):
            palette.append(color)
    centers = np.stack(palette)
    nearest = _nearest(lab, centers)
    return np.stack([lab[nearest == k].mean(axis=0) for k in range(len(centers))])


def _nearest(lab: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Index of the nearest palette color (Euclidean L*a*b*) for each of (..., 3)."""
    return np.linalg.norm(lab[..., None, :] - palette, axis=-1).argmin(axis=-1)


@dataclass(frozen=True)
class Flag:
    spec: FlagSpec
    path: Path
    aspect: float  # height / width
    palette: np.ndarray  # (K, 3) L*a*b*, from a flat rasterization
    shares: tuple[float, ...]  # each palette color's share of the flat flag

    @property
    def scored(self) -> tuple[int, ...]:
        """Palette colors the own-colors test checks: chromatic and large (a design property,
        so every scene of a design is held to the same colors)."""
        chroma = np.hypot(self.palette[:, 1], self.palette[:, 2])
        return tuple(k for k, share in enumerate(self.shares)
                     if chroma[k] >= CHROMATIC and share >= MIN_REGION_SHARE)

    def flat(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        """(H, W, 4) RGBA and (H, W) palette labels of the flat flag, `width` wide."""
        rgba = rasterize(self.path, width)
        return rgba, _nearest(metrics.lab_of(rgba[..., :3]), self.palette)


def load_flag(folder: Path, spec: FlagSpec) -> Flag:
    """A design checked against the folder's manifest.csv (no CAUTION, renders)."""
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} is missing: the flags folder must carry its manifest")
    with manifest.open(encoding="utf-8") as handle:
        notes = {row["file"]: row.get("visual_check_note", "") for row in csv.DictReader(handle)}
    if spec.file not in notes:
        raise ValueError(f"{spec.file} is not listed in {manifest}")
    if "CAUTION" in notes[spec.file] or "fails" in notes[spec.file]:
        raise ValueError(f"{spec.file} is marked in {manifest}: {notes[spec.file]!r}; "
                         "choose a design whose note says it matches the named flag")
    rgba = rasterize(folder / spec.file, 480)
    palette = design_palette(rgba)
    labels = _nearest(metrics.lab_of(rgba[..., :3]), palette)[rgba[..., 3] > 0.5]
    shares = tuple(float(np.mean(labels == k)) for k in range(len(palette)))
    flag = Flag(spec, folder / spec.file, rgba.shape[0] / rgba.shape[1], palette, shares)
    if not flag.scored:
        raise ValueError(f"{spec.file} has no chromatic color covering {MIN_REGION_SHARE:.0%} "
                         "of the flag: the own-colors test would have nothing to check")
    return flag


# --- scenes --------------------------------------------------------------------------------


@dataclass
class Scene:
    """A flag on a photo: the color truth, what the pipeline sees, and where to score."""

    id: str
    flag: Flag
    background: str
    truth: np.ndarray  # (H, W, 3) float sRGB, the color composite (no caption)
    caption_truth: np.ndarray  # (H, W, 3) the same with the sign drawn
    caption: str
    mask: np.ndarray  # (H, W) bool, eroded flag mask (where scores are taken)
    labels: np.ndarray  # (H, W) int palette label, -1 outside the eroded regions
    mask_share: float  # the uneroded flag mask's share of the image
    pole: bool

    def gray(self, captioned: bool = False) -> Image.Image:
        """The luminance as an 8-bit gray image (what a scanned black-and-white print is)."""
        g = metrics.gray_baseline(self.caption_truth if captioned else self.truth)[..., 0]
        return Image.fromarray((g * 255.0 + 0.5).astype(np.uint8), "L")


def cloth(rgba: np.ndarray, labels: np.ndarray, rng: np.random.Generator
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wave a flat flag like cloth on a pole at its left edge (the hoist).

    Sinusoidal vertical displacement grows away from the hoist; shading follows the slope of
    the folds, plus a faint weave and fibre noise. Returns RGB (H', W', 3), coverage (H', W')
    in [0, 1] and palette labels (H', W') (-1 off the cloth), with a margin for the waves.
    """
    h, w = labels.shape
    pad = int(0.1 * h)
    yy, xx = np.mgrid[0:h + 2 * pad, 0:w + pad // 2].astype(np.float64)
    u = xx / w  # 0 at the hoist
    phase = 2 * np.pi * rng.uniform(1.0, 2.0) * u + rng.uniform(0, 2 * np.pi)
    dy = rng.uniform(0.04, 0.08) * h * u * np.sin(phase)
    coords = np.stack([yy - pad - dy, xx * (1 - 0.04 * u * (1 + np.cos(phase)) / 2)])
    sample = [map_coordinates(rgba[..., ch], coords, order=1, mode="constant", cval=0.0)
              for ch in range(4)]
    alpha = np.clip(sample[3], 0, 1)
    color = np.stack(sample[:3], axis=-1) / np.maximum(alpha, 1e-6)[..., None]
    lab = map_coordinates(labels.astype(np.float64), coords, order=0, mode="constant", cval=-1)
    shade = (1.0 + 0.2 * np.cos(phase) * np.clip(u * 2, 0, 1)
             - 0.08 * (1 - np.sin(phase)) * u
             + 0.015 * np.sin(xx * 2.1) * np.sin(yy * 2.1)
             + gaussian_filter(rng.normal(0, 0.02, xx.shape), 0.8))
    return np.clip(color * shade[..., None], 0, 1), alpha, lab.astype(int)


def build_scene(flag: Flag, background: np.ndarray, caption: str, rng: np.random.Generator,
                scene_id: str = "scene", background_name: str = "") -> Scene:
    """Place `flag` on `background` (H, W, 3 float sRGB) and draw `caption` on a copy."""
    bh, bw = background.shape[:2]
    area = bh * bw
    # The largest flag that fits with its wave margin and pole, then a share within range.
    fit_w = min(bw * 0.9, bh * 0.85 / (flag.aspect * 1.2))
    top_share = min(0.30, fit_w * fit_w * flag.aspect / area)
    if top_share < SHARE_RANGE[0] + 0.01:
        raise ValueError(f"a {bw}x{bh} photo is too narrow for {flag.spec.file}")
    for _ in range(10):
        share = rng.uniform(SHARE_RANGE[0] + 0.01, top_share)
        width = round(float(np.sqrt(share * area / flag.aspect)))
        rgba, flat_labels = flag.flat(width)
        color, alpha, labels = cloth(rgba, flat_labels, rng)
        if SHARE_RANGE[0] <= (alpha > 0.5).sum() / area <= SHARE_RANGE[1]:
            break
    else:
        raise RuntimeError(f"could not size {flag.spec.file} within {SHARE_RANGE} of the image")
    ch, cw = alpha.shape
    pole = bool(rng.random() < 0.7)
    pole_w = max(3, width // 40) if pole else 0
    y0 = int(rng.integers(0, bh - ch + 1))
    x0 = int(rng.integers(pole_w, bw - cw + 1))
    truth = background.copy()
    if pole:  # a wooden pole from above the flag to the bottom of the photo
        shade = 0.75 + 0.25 * np.sin(np.linspace(0.3, np.pi - 0.3, pole_w))
        wood = np.array([0.42, 0.33, 0.24])[None, None, :] * shade[None, :, None]
        truth[max(0, y0 - 6):, x0 - pole_w:x0] = wood
    region = (slice(y0, y0 + ch), slice(x0, x0 + cw))
    truth[region] = truth[region] * (1 - alpha[..., None]) + color * alpha[..., None]
    truth = np.round(truth * 255.0) / 255.0  # 8-bit, as the captioned copy and saved images
    full = np.zeros((bh, bw), bool)
    full[region] = alpha > 0.5
    mask = binary_erosion(full, iterations=MASK_ERODE)
    label_map = np.full((bh, bw), -1)
    label_map[region] = labels
    eroded = np.full((bh, bw), -1)
    for k in range(len(flag.palette)):
        eroded[binary_erosion((label_map == k) & mask, iterations=REGION_ERODE)] = k
    keep_out = (slice(max(0, y0 - 6), y0 + ch), slice(max(0, x0 - pole_w), x0 + cw))
    return Scene(scene_id, flag, background_name, truth, draw_sign(truth, caption, keep_out, rng),
                 caption, mask, eroded, float(full.sum() / area), pole)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.truetype(FONT, size) if Path(FONT).exists() else ImageFont.load_default(size)


def draw_sign(image: np.ndarray, text: str, keep_out: tuple[slice, slice],
              rng: np.random.Generator) -> np.ndarray:
    """A copy of `image` with a plaque bearing `text` (large bold letters) off the flag."""
    h, w = image.shape[:2]
    pil = Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    dark = rng.random() < 0.5
    ink, plate = ((235, 232, 220), (38, 38, 42)) if dark else ((25, 25, 28), (236, 230, 212))
    size = int(h * rng.uniform(0.07, 0.09))
    ys, xs = keep_out
    while size >= 12:
        left, top, right, bottom = draw.textbbox((0, 0), text, font=_font(size))
        pw, ph = right - left + size, bottom - top + 0.6 * size  # plaque size
        for _ in range(200 if pw < w - 4 and ph < h - 4 else 0):
            px, py = rng.uniform(2, w - pw - 2), rng.uniform(2, h - ph - 2)
            if px + pw < xs.start or px > xs.stop or py + ph < ys.start or py > ys.stop:
                draw.rectangle([px, py, px + pw, py + ph], fill=plate)
                draw.text((px + pw / 2, py + ph / 2), text, fill=ink, font=_font(size),
                          anchor="mm")
                return np.asarray(pil, dtype=np.float64) / 255.0
        size = int(size * 0.85)
    raise RuntimeError(f"no room for the sign {text!r} beside the flag in a {w}x{h} image")


def background_photos(shared: Path) -> list[Path]:
    """The held-out test split of photos-train (never trained on, never tuned on)."""
    folder = shared / "photos-train"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is absent: pass --shared DATASETS_DIR")
    return list_photos(folder, "test", VAL_FRACTION)


def load_background(path: Path) -> np.ndarray:
    """A photo as (H, W, 3) float sRGB with its long side at `LONG_SIDE`."""
    img = Image.fromarray((load_image(path).rgb * 255 + 0.5).astype(np.uint8))
    scale = LONG_SIDE / max(img.size)
    img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    return np.asarray(img, dtype=np.float64) / 255.0


def build_scenes(flags: list[Flag], photos: list[Path], per_flag: dict[str, int],
                 seed: int) -> list[Scene]:
    """`per_flag[file]` scenes of each flag, each on its own photo while photos last."""
    rng = np.random.default_rng(seed)
    order = list(rng.permutation(len(photos)))
    scenes, used = [], 0
    for flag in flags:
        for i in range(per_flag[flag.spec.file]):
            path = photos[order[used % len(order)]]
            used += 1
            stem = flag.spec.file.removeprefix("freeciv21_").removesuffix(".svg")
            scenes.append(build_scene(flag, load_background(path),
                                      flag.spec.captions[i % len(flag.spec.captions)], rng,
                                      f"{stem}-{i:02d}", path.name))
    return scenes


# --- scoring -------------------------------------------------------------------------------


def hue_chroma(lab: np.ndarray, where: np.ndarray) -> tuple[float, float]:
    """Hue (degrees [0, 360), of the mean a*b*) and mean chroma C* of `lab` (H, W, 3) at `where`."""
    a, b = lab[..., 1][where], lab[..., 2][where]
    if a.size == 0:
        raise ValueError("no pixels to score: the flag mask is empty after erosion")
    return float(np.degrees(np.arctan2(b.mean(), a.mean())) % 360.0), float(np.hypot(a, b).mean())


def is_red(hue: float, chroma: float) -> bool:
    return RED_HUE[0] <= hue <= RED_HUE[1] and chroma >= RED_MIN_CHROMA


def _hue_gap(h1: float, h2: float) -> float:
    return abs((h1 - h2 + 180.0) % 360.0 - 180.0)


def score(pred: np.ndarray, scene: Scene) -> dict[str, Any]:
    """Red test and own-colors test of a prediction (H, W, 3 float sRGB) inside the flag."""
    lab, truth_lab = metrics.lab_of(pred), metrics.lab_of(scene.truth)
    hue, chroma = hue_chroma(lab, scene.mask)
    regions, total = [], int(scene.mask.sum())
    for k in scene.flag.scored:
        where = scene.labels == k
        share = float(where.sum() / total)
        if share == 0:  # eroded away: too small in this scene to score
            continue
        t_hue, t_chroma = hue_chroma(truth_lab, where)
        p_hue, p_chroma = hue_chroma(lab, where)
        regions.append({
            "truth_hue": t_hue, "truth_chroma": t_chroma, "hue": p_hue, "chroma": p_chroma,
            "share": share,
            "ok": _hue_gap(p_hue, t_hue) <= HUE_TOLERANCE and p_chroma >= CHROMA_RATIO * t_chroma,
        })
    return {"hue": hue, "chroma": chroma, "red": is_red(hue, chroma),
            "own": bool(regions) and all(r["ok"] for r in regions), "regions": regions}


# --- running -------------------------------------------------------------------------------


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0


def _context_read(context: dict[str, Any], polity: str) -> dict[str, Any]:
    """What context inferred (region, era) and whether `polity` is in the region's hierarchy."""
    region, era = context.get("region") or {}, context.get("era") or {}
    names = [level["name"] for level in region.get("hierarchy", [])]
    return {"region": region.get("name"), "region_source": region.get("source"),
            "hierarchy": names, "era": [era.get("start"), era.get("end")] if era else None,
            "ocr_text": [line.get("text") for line in context.get("text", []) or []],
            "reads_polity": polity in names}


def run_scene(pipe: Any, scene: Scene, save: Path | None = None) -> dict[str, Any]:
    """Colorize `scene` under every condition and score it (plus the truth and gray rows)."""
    spec = scene.flag.spec
    record: dict[str, Any] = {
        "id": scene.id, "flag": spec.file, "background": scene.background,
        "size": [scene.truth.shape[1], scene.truth.shape[0]], "mask_share": scene.mask_share,
        "scored_pixels": int(scene.mask.sum()), "pole": scene.pole, "caption": scene.caption,
        "truth": score(scene.truth, scene),
        "gray": score(metrics.gray_baseline(scene.truth), scene),
        "conditions": {},
    }
    inputs = {"hint": (scene.gray(), spec.hint), "caption": (scene.gray(True), None),
              "none": (scene.gray(), None)}
    for condition, (gray, hint) in inputs.items():
        result = pipe(gray, hints=hint, caption=None)
        entry = {"hints": hint, **score(_pixels(result.image), scene),
                 "exemplars": [e.get("id") for e in result.exemplars]}
        if condition == "caption":
            entry["context"] = _context_read(result.context, spec.polity)
        record["conditions"][condition] = entry
        if save:
            result.image.save(save / f"{scene.id}.{condition}.png")
    if save:
        scene.gray().save(save / f"{scene.id}.gray.png")
        scene.gray(True).save(save / f"{scene.id}.caption.gray.png")
        Image.fromarray((scene.truth * 255 + 0.5).astype(np.uint8)).save(
            save / f"{scene.id}.truth.png")
        Image.fromarray(scene.mask.astype(np.uint8) * 255).save(save / f"{scene.id}.mask.png")
    return record


def _count(records: list[dict], condition: str, test: str) -> int:
    """How many records pass `test` ("red" / "own") under `condition` (or "truth", "gray")."""
    return sum(bool((r[condition] if condition in ("truth", "gray")
                     else r["conditions"][condition])[test]) for r in records)


def summarize(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows: acceptance first, then information and sanity rows."""
    groups = {"soviet": [r for r in records if r["flag"] == SOVIET.file],
              "others": [r for r in records if r["flag"] != SOVIET.file]}
    names = {"soviet": "Soviet flag", "others": "other flags"}
    tests = {"red": "red", "own": "own colors"}
    hints = {"soviet": f'hint "{SOVIET.hint}"', "others": "own hint"}
    rows: list[dict[str, Any]] = []

    def add(group: str, condition: str, test: str, label: str, target: Any = None) -> None:
        subset = groups[group]
        passed = _count(subset, condition, test)
        rate = passed / len(subset) if subset else 0.0
        row = {"group": group, "condition": condition, "test": test, "label": label,
               "scenes": len(subset), "passed": passed, "rate": rate, "target": target}
        if target == "half":
            reference = _count(subset, "hint", test)
            row["target_text"] = f"<= {reference / 2:g} (half the {reference} with the hint)"
            row["status"] = ("n/a: no red with the hint" if reference == 0
                             else "PASS" if passed <= reference / 2 else "FAIL")
        elif target is not None:
            row["target_text"] = f">= {target:.0%}"
            row["status"] = "PASS" if subset and rate >= target else "FAIL"
        else:
            row["target_text"], row["status"] = "—", "info"
        rows.append(row)

    for group, condition, test, target in ACCEPTANCE:
        cond = {"hint": hints[group], "caption": "caption drawn, no hint",
                "none": "no hint, no caption (control)"}[condition]
        add(group, condition, test, f"{names[group]} · {cond} · {tests[test]}", target)
    add("others", "caption", "own", "other flags · caption drawn, no hint · own colors")
    add("others", "none", "own", "other flags · no hint, no caption · own colors")
    for group, subset in groups.items():  # does context read the signs? (caption rows' validity)
        read = sum(r["conditions"]["caption"]["context"]["reads_polity"] for r in subset)
        rows.append({"group": group, "condition": "caption", "test": "context reads polity",
                     "label": f"{names[group]} · caption read by context as the flag's polity",
                     "scenes": len(subset), "passed": read,
                     "rate": read / len(subset) if subset else 0.0, "target": 1.0,
                     "target_text": "all (validity)",
                     "status": "PASS" if subset and read == len(subset) else "FAIL"})
    for group in groups:
        test = "red" if group == "soviet" else "own"
        add(group, "gray", test, f"gray baseline · {names[group]} · {tests[test]}")
        add(group, "truth", test, f"truth (sanity) · {names[group]} · {tests[test]}")
    return rows


def per_flag(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per design: scenes, and red / own-colors counts and mean hue/chroma per condition."""
    out = []
    for file in dict.fromkeys(r["flag"] for r in records):
        subset = [r for r in records if r["flag"] == file]
        row: dict[str, Any] = {"flag": file, "scenes": len(subset)}
        for condition in CONDITIONS:
            entries = [r["conditions"][condition] for r in subset]
            row[condition] = {"red": sum(e["red"] for e in entries),
                              "own": sum(e["own"] for e in entries),
                              "mean_hue": _circular_mean([e["hue"] for e in entries]),
                              "mean_chroma": float(np.mean([e["chroma"] for e in entries]))}
        out.append(row)
    return out


def _circular_mean(degrees: list[float]) -> float:
    rad = np.radians(degrees)
    return float(np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean())) % 360.0)


def markdown(report: dict[str, Any]) -> str:
    scenes = report["scenes"]
    lines = [(f"## chronochrome flag benchmark ({scenes['count']} scenes, {scenes['images']} "
              f"images, {scenes['captioned']} captioned, {len(scenes['designs'])} designs)"), "",
             "| condition | scenes | pass | rate | target | status |", "|---|---:|---:|---:|---|---|"]
    for row in report["rows"]:
        lines.append(f"| {row['label']} | {row['scenes']} | {row['passed']} | {row['rate']:.0%} "
                     f"| {row['target_text']} | {row['status']} |")
    lines += ["", ("| design | scenes | hint: red / own | caption: red / own | none: red / own "
                   "| mean hue°, C* (hint · caption · none) |"), "|---|---:|---|---|---|---|"]
    for f in report["per_flag"]:
        cells = " | ".join(f"{f[c]['red']} / {f[c]['own']}" for c in CONDITIONS)
        means = " · ".join(f"{f[c]['mean_hue']:.0f}, {f[c]['mean_chroma']:.0f}"
                           for c in CONDITIONS)
        lines.append(f"| {f['flag']} | {f['scenes']} | {cells} | {means} |")
    model = report["model"]
    lines += ["", (f"Model {model['name']} {model['version']}; `{report['command']}` at "
              f"{report['finished_at']} ({report['seconds']:.0f} s). Red: CIELAB hue of the mean "
              f"a*b* in [{RED_HUE[0]:.0f}, {RED_HUE[1]:.0f}]° and mean C* >= {RED_MIN_CHROMA:.0f} "
              f"inside the flag mask (eroded {MASK_ERODE} px). Own colors: every design color "
              f"with C* >= {CHROMATIC:.0f} covering >= {MIN_REGION_SHARE:.0%} of the flag within "
              f"{HUE_TOLERANCE:.0f}° of its true hue and >= {CHROMA_RATIO:.0%} of its chroma."), ""]
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.flag_bench",
                                description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, default=None,
                   help="a model folder (save_pretrained); default: the embedded weights")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--temperature", type=float, default=None,
                   help="override the model's operating point (default: its config)")
    p.add_argument("--chroma-scale", type=float, default=None,
                   help="override the model's chroma scale (default: its config)")
    p.add_argument("--name", default="flags", help="output stem: <out>/<name>.json/.md")
    p.add_argument("--soviet-scenes", type=positive_int, default=24, help="default: %(default)s")
    p.add_argument("--scenes-per-flag", type=positive_int, default=6,
                   help="scenes of each other design (default: %(default)s)")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="at most N scenes per design (quick runs)")
    p.add_argument("--seed", type=int, default=0, help="scene layout seed (default: 0)")
    p.add_argument("--out", type=Path, default=RESULTS_DIR, help="default: eval/results")
    p.add_argument("--shared", type=Path, default=SHARED_DATASETS,
                   help="folder holding flags/ and photos-train/ (default: ../shared/datasets)")
    p.add_argument("--save-scenes", type=Path, default=None, metavar="DIR",
                   help="write each scene's truth, gray inputs, mask and outputs here")
    return p


def main(argv: list[str] | None = None, pipeline: Any = None) -> dict[str, Any]:
    """Run the benchmark; `pipeline` replaces the one built from --weights (tests)."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started, clock = _now(), time.perf_counter()
    flags = [load_flag(args.shared / "flags", spec) for spec in (SOVIET, *OTHERS)]
    counts = {SOVIET.file: args.soviet_scenes,
              **{spec.file: args.scenes_per_flag for spec in OTHERS}}
    counts = {k: min(v, args.limit or v) for k, v in counts.items()}
    scenes = build_scenes(flags, background_photos(args.shared), counts, args.seed)
    if pipeline is None:
        from colorizer.pipeline.colorization import ColorizationPipeline

        knobs = {k: v for k, v in (("temperature", args.temperature),
                                   ("chroma_scale", args.chroma_scale)) if v is not None}
        pipeline = ColorizationPipeline.from_pretrained(args.weights, device=args.device,
                                                        context=True, exemplars=True, **knobs)
    if args.save_scenes:
        args.save_scenes.mkdir(parents=True, exist_ok=True)
    records = []
    for index, scene in enumerate(scenes, 1):
        log.info("[%d/%d] %s on %s", index, len(scenes), scene.id, scene.background)
        records.append(run_scene(pipeline, scene, args.save_scenes))
    report = rounded(digits=4, value={
        "schema": 1, "command": "python -m eval.flag_bench " + shlex.join(argv),
        "started_at": started, "finished_at": _now(),
        "seconds": time.perf_counter() - clock,
        "model": pipeline.model_info.to_dict(),
        "settings": {"seed": args.seed, "limit": args.limit, "device": args.device,
                     "temperature": args.temperature, "chroma_scale": args.chroma_scale,
                     "long_side": LONG_SIDE, "share_range": list(SHARE_RANGE),
                     "mask_erode_px": MASK_ERODE, "region_erode_px": REGION_ERODE,
                     "red_hue": list(RED_HUE), "red_min_chroma": RED_MIN_CHROMA,
                     "chromatic": CHROMATIC, "min_region_share": MIN_REGION_SHARE,
                     "hue_tolerance": HUE_TOLERANCE, "chroma_ratio": CHROMA_RATIO,
                     "backgrounds": f"photos-train test split (val_fraction={VAL_FRACTION})"},
        "scenes": {"count": len(records), "images": 2 * len(records),
                   "captioned": len(records), "designs": list(counts),
                   "hints": {f.spec.file: f.spec.hint for f in flags}},
        "rows": summarize(records),
        "per_flag": per_flag(records),
        "records": records,
    })
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False,
                                                    allow_nan=False) + "\n", encoding="utf-8")
    table = markdown(report)
    (args.out / f"{args.name}.md").write_text(table, encoding="utf-8")
    print(table)
    return report


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


if __name__ == "__main__":
    main()
