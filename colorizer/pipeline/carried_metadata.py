"""The input's own metadata that the output keeps: EXIF (caption, artist, copyright, dates,
camera), the IPTC caption, by-line and copyright (as EXIF) and every IPTC field as XMP
(iptc_xmp.py), the XMP (merged with the provenance's, xmp_merge.py) and the resolution (DPI).

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
capture and scan dates (DateTimeOriginal, DateTimeDigitized, their offsets) stay. What
described the input's pixels is stated for the output's (`_for_output`): its resolution tags
say the DPI the output states (a JPEG's IFD0 lacked them, a WebP lost its DPI), ColorSpace
sRGB (the output's, not the scan's "Uncalibrated"), the pixel dimensions the output's
(turned by the orientation), no ComponentsConfiguration (the input's JPEG's, written back as
BYTE where EXIF asks for UNDEFINED, and not allowed in a TIFF); the ImageDescription is marked
as describing a colorization (derived_text.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from PIL import Image, IptcImagePlugin, JpegImagePlugin, TiffImagePlugin

from colorizer.pipeline.derived_text import colorized_description
from colorizer.pipeline.exif_fit import fitted_exif
from colorizer.pipeline.exif_types import with_standard_types
from colorizer.pipeline.iptc_iim import iim_block, marked_iim, png_iim_info
from colorizer.pipeline.iptc_xmp import iim_texts, with_iptc
from colorizer.pipeline.metadata import BLOCK_ERRORS
from colorizer.pipeline.short_repr import bytes_text
from colorizer.pipeline.xmp_merge import carriable_xmp

_DESCRIPTION, _ARTIST, _COPYRIGHT = 0x010E, 0x013B, 0x8298
# ImageDescription, Make, Model, Software, DateTime, Artist, Copyright
_TOP_TAGS = (_DESCRIPTION, 0x010F, 0x0110, 0x0131, 0x0132, _ARTIST, _COPYRIGHT)
_SUB_IFDS = (0x8769, 0x8825)  # Exif, GPS
_SOFTWARE, _DATETIME, _EXIF_IFD, _OFFSET_TIME = 0x0131, 0x0132, 0x8769, 0x9010
_X_RESOLUTION, _Y_RESOLUTION, _RESOLUTION_UNIT, _YCBCR_POSITIONING = 282, 283, 296, 531
_EXIF_VERSION, _COLOR_SPACE, _PIXEL_X, _PIXEL_Y = 0x9000, 0xA001, 0xA002, 0xA003
# Exif IFD tags of the input file's pixels: its JPEG's components and compression, the
# interoperability IFD (Pillow reads its pointer as a bare number); restated or left out.
_COMPONENTS = 0x9101
_UNICODE = b"UNICODE\x00"  # a UserComment's character code for UCS-2 text
_STALE_EXIF = (_COMPONENTS, 0x9102, 0xA005, _COLOR_SPACE, _PIXEL_X, _PIXEL_Y)
_CM_PER_INCH = 2.54
_PNG_IPTC = "Raw profile type iptc"  # exiftool's and ImageMagick's text chunk
_DPI_ROUNDING = 0.01  # a metre holds a whole number of pixels: 300 dpi is 11,811.02
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
    iptc: bytes | None = None  # the input's IPTC IIM block, for JPEG and TIFF (iptc_iim.py)

    def __repr__(self) -> str:
        # The generated repr printed the EXIF and XMP blocks' bytes (a scanner's XMP is KBs).
        return (f"CarriedMetadata(exif={bytes_text(self.exif)}, dpi={self.dpi}, "
                f"xmp={bytes_text(self.xmp)}"
                + (f", iptc={bytes_text(self.iptc)})" if self.iptc else ")"))

    def save_options(self, pil_format: str) -> dict[str, Any]:
        """Keyword arguments of PIL's `Image.save` for this format."""
        options: dict[str, Any] = {}
        if self.exif:
            options["exif"] = self.exif
        if self.dpi and pil_format in ("PNG", "JPEG", "TIFF"):
            options["dpi"] = self.dpi
        elif self.dpi and pil_format == "WEBP" and not self.exif:
            # WebP states a resolution only in EXIF: a 600-dpi TIFF without EXIF lost it
            options["exif"] = _resolution_exif(self.dpi)
        return options

    def written_by(self, software: str, when: datetime, size: tuple[int, int] | None = None,
                   pil_format: str | None = None) -> CarriedMetadata:
        """This metadata as the output's: Software and DateTime say who wrote the file and
        when (`when` with its UTC offset, as OffsetTime), not the input's writer (a scanner's
        driver, years ago); the pixels' tags are the output's (`size`, `pil_format`: module
        docstring), and so is the IIM's caption. Without a carried EXIF block none is made:
        the XMP says both (xmp:CreatorTool, xmp:ModifyDate), and an EXIF block made only for
        them is not added."""
        iptc = marked_iim(self.iptc) if self.iptc else None
        if not self.exif:
            return replace(self, iptc=iptc)
        exif = Image.Exif()  # rebuilt from the stored values: Pillow's reading of the block
        exif.update(self.tiff_tags())  # writes text that is not ASCII as "?"
        exif[_SOFTWARE], exif[_DATETIME] = software, when.strftime("%Y:%m:%d %H:%M:%S")
        sub = {k: v for k, v in exif.get(_EXIF_IFD, {}).items() if k not in _STALE_EXIF}
        offset = when.strftime("%z")  # "+0000" -> EXIF's "+00:00"
        if offset:
            sub[_OFFSET_TIME] = f"{offset[:3]}:{offset[3:5]}"
        exif[_EXIF_IFD] = {**sub, **_output_pixels(size, pil_format)}
        self._for_output(exif, pil_format)
        try:
            return replace(self, exif=with_standard_types(exif.tobytes()), iptc=iptc)
        except _ERRORS:  # cannot happen to a block fitted_exif wrote; never fail the output
            return replace(self, iptc=iptc)

    def _for_output(self, exif: Image.Exif, pil_format: str | None) -> None:
        """IFD0 as the output's (in place): its DPI, its JPEG's chroma siting, its
        description marked as a colorization's."""
        if self.dpi:
            exif[_X_RESOLUTION], exif[_Y_RESOLUTION] = self.dpi
            exif[_RESOLUTION_UNIT] = 2  # inches
        if pil_format == "JPEG":
            exif[_YCBCR_POSITIONING] = 1  # centered, as JFIF's (and Pillow's) chroma is
        text = exif.get(_DESCRIPTION)
        if isinstance(text, bytes):  # text as the file held it: UTF-8 where not ASCII
            try:
                exif[_DESCRIPTION] = colorized_description(text.decode("utf-8")).encode("utf-8")
            except UnicodeError:
                exif[_DESCRIPTION] = colorized_description(text.decode("latin-1")).encode(
                    "latin-1", "replace")
        elif isinstance(text, str):
            exif[_DESCRIPTION] = colorized_description(text)

    def tiff_tags(self, byte_order: str = ">") -> dict[int, Any]:
        """The EXIF block as TIFF tags (a TIFF's EXIF is its own first IFD), text as bytes;
        `byte_order` that of the file they go to ("<": Pillow's TIFF writer's)."""
        exif = Image.Exif()
        if self.exif:
            exif.load(self.exif)
        return {tag: ({k: _as_stored(v, ">", byte_order) for k, v in exif.get_ifd(tag).items()}
                      if tag in _SUB_IFDS else _as_stored(exif[tag])) for tag in exif}


