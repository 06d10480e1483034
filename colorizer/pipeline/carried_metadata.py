"""The input's own metadata that the output keeps: EXIF (caption, artist, copyright, dates,
camera), the IPTC caption, by-line and copyright, and the resolution (DPI).

An archive's file carries who made the photo, who holds the rights and when it was taken; a
colorized copy without them is an orphan. From EXIF the descriptive tags are copied (`_TOP_TAGS`)
with the Exif (dates, camera, exposure) and GPS sub-blocks, into a new block: no Orientation
(the pixels are already turned), no thumbnail (it shows the gray photo), none of a TIFF's
layout tags. IPTC fields are written as the EXIF tags that say the same, where EXIF lacks
them, since EXIF is the block every output format (PNG, JPEG, TIFF, WebP) can carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image, IptcImagePlugin, JpegImagePlugin, TiffImagePlugin

_DESCRIPTION, _ARTIST, _COPYRIGHT = 0x010E, 0x013B, 0x8298
# ImageDescription, Make, Model, Software, DateTime, Artist, Copyright
_TOP_TAGS = (_DESCRIPTION, 0x010F, 0x0110, 0x0131, 0x0132, _ARTIST, _COPYRIGHT)
_SUB_IFDS = (0x8769, 0x8825)  # Exif, GPS
# IPTC dataset -> the EXIF tag of the same meaning
_IPTC_TO_EXIF = {(2, 120): _DESCRIPTION, (2, 80): _ARTIST, (2, 116): _COPYRIGHT}
_ERRORS = (OSError, SyntaxError, ValueError, KeyError, IndexError, TypeError)


@dataclass(frozen=True)
class CarriedMetadata:
    """What the output carries over from the input."""

    exif: bytes | None = None  # an EXIF block ready for PIL's save(exif=...)
    dpi: tuple[float, float] | None = None  # pixels per inch, (x, y)

    def save_options(self, pil_format: str) -> dict[str, Any]:
        """Keyword arguments of PIL's `Image.save` for this format."""
        options: dict[str, Any] = {}
        if self.exif:
            options["exif"] = self.exif
        if self.dpi and pil_format in ("PNG", "JPEG", "TIFF"):
            options["dpi"] = self.dpi
        return options


def carried_metadata(image: Image.Image) -> tuple[CarriedMetadata, tuple[str, ...]]:
    """The metadata of an opened image to carry to its output, and notes on what could not
    be read (a damaged block is left out; it never fails the load)."""
    notes: list[str] = []
    exif = Image.Exif()
    try:
        source = image.getexif()
        exif.update({tag: source[tag] for tag in _TOP_TAGS if tag in source})
        for tag in _SUB_IFDS:
            sub = dict(source.get_ifd(tag))
            if sub:
                exif[tag] = sub
    except _ERRORS as exc:
        notes.append(f"EXIF block unreadable ({exc}); not copied to the output")
    try:
        for text, tag in _iptc_fields(image).items():
            exif.setdefault(tag, text)  # EXIF's own value wins
    except _ERRORS as exc:
        notes.append(f"IPTC block unreadable ({exc}); not copied to the output")
    block = None
    if len(exif):
        try:
            block = exif.tobytes()
        except _ERRORS as exc:
            notes.append(f"EXIF block could not be rewritten ({exc}); not copied")
    return CarriedMetadata(block, _dpi(image.info.get("dpi"))), tuple(notes)


def _iptc_fields(image: Image.Image) -> dict[str, int]:
    """{text: EXIF tag} of the IPTC fields that have an EXIF equivalent."""
    if not isinstance(image, (JpegImagePlugin.JpegImageFile, TiffImagePlugin.TiffImageFile)):
        return {}
    info = IptcImagePlugin.getiptcinfo(image) or {}
    found = {}
    for dataset, tag in _IPTC_TO_EXIF.items():
        value = info.get(dataset)
        value = value[0] if isinstance(value, list) else value
        if value:
            found[value.decode("utf-8", "replace").strip()] = tag
    return {text: tag for text, tag in found.items() if text}


def _dpi(value: object) -> tuple[float, float] | None:
    try:
        x, y = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    return (x, y) if 0 < x < 100_000 and 0 < y < 100_000 else None
