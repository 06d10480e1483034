"""16 bits a channel for photos that had more than 8: a 16-bit master keeps its tones.

An archive's 16-bit gray scan holds tens of thousands of tones where 8 bits hold 256; rounded
to 8 bits, its colorized derivative bands in a sky after any curve, and cannot stand in for the
master. The L* the pipeline keeps is float, so the merge at full size (full_size.py) can round
the colorized pixels to 16 bits as well as to 8, for such inputs only:

1. the pipeline asks `more_than_8_bits` of the loaded photo and tells the merge (`deep`);
2. `merge_full_size` makes, besides the 8-bit image, (H, W, 3) uint16 sRGB for it;
3. `ColorizationResult` keeps it as `image16`; `encode_image` writes it to PNG and TIFF
   (deep_encode.py) unless 8 bits are asked for.

An 8-bit input never gets one: its outputs are the bytes they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: the result (and the service's light paths) import this
    from colorizer.pipeline.imageio import LoadedImage

LEVELS_16 = 65535  # white in 16 bits a channel
# What a JPEG or WebP output of a 16-bit (or 10-bit HEIC) input says: those formats hold 8 bits a channel.
EIGHT_BIT_FORMAT_NOTE = ("the input's deeper-than-8-bit tones were written at 8 bits a channel: {fmt} holds "
                         "no more; write PNG or TIFF (--format png or tif) to keep them")


def more_than_8_bits(loaded: LoadedImage) -> bool:
    """Whether a loaded photo holds more than 8 bits (image_pixels.py gives 16-bit gray as
    uint16, 32-bit and float gray as float pixels): 16-bit sources do; 32-bit integer or
    float ones, and a PGM's 16-bit values, only where some value is not one of the 256
    levels of 8 bits (a JPEG turned "I" holds 0-255 and is an 8-bit photo, written as
    before). Checked a band of rows at a time, stopping at the first band that has one."""
    pixels, source_mode = loaded.pixels, loaded.source_mode
    if pixels.dtype == np.uint8:
        return False
    if source_mode.startswith("I;16"):
        return True
    rows = max(1, (1 << 20) // max(1, pixels.shape[1]))
    for top in range(0, pixels.shape[0], rows):
        if _off_8bit_levels(pixels[top: top + rows]):
            return True
    return False


def _off_8bit_levels(band: np.ndarray) -> bool:
    """Whether some value of a band is not one of 8 bits' 256 levels. 16-bit values (a PGM's)
    are when they are not a multiple of 257 (65535 / 255): u / 257 is then at least 1/257
    from a level, where the float test's 1e-3 would read u / 65535 * 255 the same way."""
    if band.dtype == np.uint16:
        return bool((band % 257).any())
    levels = band * np.float32(255.0)
    return bool((np.abs(levels - np.round(levels)) > 1e-3).any())


def checked_rgb16(rgb16: np.ndarray | None, size: tuple[int, int]) -> np.ndarray | None:
    """`rgb16` when it is (H, W, 3) uint16 of the image's `size` (W, H); None otherwise: a
    result whose image was replaced by one of another size (a display copy) has none."""
    if rgb16 is None:
        return None
    if rgb16.dtype != np.uint16 or rgb16.ndim != 3 or rgb16.shape[2] != 3:
        raise ValueError(f"image16 must be (H, W, 3) uint16, got {rgb16.shape} {rgb16.dtype}")
    return rgb16 if rgb16.shape[:2] == (size[1], size[0]) else None


def output_depth(has_deep: bool, pil_format: str, bit_depth: int | None) -> tuple[int, str | None]:
    """Bits a channel an output gets, and a note when the input's 16 bits are not kept.
    `bit_depth`: None, as the input (16 where it had more than 8 bits and the format holds
    them), or 8."""
    if bit_depth not in (None, 8):
        raise ValueError(f"bit_depth must be None (as the input: 16 bits for a 16-bit master in "
                         f"PNG or TIFF) or 8, got {bit_depth!r}")
    if not has_deep or bit_depth == 8:
        return 8, None
    if pil_format in ("PNG", "TIFF"):
        return 16, None
    return 8, EIGHT_BIT_FORMAT_NOTE.format(fmt="JPEG" if pil_format == "JPEG" else "WebP")
