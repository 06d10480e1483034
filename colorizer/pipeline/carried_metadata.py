"""The input's own metadata that the output keeps: EXIF (caption, artist, copyright, dates,
camera), the IPTC caption, by-line and copyright, the XMP (merged with the provenance's,
xmp_merge.py) and the resolution (DPI).

An archive's file carries who made the photo, who holds the rights and when it was taken; a
colorized copy without them is an orphan. From EXIF the descriptive tags are copied (`_TOP_TAGS`)
with the Exif (dates, camera, exposure) and GPS sub-blocks, into a new block: no Orientation
(the pixels are already turned), no thumbnail (it shows the gray photo), none of a TIFF's
layout tags. IPTC fields are written as the EXIF tags that say the same, where EXIF lacks
them, since EXIF is the block every output format (PNG, JPEG, TIFF, WebP) can carry.
Text is written back as the bytes the file held: Pillow reads EXIF text as Latin-1 and writes
text as ASCII, "?" for the rest, which turned a UTF-8 "Казань" into "??????".

Software and DateTime (exiftool's ModifyDate) name a file's last writer and when it wrote
(EXIF 2.32, MWG): an output that kept the scan's said "EPSON Scan, 2019" of a file chronochrome
wrote today. `written_by` states the writer and the time (with OffsetTime) instead; the
capture and scan dates (DateTimeOriginal, DateTimeDigitized, their offsets) stay.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from PIL import Image, IptcImagePlugin, JpegImagePlugin, TiffImagePlugin

from colorizer.pipeline.exif_fit import fitted_exif
from colorizer.pipeline.metadata import BLOCK_ERRORS
from colorizer.pipeline.short_repr import bytes_text
from colorizer.pipeline.xmp_merge import carriable_xmp

_DESCRIPTION, _ARTIST, _COPYRIGHT = 0x010E, 0x013B, 0x8298
# ImageDescription, Make, Model, Software, DateTime, Artist, Copyright
_TOP_TAGS = (_DESCRIPTION, 0x010F, 0x0110, 0x0131, 0x0132, _ARTIST, _COPYRIGHT)
_SUB_IFDS = (0x8769, 0x8825)  # Exif, GPS
_SOFTWARE, _DATETIME, _EXIF_IFD, _OFFSET_TIME = 0x0131, 0x0132, 0x8769, 0x9010
_X_RESOLUTION, _RESOLUTION_UNIT = 282, 296
_MAX_DPI = 100_000  # above any scanner's; larger values are damage
# IPTC dataset -> the EXIF tag of the same meaning
_IPTC_TO_EXIF = {(2, 120): _DESCRIPTION, (2, 80): _ARTIST, (2, 116): _COPYRIGHT}
# What Pillow raises on damaged blocks (a struct.error on an IPTC record cut short failed the
# load with a traceback): the same as metadata.py reads the captions through.
_ERRORS = BLOCK_ERRORS


@dataclass(frozen=True)
class CarriedMetadata:
    """What the output carries over from the input."""

    exif: bytes | None = None  # an EXIF block ready for PIL's save(exif=...)
    dpi: tuple[float, float] | None = None  # pixels per inch, (x, y)
    xmp: bytes | None = None  # the input's XMP packet, merged into the output's

    def __repr__(self) -> str:
        # The generated repr printed the EXIF and XMP blocks' bytes (a scanner's XMP is KBs).
        return (f"CarriedMetadata(exif={bytes_text(self.exif)}, dpi={self.dpi}, "
                f"xmp={bytes_text(self.xmp)})")

    def save_options(self, pil_format: str) -> dict[str, Any]:
        """Keyword arguments of PIL's `Image.save` for this format."""
        options: dict[str, Any] = {}
        if self.exif:
            options["exif"] = self.exif
        if self.dpi and pil_format in ("PNG", "JPEG", "TIFF"):
            options["dpi"] = self.dpi
        return options

    def written_by(self, software: str, when: datetime) -> CarriedMetadata:
        """This metadata as the output's: Software and DateTime say who wrote the file and
        when (`when` with its UTC offset, as OffsetTime), not the input's writer (a scanner's
        driver, years ago). Without a carried EXIF block it is unchanged: the XMP says both
        (xmp:CreatorTool, xmp:ModifyDate), and an EXIF block made only for them is not added."""
        if not self.exif:
            return self
        exif = Image.Exif()  # rebuilt from the stored values: Pillow's reading of the block
        exif.update(self.tiff_tags())  # writes text that is not ASCII as "?"
        exif[_SOFTWARE], exif[_DATETIME] = software, when.strftime("%Y:%m:%d %H:%M:%S")
        offset = when.strftime("%z")  # "+0000" -> EXIF's "+00:00"
        if offset:
            exif[_EXIF_IFD] = {**exif.get(_EXIF_IFD, {}),
                               _OFFSET_TIME: f"{offset[:3]}:{offset[3:5]}"}
        try:
            return replace(self, exif=exif.tobytes())
        except _ERRORS:  # cannot happen to a block fitted_exif wrote; never fail the output
            return self

    def tiff_tags(self) -> dict[int, Any]:
        """The EXIF block as TIFF tags (a TIFF's EXIF is its own first IFD), text as bytes."""
        exif = Image.Exif()
        if self.exif:
            exif.load(self.exif)
        return {tag: ({k: _as_stored(v) for k, v in exif.get_ifd(tag).items()}
                      if tag in _SUB_IFDS else _as_stored(exif[tag])) for tag in exif}


