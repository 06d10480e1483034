"""Flag designs: the SVGs of ../shared/datasets/flags, checked against their manifest,
rasterized, and reduced to their palette of design colors.

    flag = load_flag(shared / "flags", SOVIET)     # -> Flag (palette, shares, scored colors)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from eval import metrics

CHROMATIC = 25.0  # a design color with at least this C* must be reproduced
MIN_REGION_SHARE = 0.15  # ... when it covers at least this share of the flag


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
