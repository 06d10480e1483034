"""Lining the original up with a colorization that was handled after it was made.

Historians receive colorizations resized, rotated, cropped, padded or framed. The lightness
check compares pixel to pixel, so it must say what it did to line the two up ("compared
after resizing"), or, where it cannot, what differs and what to do, instead of a verdict
on images that do not line up.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from colorizer.pipeline.imageio import LoadedImage

ASPECT_TOLERANCE = 0.02  # an aspect ratio that differs more is another framing


def _aspect(size: tuple[int, int]) -> float:
    return size[0] / size[1]


def same_aspect(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return abs(_aspect(a) - _aspect(b)) <= ASPECT_TOLERANCE * _aspect(a)


def rotated(gray: LoadedImage, quarter_turns: int) -> LoadedImage:
    """The original turned by `quarter_turns` x 90 degrees counterclockwise (as PIL's
    rotate(90 * k, expand=True))."""
    # .copy(), C order, keeps an array subclass (negative.InvertedLevels: a 16-bit
    # negative's levels, read inverted); ascontiguousarray made it plain raw levels
    pixels = np.rot90(gray.pixels, quarter_turns).copy()
    return replace(gray, pixels=pixels, size=(pixels.shape[1], pixels.shape[0]))


def resize_note(color_size: tuple[int, int], gray_size: tuple[int, int]) -> str | None:
    """What the lightness check did about a size difference (None: same size)."""
    if color_size == gray_size:
        return None
    share = 100.0 * color_size[0] / gray_size[0]
    return (f"the colorization is {share:.0f}% of the original's size ({color_size[0]}x"
            f"{color_size[1]} against {gray_size[0]}x{gray_size[1]}): its lightness was "
            "compared after resizing the original to it")


def mismatch_message(color_size: tuple[int, int], gray_size: tuple[int, int]) -> str:
    """The error for an original whose shape differs (not by a quarter turn): a crop, a pad,
    a border or another photo. Which one cannot be told from the shapes, so it says what
    the shapes allow (narrower: cut; wider: padded or framed) and how to go on."""
    (cw, ch), (gw, gh) = color_size, gray_size
    how = (f"{shape_change(color_size, gray_size)} ("
           + ("cropped at a side, or framed with bands at top and bottom)"
              if _aspect(color_size) < _aspect(gray_size) else
              "padded or letterboxed at the sides, cropped at top or bottom, or a border "
              "added)"))
    return (
        f"the original is {gw}x{gh} and the colorization {cw}x{ch}: their shapes differ, so "
        f"their lightness cannot be compared pixel by pixel: {how}, or it is another photo; "
        "give the original with the colorization's framing (crop it the same way), or check "
        "without --original (its colors are still checked)")


def shape_change(color_size: tuple[int, int], gray_size: tuple[int, int]) -> str:
    """How the colorization's shape differs from the original's, in words."""
    change = _aspect(color_size) / _aspect(gray_size)  # >1: wider than the original's shape
    if change < 1:
        return f"it is {100 * (1 - change):.0f}% narrower for its height than the original"
    return f"it is {100 * (change - 1):.0f}% wider for its height than the original"
