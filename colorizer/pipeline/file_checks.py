"""Notes on a file as a whole, once the loader has decoded it (`imageio.load_image`): JPEG
data that decoded in spite of damage (`jpeg_damage.py`), and a suffix of another format.

A file named for another format (a PNG saved as .jpg, a TIFF as .png) is read by its
contents, as every viewer reads it, and its output is named and typed by `--format` as any
other; the note, in the report only, says what the file is, for a catalogue that goes by the
suffix (and for the other tools that trust it).
"""

from __future__ import annotations

from pathlib import Path

from colorizer.pipeline.jpeg_damage import jpeg_damage_note

# Pillow's format -> what it is called, and the suffixes files of it carry.
_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {  # the usual suffix first
    "JPEG": ("JPEG", (".jpg", ".jpeg", ".jpe", ".jfif")),
    "MPO": ("JPEG", (".jpg", ".jpeg", ".mpo")),
    "PNG": ("PNG", (".png",)),
    "TIFF": ("TIFF", (".tif", ".tiff")),
    "BMP": ("BMP", (".bmp", ".dib")),
    "GIF": ("GIF", (".gif",)),
    "WEBP": ("WebP", (".webp",)),
    "JPEG2000": ("JPEG 2000", (".jp2", ".j2k", ".jpf", ".jpx", ".j2c")),
    "PPM": ("PNM", (".pgm", ".ppm", ".pnm", ".pbm")),
    "PCX": ("PCX", (".pcx",)),
    "AVIF": ("AVIF", (".avif",)),
    # pillow-heif's format; phones' share sheets rename a HEIC .jpg without converting it.
    "HEIF": ("HEIC", (".heic", ".heif", ".hif")),
}
# Suffixes that name an image format: only these are "wrong" (a file explicitly named
# scan.dat or scan.raw was named so on purpose, or by a tool that knew no better).
_IMAGE_SUFFIXES = frozenset(suffix for _, suffixes in _FORMATS.values() for suffix in suffixes)


def file_notes(data: bytes, label: str, source_format: str | None) -> list[str]:
    """The notes on a decoded file's bytes: damaged JPEG data, a misleading suffix."""
    notes = []
    if source_format in ("JPEG", "MPO") and (damage := jpeg_damage_note(data)):
        notes.append(damage)
    if note := suffix_note(label, source_format):
        notes.append(note)
    return notes


def suffix_note(label: str, source_format: str | None) -> str | None:
    """"a PNG file named .jpg: read by its contents" where the suffix names another format."""
    known = _FORMATS.get(source_format or "")
    suffix = Path(label).suffix.lower()
    if known is None or suffix not in _IMAGE_SUFFIXES or suffix in known[1]:
        return None
    return (f"a {known[0]} file named {suffix}: read as {known[0]} by its contents (rename "
            f"it {Path(label).stem}{known[1][0]} for tools that go by the suffix)")
