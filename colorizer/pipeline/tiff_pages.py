"""Moved to context/photo_formats/tiff_pages.py, where `python -m context` and
`library build` use it too (context never imports colorizer); this path is kept for the code
that imports it from here (imageio.py, the service's upload inspection)."""

from context.photo_formats.tiff_pages import main_page, page_sizes, pages_note, use_main_frame

__all__ = ["main_page", "page_sizes", "pages_note", "use_main_frame"]
