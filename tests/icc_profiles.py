"""ICC v2 profiles written by hand for the tests: gray ones as Photoshop assigns to gray masters
("Gray Gamma 2.2", "Dot Gain 20%") and matrix RGB ones ("Adobe RGB (1998)"). Pillow's ImageCms
makes only sRGB, Lab and XYZ profiles, and no .icc files are installed here."""

from __future__ import annotations

import struct

import numpy as np

from colorizer.pipeline.gray_profile import D50, desc_tag, icc_v2_profile, xyz_tag

ADOBE_RGB = ((0.60974, 0.31111, 0.01947), (0.20528, 0.62567, 0.06087),
             (0.14919, 0.06322, 0.74457))  # D50-adapted primaries


def _gamma(gamma: float) -> bytes:
    return b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))


def _table(values: np.ndarray) -> bytes:
    table = np.clip(np.round(values * 65535), 0, 65535).astype(">u2")
    return b"curv\0\0\0\0" + struct.pack(">I", len(table)) + table.tobytes()


def gray_profile(description: str, trc: bytes) -> bytes:
    tags = {b"desc": desc_tag(description), b"wtpt": xyz_tag(*D50), b"kTRC": trc}
    return icc_v2_profile(b"GRAY", tags)


def gray_gamma(gamma: float = 2.2) -> bytes:
    return gray_profile(f"Gray Gamma {gamma}", _gamma(gamma))


def dot_gain_luminance(device: np.ndarray, gain: float = 0.2) -> np.ndarray:
    """Relative luminance of gray device values in [0, 1] (0 black) printed with `gain` dot
    gain at 50% ink: the ink spreads most in the mid-tones."""
    ink = 1.0 - device
    return 1.0 - (ink + 4 * gain * ink * (1.0 - ink))


def dot_gain(gain: float = 0.2) -> bytes:
    trc = _table(dot_gain_luminance(np.linspace(0.0, 1.0, 1024), gain))
    return gray_profile(f"Dot Gain {round(gain * 100)}%", trc)


def adobe_rgb() -> bytes:
    tags = {b"desc": desc_tag("Adobe RGB (1998)"), b"wtpt": xyz_tag(*D50)}
    for signature, primary in zip((b"rXYZ", b"gXYZ", b"bXYZ"), ADOBE_RGB, strict=True):
        tags[signature] = xyz_tag(*primary)
    for signature in (b"rTRC", b"gTRC", b"bTRC"):
        tags[signature] = _gamma(563 / 256)
    return icc_v2_profile(b"RGB ", tags)


def jp2_with_icc(jp2: bytes, icc: bytes) -> bytes:
    """`jp2` with its header's 'colr' box holding `icc` (method 2, "restricted ICC"), as
    Kakadu and archives' pipelines write it (Pillow writes an enumerated color space)."""
    start = jp2.index(b"jp2h") - 4
    (length,) = struct.unpack(">I", jp2[start:start + 4])
    header = jp2[start + 8:start + length]
    colr = header.index(b"colr") - 4
    (colr_length,) = struct.unpack(">I", header[colr:colr + 4])
    box = b"colr" + bytes([2, 0, 0]) + icc
    header = header[:colr] + struct.pack(">I", len(box) + 4) + box + header[colr + colr_length:]
    return jp2[:start] + struct.pack(">I", len(header) + 8) + b"jp2h" + header + jp2[start + length:]
