"""The loader's answer: one decoded image, its pixels and what was done to them.

Its own module so that the steps the loader calls (deep_color.py) can take and give it
without importing the loader (`colorizer.pipeline.imageio` re-exports it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from colorizer.pipeline.carried_metadata import CarriedMetadata
from colorizer.pipeline.image_pixels import float_rgb
from context.types import Caption


@dataclass(frozen=True)
class LoadedImage:
    """One decoded image, ready for the pipeline."""

    # sRGB, orientation applied, kept compact (image_pixels.py): (H, W) or (H, W, 3), uint8
    # for 8-bit sources, uint16 (values 0..65535) for 16-bit gray (H, W) and 16-bit RGB
    # without a profile or translucent alpha ((H, W) gray scan, (H, W, 3) color), float32
    # in [0, 1] for other high-bit-depth sources; a 16-bit gray negative's positive is its
    # uint16 levels marked to be read inverted (inverted_levels.InvertedLevels). Read values
    # in [0, 1] through image_pixels.unit_pixels (a band at a time); `rgb` is the whole
    # float view.
    pixels: np.ndarray
    is_color: bool  # the source had real color; the pipeline reduces it to luminance
    source_mode: str  # PIL mode of the source frame, e.g. "L", "I;16", "RGB", "CMYK", "P"
    source_format: str | None  # "JPEG", "PNG", "TIFF", ...; None for an in-memory PIL image
    size: tuple[int, int]  # (width, height) after orientation
    frames: int  # frames/pages in the source; only one is used
    notes: tuple[str, ...]  # what was done to the pixels, for reports and logs
    sha256: str | None  # hex digest of the source bytes; None for a PIL image input
    name: str  # file path, or the given name ("<bytes>" / "<image>" when none was given)
    captions: tuple[Caption, ...] = ()  # found in the file's EXIF, IPTC, XMP, PNG text
    path: str | None = None  # the file it was read from; None for bytes and PIL images
    carried: CarriedMetadata = field(default_factory=CarriedMetadata)  # EXIF, IPTC, DPI kept

    @property
    def rgb(self) -> np.ndarray:
        """(H, W, 3) float32 sRGB in [0, 1], made on each call (4 bytes a channel: for a large
        photo, work from `pixels` in bands instead, as `luminance.lightness_of` does)."""
        return float_rgb(self.pixels)
