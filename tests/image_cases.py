"""Small image files and values shared by the image-loading tests (test_imageio.py,
test_imageio_errors.py, test_image_pixels.py); every case is generated at test time."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

ORIENTATION = 0x0112  # the EXIF tag
RED, WHITE, BLACK = (255, 0, 0), (255, 255, 255), (0, 0, 0)


def save(tmp_path: Path, filename: str, image: Image.Image, **kwargs: object) -> Path:
    path = tmp_path / filename
    image.save(path, **kwargs)
    return path


def asymmetric_rgb(height: int = 5, width: int = 7) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)


def exif_with_orientation(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif


def encoded(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()



def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk, its length and CRC as the format asks: for PNGs written by hand."""
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))
