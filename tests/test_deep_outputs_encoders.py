"""The 16-bit PNG and TIFF writers (colorizer.pipeline.deep_encode) against libpng (OpenCV) and
tifffile: every sample back as written, at odd sizes, across bands and strips."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline import deep_encode
from colorizer.pipeline.deep_pixels import output_depth
from colorizer.pipeline.provenance import encode_deep_with_xmp

tifffile = pytest.importorskip("tifffile")
cv2 = pytest.importorskip("cv2")

XMP = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"


def _pixels(height: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(height * 1000 + width)
    return rng.integers(0, 65536, size=(height, width, 3), dtype=np.uint16)


@pytest.mark.parametrize(("height", "width"), [(1, 1), (1, 7), (9, 1), (37, 53)])
def test_png16_reads_back_exactly(height, width, monkeypatch):
    monkeypatch.setattr(deep_encode, "_BAND_BYTES", 6 * width * 4)  # bands of 4 rows
    rgb = _pixels(height, width)
    data = encode_deep_with_xmp(rgb, "PNG", XMP)
    back = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    back = back.reshape(height, width, 3)[..., ::-1]  # BGR -> RGB
    assert back.dtype == np.uint16 and np.array_equal(back, rgb)


@pytest.mark.parametrize(("height", "width"), [(1, 1), (9, 1), (37, 53)])
def test_tiff16_reads_back_exactly_across_strips(height, width, monkeypatch):
    monkeypatch.setattr(deep_encode, "_STRIP_BYTES", 6 * width * 4)  # strips of 4 rows
    rgb = _pixels(height, width)
    data = encode_deep_with_xmp(rgb, "TIFF", XMP)
    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        page = tif.pages[0]
        assert len(page.dataoffsets) == (height + 3) // 4
        assert np.array_equal(page.asarray().reshape(height, width, 3), rgb)
    with Image.open(io.BytesIO(data)) as image:  # Pillow reads it too (at 8 bits)
        assert image.size == (width, height) and image.info["xmp"] == XMP


def test_jpeg_and_webp_hold_8_bits():
    assert output_depth(True, "PNG", None) == (16, None)
    assert output_depth(True, "TIFF", 8) == (8, None)
    bits, note = output_depth(True, "WEBP", None)
    assert bits == 8 and "WebP holds no more" in note
    with pytest.raises(ValueError, match="JPEG holds 8 bits a channel"):
        encode_deep_with_xmp(_pixels(2, 2), "JPEG", XMP)
