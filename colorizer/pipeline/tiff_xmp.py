"""A TIFF's XMP tag made bytes before Pillow decodes the pixels.

Pillow's TIFF decoder searches the XMP for an orientation (in `getexif`, from `load`) with a
bytes pattern, and raised TypeError when the tag was written with another type than BYTE:
as ASCII (older writers do), SHORT or FLOAT. The loader then failed with a bare traceback (a
CLI batch ended, the service answered 500) for a photo whose pixels were sound. Call this
after counting frames (each seek re-reads the tag from the file) and before `load`.
"""

from __future__ import annotations

from PIL import Image, TiffImagePlugin

from colorizer.pipeline.xmp_parse import packet_bytes, value_kind

_XMP = 700


def normalize_tiff_xmp(image: Image.Image) -> str | None:
    """Make the XMP of a TIFF's current frame bytes, or drop it when it cannot be (then a
    note says so); None when there was nothing to change."""
    if not isinstance(image, TiffImagePlugin.TiffImageFile) or _XMP not in image.tag_v2:
        return None
    value = image.tag_v2[_XMP]
    if isinstance(value, bytes):
        return None
    packet = packet_bytes(value)
    if packet is None:
        del image.tag_v2[_XMP]
        image.info.pop("xmp", None)
        return (f"the TIFF's XMP tag holds {value_kind(value)} values, not text; its XMP "
                "not read and not carried to the output")
    image.tag_v2[_XMP] = packet
    image.info["xmp"] = packet
    return None
