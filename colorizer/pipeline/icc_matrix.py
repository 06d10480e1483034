"""An RGB matrix/TRC ICC profile (Display P3, Adobe RGB, a camera's sRGB) applied to float
pixels, so that pixels of more than 8 bits reach sRGB without being rounded to 8.

Pillow's littleCMS transforms take 8-bit RGB only (it has no 16-bit RGB mode), which is what
`convert_to_srgb` (context/photo_formats/icc.py) uses. A phone's 10-bit HEIC carries a
matrix/TRC profile (three tone curves and three primaries), which is simple enough to apply here
in float: each channel through its curve to linear light, the primaries to the profile
connection space (XYZ, D50), and sRGB's own matrix back, clipped to sRGB's gamut as littleCMS
clips it. A profile of another kind (lookup tables, a CMYK or gray profile) gets None, and the
caller keeps the 8-bit path. Tags are read from the profile's bytes (ICC.1:2010, 10.5 curv,
10.18 para, 10.31 XYZ).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from PIL import ImageCms

_CURVES = (b"rTRC", b"gTRC", b"bTRC")
_COLORANTS = (b"rXYZ", b"gXYZ", b"bXYZ")
Curve = Callable[[np.ndarray], np.ndarray]  # device values in [0, 1] -> linear light


class SrgbConverter:
    """A matrix/TRC profile's way to sRGB for float pixels: give it a band of rows at a time
    (it makes float copies of what it is given)."""

    def __init__(self, source: _MatrixProfile) -> None:
        self._curves = source.curves
        self._to_srgb = (np.linalg.inv(_srgb().matrix) @ source.matrix).T.astype(np.float32)
        self._uint16_tables: dict[int, list[np.ndarray]] = {}  # bit depth -> 3 tables

    def from_float(self, rgb: np.ndarray) -> np.ndarray:
        """(h, W, 3) float device RGB in [0, 1] -> float32 sRGB in [0, 1]."""
        linear = np.stack([self._curves[c](rgb[..., c]).astype(np.float32)
                           for c in range(3)], axis=-1)
        return self._encode(linear)

    def from_levels(self, levels: np.ndarray, top: int) -> np.ndarray:
        """(h, W, 3) integer device levels 0..`top` -> float32 sRGB: the curves are looked up
        for each level once (a 10-bit photo has 1024), not computed for every pixel."""
        tables = self._level_tables(top)
        return self._encode(np.stack([tables[c][levels[..., c]] for c in range(3)], axis=-1))

    def from_uint16(self, values: np.ndarray, depth: int, out: np.ndarray) -> None:
        """(h, W, 3) uint16 holding `depth`-bit levels shifted to 16 bits (as libheif gives
        them) -> float32 sRGB written into `out`: as `from_levels` on the levels (the same
        floats), with each 16-bit value's table entry looked up directly."""
        top = (1 << depth) - 1
        if depth not in self._uint16_tables:  # the level of each 16-bit value, white at most
            levels = np.minimum(np.arange(1 << 16) >> (16 - depth), top)
            self._uint16_tables[depth] = [t[levels] for t in self._level_tables(top)]
        tables = self._uint16_tables[depth]
        linear = np.empty(out.shape, np.float32)  # (h, W, 3), C-ordered as np.stack makes it
        for c in range(3):
            linear[..., c] = tables[c][values[..., c]]
        self._encode(linear, out)

    def _level_tables(self, top: int) -> list[np.ndarray]:
        steps = np.arange(top + 1, dtype=np.float64) / top
        return [curve(steps).astype(np.float32) for curve in self._curves]

    def _encode(self, linear: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        in_srgb = linear @ self._to_srgb
        np.clip(in_srgb, 0.0, 1.0, out=in_srgb)  # gamut clipped as lcms
        return _srgb_encode(in_srgb, out)


def srgb_converter(icc_profile: bytes) -> SrgbConverter | None:
    """The converter through a matrix/TRC profile; None when the profile is not one (or
    cannot be read)."""
    try:
        source = _MatrixProfile.read(icc_profile)
    except (struct.error, ValueError, IndexError, KeyError):
        return None
    return None if source is None else SrgbConverter(source)


class _MatrixProfile:
    """The three tone curves (device value -> linear) and the colorant matrix (linear RGB ->
    XYZ D50, colorants as its columns) of an RGB matrix/TRC profile."""

    def __init__(self, curves: list[Curve], matrix: np.ndarray) -> None:
        self.curves, self.matrix = curves, matrix

    @classmethod
    def read(cls, profile: bytes) -> _MatrixProfile | None:
        if profile[16:20] != b"RGB " or profile[20:24] != b"XYZ ":
            return None  # an RGB device profile whose connection space is XYZ
        (count,) = struct.unpack(">I", profile[128:132])
        tags = {}
        for k in range(count):
            signature, offset, size = struct.unpack(">4sII", profile[132 + 12 * k:144 + 12 * k])
            tags[signature] = profile[offset:offset + size]
        if b"A2B0" in tags or not all(t in tags for t in (*_CURVES, *_COLORANTS)):
            return None  # lookup tables take precedence over the matrix: not followed here
        curves = [_curve(tags[t]) for t in _CURVES]
        if any(curve is None for curve in curves):
            return None
        matrix = np.array([_xyz(tags[t]) for t in _COLORANTS]).T  # (3 XYZ, 3 RGB)
        return cls(curves, matrix)


def _xyz(tag: bytes) -> tuple[float, float, float]:
    if tag[:4] != b"XYZ ":
        raise ValueError("not an XYZ tag")
    return tuple(v / 65536.0 for v in struct.unpack(">3i", tag[8:20]))


def _curve(tag: bytes) -> Curve | None:
    """A tone curve as a function of device values in [0, 1]; None for an unknown type."""
    if tag[:4] == b"curv":
        (count,) = struct.unpack(">I", tag[8:12])
        if count == 0:
            return lambda v: v
        if count == 1:
            gamma = struct.unpack(">H", tag[12:14])[0] / 256.0
            return lambda v: np.power(np.clip(v, 0.0, 1.0), gamma)
        table = np.array(struct.unpack(f">{count}H", tag[12:12 + 2 * count])) / 65535.0
        return lambda v: np.interp(v, np.linspace(0.0, 1.0, count), table)
    if tag[:4] == b"para":
        (kind,) = struct.unpack(">H", tag[8:10])
        if kind > 4:
            return None
        count = (1, 3, 4, 5, 7)[kind]
        params = struct.unpack(f">{count}i", tag[12:12 + 4 * count])
        return _parametric(kind, [p / 65536.0 for p in params])
    return None


def _parametric(kind: int, params: list[float]) -> Curve:
    """ICC parametric curve types 0-4 (ICC.1:2010 table 65), all as
    Y = (aX + b)^g + e where X >= d, else cX + f."""
    g, a, b = (params + [1.0, 0.0])[:3] if kind == 0 else params[:3]
    c = d = e = f = 0.0
    if kind in (1, 2):
        d = -b / a
    if kind == 2:
        e = f = params[3]
    if kind in (3, 4):
        c, d = params[3], params[4]
    if kind == 4:
        e, f = params[5], params[6]

    def curve(v: np.ndarray) -> np.ndarray:
        v = np.clip(v, 0.0, 1.0)
        high = np.power(np.maximum(a * v + b, 0.0), g) + e
        return np.where(v >= d, high, c * v + f)

    return curve


def _srgb_encode(linear: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sRGB's curve on float32 linear light in [0, 1], into `out` (a new array if None):
    the same float32 operations as `where(dark, 12.92 x, 1.055 x^(1/2.4) - 0.055)`, done
    in place, the dark values (few) written over."""
    encoded = np.power(linear, np.float32(1 / 2.4), out=out)
    encoded *= np.float32(1.055)
    encoded -= np.float32(0.055)
    dark = linear <= 0.0031308
    encoded[dark] = np.float32(12.92) * linear[dark]
    return encoded.astype(np.float32, copy=False)


@lru_cache(maxsize=1)
def _srgb() -> _MatrixProfile:
    """The sRGB profile littleCMS converts to in the 8-bit path (`srgb_profile` in
    context/photo_formats/icc.py), read the same way, so both paths share its colorants."""
    profile = _MatrixProfile.read(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
                                  .tobytes())
    if profile is None:
        raise RuntimeError("littleCMS's sRGB profile is not a matrix/TRC profile")
    return profile
