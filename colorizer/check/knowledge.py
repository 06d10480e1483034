"""Do the colors of the photo's cloth agree with the retrieved historical facts?

The facts (configs/retrieval: flags, banners, ensigns, uniforms, each color with its role
and a source) say which colors a flag or a uniform of this place and period had. Cloth is
where the flag finder (colorizer.model.flag_finder) sees flag or banner cloth in the photo's
L*. Each cloth region's pixels are sorted into color classes (a 30-degree hue sector, or
light, mid or dark gray); a class covering at least `min_class` of the region must match a
documented color of one of the facts:

    chromatic class   hue within `hue_tolerance` of a documented chromatic color (more for
                      low-chroma colors, khaki or field grey, whose hue is loosely defined)
    gray              a documented white, black or gray of about each gray pixel's
                      lightness (L* within GRAY_L): a mid-gray cloth is not a white stripe
                      in the shade, and a black and a white stripe are not a mid gray

A color that is only a detail of the design (an emblem, a hoist stripe, a canton) may cover
at most MINOR_SHARE of the region: a Soviet flag cannot be blue because the RSFSR flag has a
blue hoist stripe. A class that matches nothing is a contradiction: the finding names the
color seen, the documented colors and their sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from colorizer.model.colorspace import rgb_to_lab

CLOTH_KINDS = ("flag", "banner", "ensign", "uniform")
# A role whose first word is one of these names a main color (a canton is a quarter of its
# flag or more); "hoist stripe", "emblem", "lettering" or "fringe" name details.
MAJOR_ROLES = ("field", "stripe", "stripes", "cloth", "canton")
MINOR_SHARE = 0.35  # the most of a region a detail color (emblem, canton...) may explain
GRAY_CHROMA = 10.0  # C* below which a pixel (or a documented color) is gray
GRAY_L = 35.0  # a gray class matches a documented gray within this L*
LOOSE_CHROMA = 25.0  # documented colors below this C* get a wider hue tolerance
LOOSE_EXTRA = 25.0  # degrees added for them
HUE_SECTOR = 30.0  # degrees per chromatic class
DARK_GRAY = 12  # class ids: 0..11 hue sectors, 12 dark, 13 mid, 14 light gray
DARK_L = 33.0  # L* below which gray is shade (the dark-gray class's bound)
# L* units of one gray field: the colorizer's cloth-identity band (pipeline TransferConfig).
FIELD_BAND = 16


@dataclass(frozen=True)
class DocumentedColor:
    """One color of a fact, in CIELAB, with where it comes from."""

    fact: str  # the fact's id
    name: str
    srgb: str
    role: str
    major: bool
    lab: tuple[float, float, float]

    @property
    def chroma(self) -> float:
        return float(np.hypot(self.lab[1], self.lab[2]))

    @property
    def hue(self) -> float:
        return float(np.degrees(np.arctan2(self.lab[2], self.lab[1])) % 360)


@dataclass(frozen=True)
class Contradiction:
    """A color class of a cloth region that no documented color explains."""

    region_share: float  # the region's share of the image
    class_share: float  # the class's share of the region
    seen_lab: tuple[float, float, float]  # the class's mean color
    seen_name: str  # "blue", "mid gray", ...
    # (N,) bool over the region's pixels: the class's own (analysis measures them apart)
    members: np.ndarray | None = field(default=None, compare=False, repr=False)


def documented_colors(fact_id: str, colors: Sequence[dict[str, str]]) -> list[DocumentedColor]:
    out = []
    for color in colors:
        rgb = torch.tensor([int(color["srgb"][i:i + 2], 16) / 255 for i in (1, 3, 5)],
                           dtype=torch.float64)
        lab = rgb_to_lab(rgb[None, :, None, None])[0, :, 0, 0].tolist()
        role = color.get("role", "")
        major = role == "" or role.split()[0] in MAJOR_ROLES
        out.append(DocumentedColor(fact_id, color["name"], color["srgb"], role, major,
                                   (lab[0], lab[1], lab[2])))
    return out


def color_classes(lab: np.ndarray) -> np.ndarray:
    """(N, 3) L*a*b* -> (N,) class ids: 0..11 hue sectors, 12/13/14 dark/mid/light gray."""
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    hue = np.degrees(np.arctan2(lab[:, 2], lab[:, 1])) % 360
    sector = (hue // HUE_SECTOR).astype(int)
    gray = DARK_GRAY + np.digitize(lab[:, 0], (DARK_L, 70.0))
    return np.where(chroma < GRAY_CHROMA, gray, sector)


def class_name(cls: int, lab: tuple[float, float, float]) -> str:
    if cls >= 12:
        return ("dark gray", "mid gray", "light gray")[cls - 12]
    hue = float(np.degrees(np.arctan2(lab[2], lab[1])) % 360)
    names = ((20, "crimson"), (60, "red"), (80, "orange"), (100, "yellow"), (160, "green"),
             (230, "teal"), (315, "blue"), (345, "purple"), (360, "crimson"))
    # sRGB blue (0, 0, 255) lies at hue 306 in CIELAB: "blue" reaches 315, as in blobs.py,
    # so a flag painted blue is not called purple.
    return next(name for bound, name in names if hue < bound)


def matches(color: DocumentedColor, lab: tuple[float, float, float], tolerance: float) -> bool:
    """Whether a class's mean color is this documented color (by hue, or gray by L*)."""
    chroma = float(np.hypot(lab[1], lab[2]))
    if chroma < GRAY_CHROMA:
        return color.chroma < GRAY_CHROMA * 1.5 and abs(color.lab[0] - lab[0]) <= GRAY_L
    if color.chroma < GRAY_CHROMA:
        return False
    hue = float(np.degrees(np.arctan2(lab[2], lab[1])) % 360)
    extra = LOOSE_EXTRA if color.chroma < LOOSE_CHROMA else 0.0
    diff = abs((hue - color.hue + 180) % 360 - 180)
    return diff <= tolerance + extra


