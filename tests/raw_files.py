"""Camera raw files for tests, written as cameras and Adobe's DNG converter write them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DNG_VERSION = (50706, "B", 4, (1, 4, 0, 0), True)  # the tag every DNG carries
# A 2x2 RGGB color filter array: what marks the mosaic as sensor data.
CFA = [(33421, "H", 2, (2, 2), True), (33422, "B", 4, (0, 1, 1, 2), True)]


def write_dng(path: Path, mosaic: np.ndarray, preview: np.ndarray,
              preview_first: bool = True) -> Path:
    """A DNG of a 16-bit (H, W) `mosaic`: a small RGB `preview` (h, w, 3) uint8 first with the
    mosaic in a SubIFD (as cameras write it), or the mosaic first, alone."""
    tifffile = pytest.importorskip("tifffile")
    with tifffile.TiffWriter(path) as tif:
        if preview_first:
            tif.write(preview, photometric="rgb", subfiletype=1, subifds=1,
                      extratags=[DNG_VERSION])
            tif.write(mosaic, photometric=32803, extratags=CFA)
        else:
            tif.write(mosaic, photometric=32803, extratags=[DNG_VERSION, *CFA])
    return path
