"""Camera raw files (DNG and the cameras' own) are refused with what to do instead.

A raw file holds the sensor's mosaic, which must be developed (demosaiced, white-balanced,
through the camera's color matrix) before it is a photo; Pillow does not develop it. Most
raws are TIFFs whose first page is a small preview, which Pillow opens: a digitisation
project's DNG was colorized as its 151x160 preview without a word. A DNG whose first page is
the mosaic itself was "starts like a TIFF file but its header is incomplete or corrupt",
which sent people to download a whole file again. Both are now refused as raw files: a DNG
by its DNGVersion tag whatever its name, the cameras' own raws by their suffix.
"""

from __future__ import annotations

import struct
from pathlib import Path

from colorizer.errors import UnsupportedImageError

_DNG_VERSION = 50706  # the tag every DNG carries in its first IFD
# Cameras' raw formats: Nikon, Canon, Sony, Olympus, Pentax, Panasonic, Fujifilm, Samsung,
# Hasselblad, Epson, Kodak, Mamiya, Leaf, Phase One, Leica, Sigma.
RAW_SUFFIXES = frozenset({
    ".dng", ".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".orf", ".pef",
    ".rw2", ".raf", ".srw", ".3fr", ".erf", ".kdc", ".dcr", ".mef", ".mos", ".iiq", ".rwl",
    ".x3f"})
_MOST_ENTRIES = 4096  # an IFD of more entries than this is damaged, not a DNG
_DEVELOP_FIX = ("develop it to a 16-bit TIFF first (darktable, RawTherapee, Lightroom or "
                "Camera Raw; or `dcraw -T -4 FILE`), then colorize the TIFF")


def camera_raw_refusal(data: bytes, label: str) -> UnsupportedImageError | None:
    """The error for a camera raw file (a DNG by its tag, another raw by its suffix); None
    for any other file."""
    suffix = Path(label).suffix.lower()
    if is_dng(data):
        kind = "DNG"
    elif suffix in RAW_SUFFIXES:
        kind = suffix[1:].upper()
    else:
        return None
    return UnsupportedImageError(
        label, f"is a camera raw file ({kind}): its sensor data must be developed into a photo "
        "first, which chronochrome does not do (it would read only the small preview that "
        "some raws carry)", _DEVELOP_FIX)


def is_dng(data: bytes) -> bool:
    """Whether a classic TIFF's first IFD carries the DNGVersion tag."""
    order = {b"II": "<", b"MM": ">"}.get(data[:2])
    if order is None or len(data) < 8:
        return False
    magic, offset = struct.unpack(order + "HI", data[2:8])
    if magic != 42 or offset + 2 > len(data):
        return False
    (entries,) = struct.unpack(order + "H", data[offset:offset + 2])
    first = offset + 2
    for index in range(min(entries, _MOST_ENTRIES)):
        start = first + 12 * index
        if start + 2 > len(data):
            return False
        (tag,) = struct.unpack(order + "H", data[start:start + 2])
        if tag == _DNG_VERSION:
            return True
    return False
