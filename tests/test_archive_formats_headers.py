"""The headers that say a deep file's white level (source_depth.py): a PNM's maxval past
its comments, a JPEG 2000's precision from its SIZ segment, in a .jp2's boxes or a bare .j2k
codestream."""

from __future__ import annotations

import io

import numpy as np
import pytest

from colorizer.pipeline.source_depth import pnm_maxval, white_level
from context.photo_formats.jp2_header import jpeg2000_icc_profile, jpeg2000_precision

cv2 = pytest.importorskip("cv2")  # a declared dependency: writes 16-bit JPEG 2000


def _jp2(path, bits: int = 16) -> bytes:
    """A color JPEG 2000 of 16 (or 8) bits a channel as OpenJPEG writes it, 32 x 48."""
    ramp = np.linspace(0, 1, 32 * 48 * 3).reshape(32, 48, 3)
    assert cv2.imwrite(str(path), np.round(ramp * (2 ** bits - 1)).astype(f"uint{bits}"))
    return path.read_bytes()


def _codestream(jp2: bytes) -> bytes:
    return jp2[jp2.index(b"jp2c") + 4:]


def test_header_depths_are_read_past_comments_and_boxes(tmp_path):
    assert pnm_maxval(b"P6\n# made by scanimage 4095\n640 480\n# 12 bits\n4095\n\x00") == 4095
    assert pnm_maxval(b"P7\nWIDTH 4\n") is None
    jp2 = _jp2(tmp_path / "m.jp2")
    stream = _codestream(jp2)
    assert jpeg2000_precision(_bytes(jp2)) == 16 and jpeg2000_precision(_bytes(stream)) == 16
    twelve = bytearray(stream)
    siz = stream.index(b"\xff\x51") + 2  # the SIZ segment, after its marker
    for component in range(3):  # each component's Ssiz, its precision less one
        twelve[siz + 38 + 3 * component] = 11
    assert jpeg2000_precision(_bytes(bytes(twelve))) == 12
    assert jpeg2000_precision(_bytes(_jp2(tmp_path / "a.jp2", bits=8))) == 8
    assert jpeg2000_precision(_bytes(b"not a jpeg 2000 file")) is None


def _bytes(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def test_white_levels_by_format(tmp_path):
    jp2 = _jp2(tmp_path / "m.jp2")
    assert white_level(jp2, "JPEG2000") == 65535
    assert white_level(b"P6\n2 1\n4095\n" + np.zeros(6, ">u2").tobytes(), "PPM") == 4095
    assert white_level(b"\x89PNG", "PNG") == 65535


def test_no_icc_profile_where_the_header_holds_none(tmp_path):
    jp2 = _jp2(tmp_path / "m.jp2")  # OpenJPEG writes an enumerated color space (sRGB)
    assert jpeg2000_icc_profile(jp2) is None
    assert jpeg2000_icc_profile(_codestream(jp2)) is None  # a bare codestream has no boxes
    assert jpeg2000_icc_profile(jp2[:20]) is None  # cut short in its header
