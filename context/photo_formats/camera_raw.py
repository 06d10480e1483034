"""Camera raw files (DNG and the cameras' own) are told apart, so that both loaders refuse
them with what to do instead (colorize's as an `UnsupportedImageError`, `python -m context`'s
as a `PhotoRefused`, context/photo_reading.py).

A raw file holds the sensor's mosaic, which must be developed (demosaiced, white-balanced,
through the camera's color matrix) before it is a photo; Pillow does not develop it. Most
raws are TIFFs whose first page is a small preview, which Pillow opens: a digitisation
project's DNG was colorized as its 151x160 preview without a word (and `python -m context`
read that preview without a word, after colorize refused it). A DNG whose first page is the
mosaic itself was "starts like a TIFF file but its header is incomplete or corrupt", which
sent people to download a whole file again. Both are refused as raw files: a DNG by its
DNGVersion tag whatever its name, the cameras' own raws by their suffix.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import BinaryIO

_DNG_VERSION = 50706  # the tag every DNG carries in its first IFD
# Cameras' raw formats: Nikon, Canon, Sony, Olympus, Pentax, Panasonic, Fujifilm, Samsung,
# Hasselblad, Epson, Kodak, Mamiya, Leaf, Phase One, Leica, Sigma.
RAW_SUFFIXES = frozenset({
    ".dng", ".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".orf", ".pef",
    ".rw2", ".raf", ".srw", ".3fr", ".erf", ".kdc", ".dcr", ".mef", ".mos", ".iiq", ".rwl",
    ".x3f"})
_MOST_ENTRIES = 4096  # an IFD of more entries than this is damaged, not a DNG
DEVELOP_FIX = ("develop it to a 16-bit TIFF first (darktable, RawTherapee, Lightroom or "
               "Camera Raw; or `dcraw -T -4 FILE`), then colorize the TIFF")


def camera_raw_kind(stream: BinaryIO, label: str) -> str | None:
    """"DNG" for a DNG (by its tag), a camera's raw format by the suffix of `label` ("NEF"),
    None for any other file. Reads the first IFD from `stream`, not the whole file."""
    if is_dng_stream(stream):
        return "DNG"
    suffix = Path(label).suffix.lower()
    return suffix[1:].upper() if suffix in RAW_SUFFIXES else None


def camera_raw_problem(kind: str) -> str:
    """What is wrong with a camera raw file of `kind` (the fix is `DEVELOP_FIX`)."""
    return (f"is a camera raw file ({kind}): its sensor data must be developed into a photo "
            "first, which chronochrome does not do (it would read only the small preview that "
            "some raws carry)")


def is_dng(data: bytes) -> bool:
    """Whether a classic TIFF's first IFD carries the DNGVersion tag."""
    return is_dng_stream(io.BytesIO(data))


def is_dng_stream(stream: BinaryIO) -> bool:
    """`is_dng` of the file in `stream`, reading its header and first IFD only; the stream's
    position is put back."""
    start = stream.tell()
    try:
        stream.seek(0)
        head = stream.read(8)
        order = {b"II": "<", b"MM": ">"}.get(head[:2])
        if order is None or len(head) < 8:
            return False
        magic, offset = struct.unpack(order + "HI", head[2:8])
        if magic != 42:
            return False
        stream.seek(offset)
        count = stream.read(2)
        if len(count) < 2:
            return False
        (entries,) = struct.unpack(order + "H", count)
        table = stream.read(12 * min(entries, _MOST_ENTRIES))
        return any(struct.unpack_from(order + "H", table, start_at)[0] == _DNG_VERSION
                   for start_at in range(0, len(table) - 1, 12))
    finally:
        stream.seek(start)
