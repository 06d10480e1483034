"""The output formats chronochrome writes: their names, aliases, PIL formats, suffixes and
MIME types, and the format a file name or a user's word asks for (provenance.py encodes them)."""

from __future__ import annotations

from pathlib import Path

# format name -> (PIL format, file suffix, MIME type)
IMAGE_FORMATS: dict[str, tuple[str, str, str]] = {
    "png": ("PNG", ".png", "image/png"),
    "jpg": ("JPEG", ".jpg", "image/jpeg"),
    "tif": ("TIFF", ".tif", "image/tiff"),
    "webp": ("WEBP", ".webp", "image/webp"),
}
FORMAT_ALIASES = {"jpeg": "jpg", "tiff": "tif"}


def normalize_format(fmt: str) -> str:
    """'jpeg' -> 'jpg', 'tiff' -> 'tif'; an unknown format is a ValueError naming the valid ones."""
    name = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
    if name not in IMAGE_FORMATS:
        valid = sorted(IMAGE_FORMATS) + sorted(FORMAT_ALIASES)
        raise ValueError(f"unknown output format {fmt!r}: choose one of {valid}")
    return name


def format_of_path(path: str | Path) -> str:
    """The output format a file name asks for (.png, .tif, .tiff, .jpg, .jpeg, .webp)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        return normalize_format(suffix)
    except ValueError:
        raise ValueError(f"cannot tell the output format from {str(path)!r}: name it .png, "
                         ".tif, .jpg or .webp, or pass fmt='png' (or tif, jpg, webp)"
                         ) from None
