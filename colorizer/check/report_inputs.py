"""The files `chronochrome check --report` reads, decoded once for the check and its report.

The check decoded the colorization and its original with the loader (imageio.load_image),
then the report opened both files again with Pillow to show them: 0.5 s of a 12 MP pair, a
second full decode of each. Where a file is plain (PNG, JPEG, TIFF or BMP; one frame; 8-bit
gray or RGB; no ICC profile, transparency or EXIF turn) the loader's pixels are Pillow's own,
to the bit, so the check's decode is shown instead and the report is the same file.

Memory: the check lets a colorization's full-size pixels go before the model reads the
original (checker.analyse); kept for the report, they stay up through the check. So they are
kept only while both files together hold at most `HOLD_BYTES` of pixels: a 12 MP pair holds
48 MB, and the check's peak RSS went from 1285 to 1334 MB (the report's two decodes, 0.6 s
of a 41-51 s check, saved); an archive-size pair is decoded again for the report, as before, and so is a
file that is not plain.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from colorizer.pipeline.imageio import LoadedImage, load_image
from colorizer.pipeline.pil_settings import PIL_SETTINGS
from context.photo_formats.orientation import exif_orientation

HOLD_BYTES = 128 * 2**20  # pixels of both files kept through the check (a 32 MP RGB pair)
PLAIN_FORMATS = ("PNG", "JPEG", "TIFF", "BMP")
_CHANNELS = {"L": 1, "RGB": 3}


@dataclass(frozen=True)
class CheckedFiles:
    """Each file as the check and the report take it: decoded once, or its path (decoded
    where it is used, as before)."""

    colorized: LoadedImage | Path
    original: LoadedImage | Path | None


def decoded_once(colorized: Path, original: Path | None, max_pixels: int) -> CheckedFiles:
    """Each file decoded now where it is plain and the plain ones are small enough to keep
    together; the others as their paths (a file that cannot be read is the check's to
    report, in its words)."""
    sizes = {path: _plain_size(path) for path in (colorized, original) if path is not None}
    plain = {path: size for path, size in sizes.items() if size is not None}
    if sum(w * h * c for w, h, c in plain.values()) > HOLD_BYTES:
        plain = {}
    kept: dict[Path, LoadedImage] = {}
    for path, size in plain.items():  # the colorization first, as the check loads them
        loaded = load_image(path, max_pixels=max_pixels)
        if _as_pillow_reads(loaded, size):
            kept[path] = loaded
    return CheckedFiles(kept.get(colorized, colorized),
                        None if original is None else kept.get(original, original))


def report_image(image: LoadedImage | Path | None) -> Image.Image | Path | None:
    """What the report shows of a file: its kept decode as RGB, else its path."""
    if isinstance(image, LoadedImage):
        return Image.fromarray(image.pixels).convert("RGB")
    return image


def _plain_size(path: Path) -> tuple[int, int, int] | None:
    """(width, height, channels) of a plain file, from its header; None otherwise."""
    try:
        with PIL_SETTINGS, Image.open(path) as image:
            plain = (image.format in PLAIN_FORMATS and image.mode in _CHANNELS
                     and getattr(image, "n_frames", 1) == 1
                     and not {"icc_profile", "transparency"} & image.info.keys()
                     and not _turned(image))
            return (*image.size, _CHANNELS[image.mode]) if plain else None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None  # not readable here: the check's loader says why


def _turned(image: Image.Image) -> bool:
    """An EXIF turn found in the header. Pillow's `getexif` decodes a PNG without an eXIf
    chunk before its pixels (to look after them), so a PNG's is not looked for here: the
    loader's note of it is (`_as_pillow_reads`)."""
    if image.format == "PNG" and "exif" not in image.info:
        return False
    return exif_orientation(image) is not None


def _as_pillow_reads(loaded: LoadedImage, size: tuple[int, int, int]) -> bool:
    """The loader's pixels are those Pillow gives the plain file: 8-bit, its size, unturned."""
    width, height, _ = size
    return (loaded.pixels.dtype == np.uint8 and loaded.pixels.shape[:2] == (height, width)
            and not any("orientation" in note for note in loaded.notes))
