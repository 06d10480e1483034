"""Text lines as Tesseract is handed them: cropped, level, dark on light, one height, stacked.

Two views of a line (`LineView`):
- *plain*: the crop in grayscale with autocontrast, inverted when its text is light. It keeps
  the letters' anti-aliasing and reads best where the writing lies on an even ground (a sky,
  a wall, a slide's dark frame).
- *cleaned*: the ground removed before reading. Felt-tip titles and signs often lie on grass,
  foliage or a crowd, whose texture is as dark and as light as the letters, so Tesseract's own
  binarization keeps the texture and the line reads as noise. A morphological top-hat with a
  window about half the line's height keeps only strokes thinner than that (the letters)
  and drops the slowly varying ground, then Otsu's threshold makes it black on white. Which
  top-hat (white for light letters, black for dark ones) cannot be told from the pixels alone
  (between dense letters the black top-hat of light writing is as strong as its white one),
  so both are read and Tesseract's confidence decides.
The plain view is read with its ground flattened to white (`flattened`), once gray, then
binarized as a retry. The cleaned view is a retry for lines the plain view leaves unsettled
(context/ocr.py): on 30 generated titles on photos (eval/writing_cases.py, seed 16, never
the real-color-dev slides) reading the plain view, then the cleaned one, and keeping the
reading of higher confidence took the mean similarity of the best reading to the written
text from 0.26 to 0.35.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

from context.gray_histogram import gray_histogram
from context.regions import crop_line

Box = tuple[int, int, int, int]

LINE_HEIGHT = 40  # pixels: each crop is resized to this height in the strip
GAP = 14  # white rows between two lines of a strip
MAX_LINE_WIDTH = 1600


@dataclass(frozen=True)
class LineView:
    """How a line is shown to Tesseract: its height in the strip, and whether the ground
    around the letters is removed first, for light or for dark letters (module docstring)."""

    height: int = LINE_HEIGHT
    cleaned_for: Literal["light", "dark"] | None = None
    binarized: bool = False  # the plain view binarized (`flattened`): a retry


def _resized(gray: Image.Image, height: int) -> Image.Image:
    w = max(1, round(gray.width * height / max(1, gray.height)))
    return gray.resize((min(w, MAX_LINE_WIDTH), height), Image.BILINEAR)


def plain_line(crop: Image.Image, height: int = LINE_HEIGHT, flatten: bool = True,
               binarize: bool = False) -> Image.Image:
    """Dark text on light, `height` pixels tall: grayscale with autocontrast, inverted when
    the text is light (`light_text`), then the ground flattened to white (`flattened`), and
    binarized when asked. `flatten=False` keeps the gray crop on the ground it lies on."""
    gray = ImageOps.autocontrast(crop.convert("L"), cutoff=1)
    if light_text(np.asarray(gray, dtype=np.float32)):
        gray = ImageOps.invert(gray)
    line = _resized(gray, height)
    return flattened(line, binarize) if flatten else line


def light_text(arr: np.ndarray) -> bool:
    """Whether the letters of a line crop (grayscale, autocontrast) are lighter than the
    ground. The ground reaches the top and bottom rows, the letters fill the middle: the
    letters are the middle band's pixels beyond the rows' own range (their 10th-90th
    percentiles), on the side where more of them are. (The older rule, border median below
    Otsu's threshold, took 6 of 39 generated titles of clear contrast the wrong way round
    (eval/writing_cases.py, seeds 1 and 2): on grass or a crowd the ground has both
    polarities and Otsu splits it, not the letters from it; this rule 2 of 39.)"""
    h = arr.shape[0]
    rows = max(2, h // 8)
    ground = np.concatenate([arr[:rows].ravel(), arr[-rows:].ravel()])
    middle = arr[h // 4: h - h // 4]
    lighter = (middle > np.percentile(ground, 90)).mean()
    darker = (middle < np.percentile(ground, 10)).mean()
    return bool(lighter > darker)


def flattened(line: Image.Image, binarize: bool = False) -> Image.Image:
    """Dark letters on a ground made white: the ground (the line's grey closing over half
    its height, which fills in strokes thinner than that) minus the line leaves the ink's
    darkness over its own ground, stretched to black; binarized at Otsu's threshold when
    `binarize`.

    Why: Tesseract binarizes the strip it is handed with one threshold. A crop is a gray
    box on the strip's white, so on a mid-gray or textured ground that threshold splits box
    from page and the letters go with the box: clear printed titles on photos read as
    nothing (12 of 30 generated titles, eval/writing_cases.py seed 16, before this). On
    seeds 1 and 2 (39 titles of clear contrast, polarity known) the mean similarity of the
    Cyrillic/Latin model's reading to the title was 0.42 for the gray crop on white, 0.54
    flattened, 0.63 flattened and binarized. Binarizing loses the anti-aliasing a clean
    sign's small letters need ("молоко" read "мопоко"), so the gray flattened view is read
    first and the binarized one is the first retry (context/ocr.py)."""
    arr = np.asarray(line, dtype=np.float32)
    size = max(3, arr.shape[0] // 2)
    ink = ndimage.grey_closing(arr, size=(size, size)) - arr
    ink *= 255.0 / max(float(np.percentile(ink, 99.5)), 1.0)
    if not binarize:
        return Image.fromarray((255 - np.clip(ink, 0, 255)).astype(np.uint8))
    out = np.where(ink > otsu(np.clip(ink, 0, 255)), 0, 255).astype(np.uint8)
    return Image.fromarray(out)


def cleaned_line(crop: Image.Image, height: int = LINE_HEIGHT,
                 letters: Literal["light", "dark"] = "light") -> Image.Image:
    """The strokes of `letters` alone, black on white, `height` pixels tall."""
    arr = np.asarray(ImageOps.autocontrast(crop.convert("L"), cutoff=1), dtype=np.float32)
    size = max(3, arr.shape[0] // 2)  # wider than a stroke, narrower than the ground's trends
    if letters == "light":
        strokes = arr - ndimage.grey_opening(arr, size=(size, size))
    else:
        strokes = ndimage.grey_closing(arr, size=(size, size)) - arr
    scaled = strokes * (255.0 / max(float(strokes.max()), 1.0))
    out = np.where(scaled > otsu(scaled), 0, 255).astype(np.uint8)
    return _resized(Image.fromarray(out), height)


def otsu(arr: np.ndarray) -> float:
    """Otsu's threshold of a grayscale array (0-255)."""
    hist = gray_histogram(arr)
    p = hist / max(1, hist.sum())
    omega, mu = np.cumsum(p), np.cumsum(p * np.arange(256))
    between = (mu[-1] * omega - mu) ** 2 / np.maximum(omega * (1 - omega), 1e-12)
    return float(np.argmax(between))


def build_strip(image: Image.Image, boxes: Sequence[Box], view: LineView = LineView(),
                angles: dict[Box, float] | None = None) -> tuple[Image.Image, list[int]]:
    """Stack the cropped lines (tilted ones rotated level, by `angles`) as `view` shows them;
    returns the strip and the top y of each line in it."""
    angles = angles or {}
    crops = [crop_line(image, b, angles.get(b, 0.0)) for b in boxes]
    lines = [cleaned_line(c, view.height, view.cleaned_for) if view.cleaned_for
             else plain_line(c, view.height, binarize=view.binarized) for c in crops]
    width = max(line.width for line in lines) + 20
    strip = Image.new("L", (width, GAP + len(lines) * (view.height + GAP)), 255)
    tops = []
    for i, line in enumerate(lines):
        top = GAP + i * (view.height + GAP)
        strip.paste(line, (10, top))
        tops.append(top)
    return strip, tops
