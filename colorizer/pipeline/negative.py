"""Scanned negatives: read the other way round when asked (`PipelineConfig.negative`,
`--negative`), and a note when a photo looks like a color negative scanned as it is.

A negative colorized as it is comes out as a colored negative: dark skies, white faces,
green where the print would be dark. Nothing in the pipeline can undo that afterwards, so the
tones are inverted before anything reads them, and the output's L* is the inverted scan's.

A B&W negative (a gray scan) is inverted level for level (255 - v; 1 - v at 16 bits, kept as
the scan's own levels read inverted: inverted_levels.py). A color
negative carries its film base (the orange mask of color stock) in every tone: each channel is
first divided by its base, read as the channel's brightest levels (the film's clearest
parts), then inverted; the result, like any color input, is reduced to its luminance.

Only a color negative is noticed by itself: an orange cast of the same hue in the lightest
and the darkest tones, strong in the lightest (the clear film base). A gray negative shows no
such sign that separates it from ordinary photos, and gets no note: the cues other than tones
that were measured (eval/negative_look.py, eval/results/negative-look.md: faces found only in
the inverse, a bright rebate along the edges) either fire on ordinary photos (a print's white
margin) or, where they do not, miss most negatives of people, and take far longer than 30 ms.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.image_pixels import unit_pixels
from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.inverted_levels import InvertedLevels

NEGATIVE_NOTE = "read as a negative: tones inverted before colorizing"
BASE_NOTE = "read as a negative: tones inverted before colorizing, the film base removed"
LOOKS_NEGATIVE_NOTE = ("looks like a color negative (an orange film base in its lightest and "
                       "darkest tones), colorized as it is: if it is a negative, colorize it "
                       "with --negative (Python: negative=True; the service: negative=true; "
                       "the workbench: 'This is a negative')")
# The film base's level per channel: a high percentile, not the maximum (dust, a scratch).
_BASE_PERCENTILE = 99.5
# The detector's thresholds (eval/results/negative-look.md: no photo of historical-bw,
# real-color-dev or the Prokudin-Gorsky plates passes them).
_BASE_CHROMA = 25.0  # mean C* of the lightest tenth at least this
_ORANGE_HUES = (40.0, 75.0)  # hue (degrees) of the lightest and the darkest tenth within
_SAMPLE_PIXELS = 100_000  # the detector reads at most about this many pixels


def as_positive(loaded: LoadedImage, negative: bool) -> LoadedImage:
    """`loaded` as the pipeline should read it: inverted when `negative`; else unchanged, with
    a note when it looks like a color negative (the same object when it does not)."""
    if negative:
        pixels, base = inverted(loaded.pixels)
        return dataclasses.replace(loaded, pixels=pixels,
                                   notes=(*loaded.notes, BASE_NOTE if base else NEGATIVE_NOTE))
    if loaded.is_color and looks_like_color_negative(loaded.pixels):
        return dataclasses.replace(loaded, notes=(*loaded.notes, LOOKS_NEGATIVE_NOTE))
    return loaded


def inverted(pixels: np.ndarray) -> tuple[np.ndarray, bool]:
    """The positive of scanned negative `pixels` (uint8, or float32 in [0, 1]; (H, W) or
    (H, W, 3); or 16-bit levels as uint16, image_pixels.py) in the same dtype (float32 for
    uint16 color), and whether a film base was removed (color scans only). 16-bit gray (H, W)
    stays its own levels, marked to be read inverted (`InvertedLevels`): the same values to
    every reader, read by table (inverted_levels.py)."""
    deep = pixels.dtype == np.uint16  # 16-bit levels: inverted as the floats they stand for
    top = 255.0 if pixels.dtype == np.uint8 else 1.0
    if deep and pixels.ndim == 2 and not isinstance(pixels, InvertedLevels):
        return InvertedLevels(pixels), False  # a view: no 432 MB float copy at 108 MP
    if pixels.ndim == 2 or _is_gray(pixels):
        return (_inverted_16bit(pixels) if deep else (top - pixels).astype(pixels.dtype)), False
    base = np.array([np.percentile(unit_pixels(_sample(pixels)[..., c]) if deep
                                   else _sample(pixels)[..., c], _BASE_PERCENTILE)
                     for c in range(3)])
    scale = top / np.maximum(base, top / 255.0)  # a black channel stays black, never inf
    out = np.empty(pixels.shape, np.float32 if deep else pixels.dtype)
    for row in range(0, pixels.shape[0], 512):  # in bands: no float copy of a large scan
        rows = unit_pixels(pixels[row:row + 512]) if deep else pixels[row:row + 512]
        band = np.clip(rows * scale, 0.0, top)
        out[row:row + 512] = np.rint(top - band) if pixels.dtype == np.uint8 else top - band
    return out, True


def _inverted_16bit(values: np.ndarray) -> np.ndarray:
    """1 - `unit_pixels(values)` (float32): the positive of the float32 gray the loader gave
    before, to the bit (1 - u / 65535 is not (65535 - u) / 65535 in float32, so uint16 out
    would change the output), a band of rows at a time. For a gray scan kept as RGB, and
    for levels already read inverted (their negative again, as before)."""
    out = np.empty(values.shape, dtype=np.float32)
    for row in range(0, values.shape[0], 512):
        out[row:row + 512] = 1.0 - unit_pixels(values[row:row + 512])
    return out


def looks_like_color_negative(pixels: np.ndarray) -> bool:
    """Whether a color scan carries an orange film base: the lightest and the darkest tenth of
    its pixels of an orange hue, the lightest strongly so."""
    if pixels.ndim != 3:
        return False
    sample = _sample(pixels)
    rgb = unit_pixels(sample)  # uint8 / 255, 16-bit levels / 65535, float32 as it is
    lab = rgb_to_lab(torch.from_numpy(rgb.reshape(1, -1, 1, 3)).permute(0, 3, 1, 2))
    lightness, a, b = (channel.flatten().numpy() for channel in lab[0])
    light = lightness >= np.percentile(lightness, 90)
    dark = lightness <= np.percentile(lightness, 10)
    chroma = np.hypot(a[light], b[light]).mean()
    return bool(chroma >= _BASE_CHROMA and _orange(a[light], b[light])
                and _orange(a[dark], b[dark]))


def _orange(a: np.ndarray, b: np.ndarray) -> bool:
    hue = np.degrees(np.arctan2(b.mean(), a.mean())) % 360
    return bool(_ORANGE_HUES[0] <= hue <= _ORANGE_HUES[1])


def _sample(pixels: np.ndarray) -> np.ndarray:
    """Every n-th row and column, about `_SAMPLE_PIXELS` pixels: the detector and the base
    read statistics, which a large scan's every pixel would not change."""
    step = max(1, int(np.sqrt(pixels.shape[0] * pixels.shape[1] / _SAMPLE_PIXELS)))
    return pixels[::step, ::step]


def _is_gray(pixels: np.ndarray) -> bool:
    """A 3-channel scan whose channels are equal (a gray scan saved as RGB)."""
    sample = _sample(pixels)
    return bool((sample[..., 0] == sample[..., 1]).all()
                and (sample[..., 1] == sample[..., 2]).all())