def contradictions(region_lab: np.ndarray, colors: Sequence[DocumentedColor],
                   region_share: float, min_class: float, tolerance: float,
                   gray_class: float = 0.7, shade_l: float = DARK_L,
                   gray_field: float = 0.0) -> list[Contradiction]:
    """The color classes of one cloth region ((N, 3) L*a*b*) that no documented color of the
    facts explains, largest first.

    gray       the region's gray pixels that no documented white, black or gray explains,
               each by its own L* (`unexplained_gray`), together, when they cover
               `gray_class` of it, are not, on the whole, in deep shade (mean L* below
               `shade_l`: shade hides any color; a red flag in deep shadow is near black,
               but one at L* 30 still shows its red: sRGB (120, 0, 0) is L* 24), and form
               one field: at least `gray_field` of them within one FIELD_BAND of L* (a flag
               painted gray is its main color's one tone through the film; a wall, a sky
               or a street the finder took for cloth spreads over many; 0: not asked)
    colored    each hue class covering at least `min_class` of the region
    """
    classes = color_classes(region_lab)
    gray = classes >= DARK_GRAY
    out = []
    unexplained = unexplained_gray(region_lab, gray, colors)
    if unexplained.mean() >= gray_class:
        mean = tuple(float(v) for v in region_lab[unexplained].mean(0))
        if mean[0] >= shade_l and field_share(region_lab[unexplained, 0]) >= gray_field:
            name = class_name(int(color_classes(np.asarray([mean]))[0]), mean)
            out.append(Contradiction(region_share, float(unexplained.mean()), mean, name,
                                     unexplained))
    for cls in np.unique(classes[~gray]):
        inside = classes == cls
        share = float(inside.mean())
        if share < min_class:
            continue
        mean = tuple(float(v) for v in region_lab[inside].mean(0))
        if not _explained(colors, mean, share, tolerance):
            out.append(Contradiction(region_share, share, mean, class_name(int(cls), mean),
                                     inside))
    return sorted(out, key=lambda c: -c.class_share)


def unexplained_gray(region_lab: np.ndarray, gray: np.ndarray,
                     colors: Sequence[DocumentedColor]) -> np.ndarray:
    """(N,) bool: gray pixels no documented gray-ish color (C* below 1.5 GRAY_CHROMA) lies
    within GRAY_L of in L*; a detail color's (an emblem's) pixels count as explained only
    while they cover at most MINOR_SHARE of the region. Pixel by pixel: the mean of a
    flag's black and white stripes is a mid gray that neither is."""
    lightness = region_lab[:, 0]
    near = {True: np.zeros(len(lightness), bool), False: np.zeros(len(lightness), bool)}
    for color in colors:
        if color.chroma < GRAY_CHROMA * 1.5:
            near[color.major] |= np.abs(lightness - color.lab[0]) <= GRAY_L
    detail = near[False] & ~near[True] & gray
    explained = near[True] | (detail if detail.mean() <= MINOR_SHARE else False)
    return gray & ~explained


def field_share(lightness: np.ndarray, band: int = FIELD_BAND) -> float:
    """The largest share of `lightness` (L*) within one window of `band` units."""
    if len(lightness) == 0:
        return 0.0
    hist = np.bincount(np.clip(np.round(lightness), 0, 100).astype(int), minlength=101)
    return float(np.convolve(hist, np.ones(band), mode="valid").max() / len(lightness))


def _explained(colors: Sequence[DocumentedColor], mean: tuple[float, float, float],
               share: float, tolerance: float) -> bool:
    """A main documented color matches it, or a detail color does and it is small."""
    fits = [c for c in colors if matches(c, mean, tolerance)]
    return any(c.major for c in fits) or (bool(fits) and share <= MINOR_SHARE)


def lab_to_hex(lab: tuple[float, float, float]) -> str:
    from colorizer.model.colorspace import lab_to_rgb

    rgb = lab_to_rgb(torch.tensor(lab, dtype=torch.float64)[None, :, None, None])[0, :, 0, 0]
    return "#" + "".join(f"{round(float(v) * 255):02X}" for v in rgb.clamp(0, 1))
