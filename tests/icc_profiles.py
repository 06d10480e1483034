"""ICC v2 profiles written by hand for the tests: gray ones as Photoshop assigns to gray masters
("Gray Gamma 2.2", "Dot Gain 20%") and matrix RGB ones ("Adobe RGB (1998)"). Pillow's ImageCms
makes only sRGB, Lab and XYZ profiles, and no .icc files are installed here."""

from __future__ import annotations

import struct

import numpy as np

D50 = (0.9642, 1.0, 0.8249)
ADOBE_RGB = ((0.60974, 0.31111, 0.01947), (0.20528, 0.62567, 0.06087),
             (0.14919, 0.06322, 0.74457))  # D50-adapted primaries


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def _gamma(gamma: float) -> bytes:
    return b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))


def _table(values: np.ndarray) -> bytes:
    table = np.clip(np.round(values * 65535), 0, 65535).astype(">u2")
    return b"curv\0\0\0\0" + struct.pack(">I", len(table)) + table.tobytes()


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(78)


def _profile(space: bytes, tags: dict[bytes, bytes]) -> bytes:
    table, data = struct.pack(">I", len(tags)), b""
    offset = 128 + 4 + 12 * len(tags)
    for signature, body in tags.items():
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (b"none" + bytes([2, 0x10, 0, 0]) + b"mntr" + space + b"XYZ " + bytes(12) + b"acsp"
              + bytes(28) + _xyz(*D50)[8:] + bytes(4))
    header = struct.pack(">I", 128 + len(table) + len(data)) + header
    return header + bytes(128 - len(header)) + table + data


def gray_profile(description: str, trc: bytes) -> bytes:
    return _profile(b"GRAY", {b"desc": _desc(description), b"wtpt": _xyz(*D50), b"kTRC": trc})


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
    tags = {b"desc": _desc("Adobe RGB (1998)"), b"wtpt": _xyz(*D50)}
    for signature, primary in zip((b"rXYZ", b"gXYZ", b"bXYZ"), ADOBE_RGB, strict=True):
        tags[signature] = _xyz(*primary)
    for signature in (b"rTRC", b"gTRC", b"bTRC"):
        tags[signature] = _gamma(563 / 256)
    return _profile(b"RGB ", tags)