def _resolution_exif(dpi: tuple[float, float]) -> bytes:
    """An EXIF block stating only a resolution, in inches."""
    exif = Image.Exif()
    exif[_X_RESOLUTION], exif[_Y_RESOLUTION] = dpi
    exif[_RESOLUTION_UNIT] = 2
    return exif.tobytes()


def _output_pixels(size: tuple[int, int] | None, pil_format: str | None) -> dict[int, Any]:
    """The Exif IFD's tags of the output's pixels: EXIF version, sRGB, its size (not in a
    TIFF, where the image's own tags say it), a JPEG's components (Pillow's: Y, Cb, Cr)."""
    tags: dict[int, Any] = {_EXIF_VERSION: b"0232", _COLOR_SPACE: 1}  # 1: sRGB
    if size and pil_format != "TIFF":
        tags[_PIXEL_X], tags[_PIXEL_Y] = size
    if pil_format == "JPEG":
        tags[_COMPONENTS] = b"\x01\x02\x03\x00"
    return tags


def carried_metadata(image: Image.Image) -> tuple[CarriedMetadata, tuple[str, ...]]:
    """The metadata of an opened image to carry to its output, and notes on what could not
    be read (a damaged block is left out; it never fails the load)."""
    notes: list[str] = []
    exif = Image.Exif()
    try:
        source = image.getexif()
        exif.update({tag: _as_stored(source[tag]) for tag in _TOP_TAGS if tag in source})
        for tag in _SUB_IFDS:
            sub = {key: _as_stored(value, source.endian or ">")
                   for key, value in source.get_ifd(tag).items()}
            if sub:
                exif[tag] = sub
    except _ERRORS as exc:
        notes.append(f"EXIF block unreadable ({exc}); not copied to the output")
    iim: dict[int, list[str]] = {}
    info: dict[tuple[int, int], Any] = {}
    try:
        info = _iptc_info(image)
        iim = iim_texts(info)
        for text, tag in _iptc_fields(info).items():
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
    xmp = with_iptc(xmp, iim)  # what only the IIM said, as XMP: every format carries it
    dpi, dpi_note = _dpi(image)
    notes += [dpi_note] if dpi_note else []
    return CarriedMetadata(block, dpi, xmp, iim_block(info) if info else None), tuple(notes)


