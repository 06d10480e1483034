"""Moved to context/photo_formats/orientation.py, where `python -m context` and
`library build` use it too (context never imports colorizer); this path is kept for the code
that imports it from here."""

from context.photo_formats.orientation import turned

__all__ = ["turned"]
