"""A JPEG 2000 file's precision and ICC profile from its header: the code lives in
context/photo_formats/jp2_header.py, which both loaders use (context never imports
colorizer); these names stay for colorizer's callers."""

from __future__ import annotations

from context.photo_formats.jp2_header import jpeg2000_icc_profile, jpeg2000_precision

__all__ = ["jpeg2000_icc_profile", "jpeg2000_precision"]