def carried_metadata(image: Image.Image) -> tuple[CarriedMetadata, tuple[str, ...]]:
    """The metadata of an opened image to carry to its output, and notes on what could not
    be read (a damaged block is left out; it never fails the load)."""
    notes: list[str] = []
    exif = Image.Exif()
    try:
        source = image.getexif()
        exif.update({tag: _as_stored(source[tag]) for tag in _TOP_TAGS if tag in source})
        for tag in _SUB_IFDS:
            sub = {key: _as_stored(value) for key, value in source.get_ifd(tag).items()}
            if sub:
                exif[tag] = sub
    except _ERRORS as exc:
        notes.append(f"EXIF block unreadable ({exc}); not copied to the output")
    try:
        for text, tag in _iptc_fields(image).items():
            # EXIF's own value wins; the IPTC's text was decoded as UTF-8, and goes back so
            exif.setdefault(tag, text if text.isascii() else text.encode("utf-8"))
    except _ERRORS as exc:
        notes.append(f"IPTC block unreadable ({exc}); not copied to the output")
    block = None
    if len(exif):
        try:
            block, note = fitted_exif(exif)
            notes += [note] if note else []
        except _ERRORS as exc:
            notes.append(f"EXIF block could not be rewritten ({exc}); not copied")
    xmp, xmp_note = carriable_xmp(image.info.get("xmp") or image.info.get("XML:com.adobe.xmp"))
    notes += [xmp_note] if xmp_note else []
    dpi, dpi_note = _dpi(image)
    notes += [dpi_note] if dpi_note else []
    return CarriedMetadata(block, dpi, xmp), tuple(notes)


def _as_stored(value: Any) -> Any:
    """EXIF text that is not ASCII as the bytes the file held (Pillow decoded them as
    Latin-1). ASCII text stays text, so that Pillow keeps its tag's ASCII type."""
    if not isinstance(value, str) or value.isascii():
        return value
    return value.encode("latin-1", "replace")


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


def _dpi(image: Image.Image) -> tuple[tuple[float, float] | None, str | None]:
    """The resolution the file states, not one Pillow makes up: it gives a TIFF without
    resolution tags 1 x 1 dpi (an output that said so would print 640 inches wide), and a JPEG
    with EXIF but no resolution 72 dpi. And a note when the stated one is not plausible."""
    if isinstance(image, TiffImagePlugin.TiffImageFile) and _X_RESOLUTION not in image.tag_v2:
        return None, None
    if isinstance(image, JpegImagePlugin.JpegImageFile) and image.info.get("jfif_unit") not in (
            1, 2):
        try:
            if not {_X_RESOLUTION, _RESOLUTION_UNIT} <= set(image.getexif()):
                return None, None
        except _ERRORS:  # a damaged EXIF block: its resolution is no better
            return None, None
    value = image.info.get("dpi")
    try:
        x, y = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None, None
    if 0 < x < _MAX_DPI and 0 < y < _MAX_DPI:
        return (x, y), None
    return None, f"resolution of {x:g} x {y:g} dpi is not plausible; the output states none"
