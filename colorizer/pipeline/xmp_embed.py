"""An image encoded with an XMP packet embedded, and the input's own EXIF and DPI carried:
8-bit PNG (iTXt), JPEG, TIFF (tag 700) and WebP through Pillow, 16-bit PNG and TIFF written a
band at a time (deep_encode.py); and the XMP read back from encoded bytes. provenance.py makes
the packet; this module only puts it in the file."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image, PngImagePlugin, TiffImagePlugin, TiffTags

from colorizer.pipeline.carried_metadata import CarriedMetadata
from colorizer.pipeline.deep_encode import Sink, write_png16, write_tiff16
from colorizer.pipeline.exif_types import with_standard_types
from colorizer.pipeline.iptc_iim import app13_segment, with_app13

_TIFF_XMP_TAG, _TIFF_IPTC_TAG = 700, 33723
_RESOLUTION_UNIT, _X_RESOLUTION, _Y_RESOLUTION = 296, 282, 283


def encode_with_xmp(image: Image.Image, pil_format: str, xmp: bytes,
                    carried: CarriedMetadata | None = None) -> bytes:
    """`image` encoded with the XMP packet and the input's own EXIF and DPI (`carried`)."""
    buffer = io.BytesIO()
    kept = carried.save_options(pil_format) if carried is not None else {}
    if pil_format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)
        image.save(buffer, format="PNG", pnginfo=info, **kept)
    elif pil_format == "TIFF":
        # Uncompressed: Pillow compresses TIFF only through libtiff, which cannot write the
        # Exif and GPS sub-IFDs ("Error setting from dictionary": every camera JPEG failed).
        tags = _tiff_tags(xmp, carried, kept)  # takes `exif` out of `kept`
        image.save(buffer, format="TIFF", tiffinfo=tags, **kept)
        return with_standard_types(buffer.getvalue())  # Exif IFD types (exif_types.py)
    elif pil_format in ("JPEG", "WEBP"):
        image.save(buffer, format=pil_format, quality=95, xmp=xmp, **kept)
        segment = app13_segment(carried.iptc) if pil_format == "JPEG" and carried and (
            carried.iptc) else None
        if segment:  # the IIM, which Pillow does not write (iptc_iim.py)
            return with_app13(buffer.getvalue(), segment)
    else:
        raise ValueError(f"no XMP writer for {pil_format}: use PNG, JPEG, TIFF or WEBP")
    return buffer.getvalue()


def encode_deep_with_xmp(rgb16: np.ndarray, pil_format: str, xmp: bytes,
                         carried: CarriedMetadata | None = None) -> bytes:
    """`write_deep_with_xmp`'s bytes as one object."""
    buffer = io.BytesIO()
    write_deep_with_xmp(rgb16, pil_format, xmp, buffer, carried)
    return buffer.getvalue()


def write_deep_with_xmp(rgb16: np.ndarray, pil_format: str, xmp: bytes, sink: Sink,
                        carried: CarriedMetadata | None = None) -> None:
    """(H, W, 3) uint16 as a 16-bit PNG or TIFF, written to `sink` as it is made, with what
    `encode_with_xmp` puts in an 8-bit one: the same XMP, EXIF and DPI, encoded by Pillow
    (deep_encode.py)."""
    if pil_format == "PNG":  # Pillow's chunks of a 1x1 image with the same options
        write_png16(rgb16, encode_with_xmp(Image.new("RGB", (1, 1)), "PNG", xmp, carried), sink)
    elif pil_format == "TIFF":
        kept = carried.save_options(pil_format) if carried is not None else {}
        tags = _tiff_tags(xmp, carried, kept)
        if kept.get("dpi"):  # as Pillow's TIFF writer turns its `dpi` option into tags
            tags[_RESOLUTION_UNIT] = 2
            tags[_X_RESOLUTION], tags[_Y_RESOLUTION] = kept["dpi"]
        write_tiff16(rgb16, tags, sink)
    else:
        raise ValueError(f"{pil_format} holds 8 bits a channel: write PNG or TIFF for 16")


def _tiff_tags(xmp: bytes, carried: CarriedMetadata | None, kept: dict[str, Any]
               ) -> TiffImagePlugin.ImageFileDirectory_v2:
    """A TIFF's XMP (tag 700) and EXIF tags; `kept` loses its `exif`, which these replace."""
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[_TIFF_XMP_TAG] = xmp
    ifd.tagtype[_TIFF_XMP_TAG] = 1  # BYTE, as the TIFF/XMP specification asks
    if carried is not None and carried.iptc:  # the IIM (iptc_iim.py), whole LONGs long:
        # written UNDEFINED, then typed LONG as Photoshop writes it (exif_types.py)
        ifd[_TIFF_IPTC_TAG] = carried.iptc + b"\x00" * (-len(carried.iptc) % 4)
        ifd.tagtype[_TIFF_IPTC_TAG] = TiffTags.UNDEFINED
    if kept.pop("exif", None) and carried is not None:  # PIL writes `exif` or `tiffinfo`
        for tag, value in carried.tiff_tags("<").items():  # not both: the tags go in one
            ifd[tag] = value
    return ifd


def read_xmp(data: bytes) -> bytes | None:
    """The XMP packet of an encoded image, as Pillow reads it (None when absent)."""
    with Image.open(io.BytesIO(data)) as image:
        return image.info.get("xmp")
