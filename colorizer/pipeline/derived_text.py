"""The words that mark a description carried into a colorization as describing one.

An archive's caption (EXIF ImageDescription, XMP dc:description) describes the gray photo;
carried unchanged into the colorized file, it presented the colorization as that photo, and a
catalogue that shows only the description could not tell them apart. The output's copy is
prefixed with `COLORIZED` (once: a colorization colorized again is not marked twice), and the
caption reader (metadata.py) reads the archive's words without it.
"""

from __future__ import annotations

COLORIZED = "[Colorized by chronochrome: colors estimated by a model, not recorded] "


def colorized_description(text: str) -> str:
    """`text` marked as the description of a colorization (unchanged when empty or marked)."""
    if not text.strip() or text.startswith(COLORIZED):
        return text
    return COLORIZED + text


def original_description(text: str) -> str:
    """`text` without the colorization's mark: the archive's own words."""
    return text.removeprefix(COLORIZED)
