"""Camera raw files (DNG and the cameras' own) are refused by colorize's loader with what to
do instead. They are told apart by context/photo_formats/camera_raw.py, which
`python -m context` uses as well (context never imports colorizer): both refuse a DNG by its
DNGVersion tag whatever its name, the cameras' own raws by their suffix, in the same words.
"""

from __future__ import annotations

import io

from colorizer.errors import UnsupportedImageError
from context.photo_formats.camera_raw import (
    DEVELOP_FIX,
    RAW_SUFFIXES,
    camera_raw_kind,
    camera_raw_problem,
    is_dng,
)

__all__ = ["RAW_SUFFIXES", "camera_raw_refusal", "is_dng"]


def camera_raw_refusal(data: bytes, label: str) -> UnsupportedImageError | None:
    """The error for a camera raw file (a DNG by its tag, another raw by its suffix); None
    for any other file."""
    kind = camera_raw_kind(io.BytesIO(data), label)
    if kind is None:
        return None
    return UnsupportedImageError(label, camera_raw_problem(kind), DEVELOP_FIX)
