"""PNM of a maxval other than 255 decoded by numpy (pnm_decoder.py): the pixels Pillow's own
per-sample decoder gives, bit for bit, and a file cut short still refused as one."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from colorizer.errors import TruncatedImageError
from colorizer.pipeline.imageio import load_image
from context.photo_formats.pnm_decoder import use_fast_decoder


def _pnm(magic: str, maxval: int, top: int | None = None) -> bytes:
    """A 37 x 23 binary PNM with random samples up to `top` (default maxval: above it, as
    some writers leave them), its first samples the ties of the scaling."""
    bands = 3 if magic == "P6" else 1
    top = maxval if top is None else top
    values = np.random.default_rng(maxval).integers(0, top + 1, (23, 37, bands))
    values.flat[:6] = [0, maxval, maxval // 2, (maxval + 1) // 2, 1, maxval - 1]
    samples = values.astype(">u2" if maxval > 255 else np.uint8).tobytes()
    return f"{magic}\n37 23\n{maxval}\n".encode() + samples


@pytest.mark.parametrize(("magic", "maxval", "top"), [
    ("P6", 65535, None), ("P6", 4095, None), ("P6", 4095, 65535), ("P6", 1023, None),
    ("P6", 100, None), ("P6", 15, 255), ("P5", 4095, None), ("P5", 16383, None),
    ("P5", 100, None)])
def test_the_pixels_are_pillows_own(magic, maxval, top):
    data = _pnm(magic, maxval, top)
    with Image.open(io.BytesIO(data)) as pillows, Image.open(io.BytesIO(data)) as fast:
        use_fast_decoder(fast)
        assert fast.tile[0].codec_name != pillows.tile[0].codec_name
        assert (fast.mode, fast.size) == (pillows.mode, pillows.size)
        np.testing.assert_array_equal(np.asarray(fast), np.asarray(pillows))


def test_other_files_keep_pillows_decoder():
    with Image.open(io.BytesIO(b"P6\n2 1\n255\n" + bytes(6))) as eight_bit:
        tile = eight_bit.tile
        use_fast_decoder(eight_bit)
        assert eight_bit.tile == tile


@pytest.mark.parametrize("cut", [1, 1001])
def test_a_file_cut_short_is_refused_as_truncated(tmp_path, cut):
    path = tmp_path / "cut.ppm"
    path.write_bytes(_pnm("P6", 4095)[:-cut])
    with pytest.raises(TruncatedImageError, match="ends early or is corrupt"):
        load_image(path)
