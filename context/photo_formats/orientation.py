"""Pixels turned as the EXIF Orientation tag says, whatever else the EXIF block holds; used
by colorize's loader (colorizer/pipeline/image_pixels.py), `python -m context`
(context/photo_reading.py) and `library build` (retrieval/exemplar_photo.py), so that all
three read a phone's or a scanner's sideways-stored photo upright (context read a JPEG with
Orientation 6 as 200x100 where colorize read 100x200, and OCR read its caption sideways).

Pillow's `ImageOps.exif_transpose` also rewrites the EXIF block (to reset its Orientation),
and that rewrite raises on values a damaged block holds: an ImageWidth stored as text made a
JPEG with Orientation 6 fail to load with a bare `struct.error` (a traceback that ended a CLI
batch, a 500 from the service). The loader reads the metadata it keeps before turning
(metadata.py, carried_metadata.py), so the turned image needs the pixels and what says how
to read them (a palette's transparency), not a rewritten EXIF block.
"""

from __future__ import annotations

from PIL import Image

ORIENTATION_TAG = 0x0112
_TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
          4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
          6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
          8: Image.Transpose.ROTATE_90}
# Blocks that still describe the unturned image: not carried by the turned one.
_STALE_INFO = ("exif", "xmp", "XML:com.adobe.xmp")


def exif_orientation(image: Image.Image) -> int | None:
    """The EXIF Orientation that turns the image (2-8); None for 1 ("as stored"), none, or an
    invalid value. (A PNG's eXIf chunk may follow its pixels: Pillow finds it after
    `load()`.)"""
    orientation = image.getexif().get(ORIENTATION_TAG)
    return orientation if orientation in _TURNS else None


def turned(image: Image.Image, orientation: int | None) -> Image.Image:
    """`image` turned for EXIF `orientation` (2-8; any other value: `image` itself), with
    its info less the EXIF and XMP blocks; the EXIF block is never rewritten."""
    turn = _TURNS.get(orientation) if isinstance(orientation, int) else None
    if turn is None:
        return image
    out = image.transpose(turn)
    out.info = {key: value for key, value in image.info.items() if key not in _STALE_INFO}
    return out
