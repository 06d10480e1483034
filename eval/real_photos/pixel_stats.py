"""Pixel statistics of an output against its truth: falsely vivid, falsely red, context effect."""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage.color import deltaE_ciede2000

# Falsely vivid: the output is vivid where the photo is (nearly) neutral.
VIVID_CHROMA = 40.0  # output C* at or above this is vivid
DULL_TRUTH_CHROMA = 20.0  # truth C* below this is dull
# Falsely red: the output is strongly red/orange where the photo is not. The range covers
# magenta-reds through orange (CIELAB hue of sRGB red is ~40 degrees, orange ~60-70): the
# colors a wrong era or place cue tends to paint onto roofs, faces and flags.
RED_HUE_RANGE = (-20.0, 60.0)  # degrees of h_ab, closed, wrapping through 0
RED_CHROMA = 30.0  # output C* at or above this (and red hue) is strongly red
NOT_RED_TRUTH_CHROMA = 15.0  # truth C* below this counts as not red, whatever its hue


def chroma_and_hue(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C* and the hue angle h_ab in degrees [0, 360) of an (H, W, 3) Lab image."""
    a, b = lab[..., 1], lab[..., 2]
    return np.hypot(a, b), np.degrees(np.arctan2(b, a)) % 360.0


def in_red_range(hue: np.ndarray) -> np.ndarray:
    """Whether each hue angle lies in RED_HUE_RANGE (which wraps through 0 degrees)."""
    lo, hi = RED_HUE_RANGE
    return (hue - lo) % 360.0 <= hi - lo


def falsely_vivid_share(pred_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    """Share of pixels vivid in the output (C* >= 40) where the photo is dull (C* < 20):
    invented color, the failure a viewer notices first on an old photo."""
    pred_c, _ = chroma_and_hue(pred_lab)
    truth_c, _ = chroma_and_hue(truth_lab)
    return float(np.mean((pred_c >= VIVID_CHROMA) & (truth_c < DULL_TRUTH_CHROMA)))


def falsely_red_share(pred_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    """Share of pixels strongly red/orange in the output where the photo is not red (dull,
    or another hue): the red patches that era and flag cues can paint."""
    pred_c, pred_h = chroma_and_hue(pred_lab)
    truth_c, truth_h = chroma_and_hue(truth_lab)
    pred_red = (pred_c >= RED_CHROMA) & in_red_range(pred_h)
    truth_red = (truth_c >= NOT_RED_TRUTH_CHROMA) & in_red_range(truth_h)
    return float(np.mean(pred_red & ~truth_red))


def context_effect(hinted_lab: np.ndarray, plain_lab: np.ndarray,
                   region: np.ndarray | None) -> tuple[float, float | None]:
    """Mean CIEDE2000 between a hinted and the no-hint output: overall, and over the pixels
    outside the context region (region < 0.5; None without a region or outside pixels). A hint
    should recolor what it is about, not the whole photo."""
    diff = deltaE_ciede2000(plain_lab, hinted_lab, channel_axis=-1)
    overall = float(diff.mean())
    if region is None:
        return overall, None
    outside = region_at(region, diff.shape) < 0.5
    return overall, float(diff[outside].mean()) if outside.any() else None


def region_at(region: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A context region map as an (H, W) float array of the photo's size (resized if not)."""
    arr = np.asarray(region, dtype=np.float32)
    if arr.shape == tuple(shape[:2]):
        return arr
    resized = Image.fromarray(arr, "F").resize((shape[1], shape[0]), Image.BILINEAR)
    return np.asarray(resized, dtype=np.float32)