def _as_stored(value: Any, byte_order: str = ">", to_order: str = ">") -> Any:
    """EXIF text that is not ASCII as the bytes the file held (Pillow decoded them as
    Latin-1). ASCII text stays text, so that Pillow keeps its tag's ASCII type. A UNICODE
    UserComment is UCS-2 in its file's byte order: turned from `byte_order` to `to_order`
    (Pillow writes an EXIF block big-endian, a TIFF little-endian), else a scan's Cyrillic
    comment read as CJK in the output of a little-endian TIFF."""
    if isinstance(value, bytes) and value.startswith(_UNICODE) and byte_order != to_order:
        text = value[len(_UNICODE):]
        if text[:2] not in (b"\xff\xfe", b"\xfe\xff") and len(text) % 2 == 0:
            swapped = bytearray(text)
            swapped[0::2], swapped[1::2] = text[1::2], text[0::2]
            return _UNICODE + bytes(swapped)
    if not isinstance(value, str) or value.isascii():
        return value
    return value.encode("latin-1", "replace")


def _iptc_info(image: Image.Image) -> dict[tuple[int, int], Any]:
    """The IPTC IIM datasets of a JPEG or TIFF, or of a PNG's text chunk (iptc_iim.py)."""
    if image.format == "PNG":
        return png_iim_info(image.info.get(_PNG_IPTC))
    if not isinstance(image, (JpegImagePlugin.JpegImageFile, TiffImagePlugin.TiffImageFile)):
        return {}
    return IptcImagePlugin.getiptcinfo(image) or {}


def _iptc_fields(info: dict[tuple[int, int], Any]) -> dict[str, int]:
    """{text: EXIF tag} of the IPTC fields that have an EXIF equivalent."""
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
    value = image.info.get("dpi") or _exif_dpi(image)
    try:
        x, y = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None, None
    if 0 < x < _MAX_DPI and 0 < y < _MAX_DPI:
        return (_whole(x), _whole(y)), None
    return None, f"resolution of {x:g} x {y:g} dpi is not plausible; the output states none"


def _whole(dpi: float) -> float:
    """A DPI stated in pixels a metre (PNG's pHYs: 11,811 for 300) as the scan's whole one,
    not 299.9994."""
    return float(round(dpi)) if abs(dpi - round(dpi)) < _DPI_ROUNDING else dpi


def _exif_dpi(image: Image.Image) -> tuple[float, float] | None:
    """The resolution in the EXIF of a file whose own header states none (a PNG without
    pHYs, a WebP, which has no such field): a scan's 600 dpi became no DPI in the output."""
    try:
        exif = image.getexif()
        unit = exif.get(_RESOLUTION_UNIT, 2)  # EXIF's default unit: inches
        x, y = float(exif[_X_RESOLUTION]), float(exif.get(_Y_RESOLUTION, exif[_X_RESOLUTION]))
    except (*_ERRORS, ZeroDivisionError):  # no resolution, or a damaged one
        return None
    scale = {2: 1.0, 3: _CM_PER_INCH}.get(unit)  # 1: no unit, an aspect ratio only
    return (x * scale, y * scale) if scale else None
