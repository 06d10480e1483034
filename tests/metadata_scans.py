"""Archive scans for the metadata round-trip tests, written with Pillow: EXIF (Image.Exif), IPTC
IIM (a JPEG's APP13 as Photoshop writes it, a TIFF's tag 33723), XMP (an archive's packet with
its own namespace) and the resolution in each format's own field or only in its EXIF; and
the readers that take the outputs apart again (Pillow, the project's XMP parser, the EXIF
entry types as stored)."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image, PngImagePlugin, TiffImagePlugin

from colorizer.pipeline.xmp_parse import parse_xmp

DESCRIPTION, ARTIST, COPYRIGHT, ORIENTATION = 0x010E, 0x013B, 0x8298, 0x0112
X_RESOLUTION, Y_RESOLUTION, RESOLUTION_UNIT = 282, 283, 296
EXIF_IFD, USER_COMMENT, FILE_SOURCE, COMPONENTS = 0x8769, 0x9286, 0xA300, 0x9101
COLOR_SPACE, PIXEL_X, PIXEL_Y = 0xA001, 0xA002, 0xA003
UNDEFINED = 7

# What an archive's catalogue shows before the description of a colorized file, in words.
COLORIZED = "[Colorized by chronochrome: colors estimated by a model, not recorded] "
CAPTION = "Улица Казани, 1915 — façade of the café"
RU_CAPTION = "Улица Казани, 1915 год"
COMMENT = "Скан отпечатка"
ARCH = "https://archive.example.org/ns/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS = {"dc": "http://purl.org/dc/elements/1.1/", "photoshop": "http://ns.adobe.com/photoshop/1.0/",
      "rdf": RDF, "arch": ARCH}

# The archive's XMP: a title, a description in two languages, one keyword, its own namespace.
ARCHIVE_XMP = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{RDF}">
 <rdf:Description rdf:about="" xmlns:dc="{NS['dc']}" xmlns:arch="{ARCH}">
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{CAPTION}</rdf:li>
   <rdf:li xml:lang="ru">{RU_CAPTION}</rdf:li></rdf:Alt></dc:description>
  <dc:subject><rdf:Bag><rdf:li>улица</rdf:li></rdf:Bag></dc:subject>
  <arch:AccessionNumber>KZN-1915-042</arch:AccessionNumber>
 </rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>""".encode()

# IPTC IIM, UTF-8 (1:90): what only the IIM says (object name, credit, notice, a keyword),
# and the caption the XMP says too.
IIM_OBJECT_NAME, IIM_CREDIT, IIM_NOTICE = "Казань-1915-042", "Музей Казани", "© Музей Казани"


def _dataset(record: int, number: int, text: bytes) -> bytes:
    return bytes([0x1C, record, number]) + len(text).to_bytes(2, "big") + text


def iim_block() -> bytes:
    return (_dataset(1, 90, b"\x1b%G") + _dataset(2, 5, IIM_OBJECT_NAME.encode())
            + _dataset(2, 25, "улица".encode()) + _dataset(2, 25, b"tramway")
            + _dataset(2, 110, IIM_CREDIT.encode()) + _dataset(2, 116, IIM_NOTICE.encode())
            + _dataset(2, 120, CAPTION.encode()))


def gray(size: tuple[int, int] = (40, 24)) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray((rng.random(size[::-1]) * 255).astype(np.uint8), "L")


def scan_exif(dpi: float | None = None) -> Image.Exif:
    """A scanner's EXIF: UTF-8 text, a little-endian block (as TIFF scanners write it) whose
    UNICODE UserComment is UTF-16LE, the JPEG-only and pixel tags of the scan."""
    exif = Image.Exif()
    exif.endian = "<"
    exif.update({DESCRIPTION: CAPTION.encode(), ARTIST: "Иван Петров".encode()})
    if dpi:
        exif.update({X_RESOLUTION: dpi, Y_RESOLUTION: dpi, RESOLUTION_UNIT: 2})
    exif[EXIF_IFD] = {USER_COMMENT: b"UNICODE\0" + COMMENT.encode("utf-16-le"),
                      FILE_SOURCE: b"\x02", COMPONENTS: b"\x01\x02\x03\x00",
                      COLOR_SPACE: 0xFFFF, PIXEL_X: 40, PIXEL_Y: 24}
    return exif


def iim_resource() -> bytes:
    """The IIM as an 8BIM resource: type, id, an empty Pascal name (padded to even), size,
    data (padded to even)."""
    iim = iim_block()
    return (b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", len(iim))
            + iim + b"\0" * (len(iim) % 2))


def jpeg_with_iim(exif: Image.Exif | None = None, xmp: bytes | None = None) -> bytes:
    """A JPEG whose APP13 holds the IIM as Photoshop writes it (an 8BIM 0x0404 resource)."""
    buffer = io.BytesIO()
    options = {"exif": exif.tobytes()} if exif is not None else {}
    gray().save(buffer, format="JPEG", quality=95, xmp=xmp or b"", **options)
    body = b"Photoshop 3.0\0" + iim_resource()
    segment = b"\xff\xed" + struct.pack(">H", len(body) + 2) + body
    data = buffer.getvalue()
    return data[:2] + segment + data[2:]  # after SOI


def tiff_with_iim(exif: Image.Exif, xmp: bytes) -> bytes:
    """A TIFF whose own IFD holds the EXIF tags (Pillow writes `tiffinfo` or `exif`, not both),
    the IIM (33723) and the XMP (700)."""
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    for tag, value in exif.items():  # the Exif sub-IFD as the dict it was given
        ifd[tag] = value
    ifd[33723] = iim_block()
    ifd.tagtype[33723] = UNDEFINED
    ifd[700] = xmp
    ifd.tagtype[700] = 1
    buffer = io.BytesIO()
    gray().save(buffer, format="TIFF", tiffinfo=ifd)
    return buffer.getvalue()


def png_scan(exif: Image.Exif, xmp: bytes, dpi: float | None = None, iim: bool = False
             ) -> bytes:
    """`iim`: the IIM as exiftool writes it in a PNG, hex in a "Raw profile type iptc" chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp.decode(), zip=False)
    if iim:
        data = iim_resource().hex()
        lines = "\n".join(data[i:i + 72] for i in range(0, len(data), 72))
        info.add_text("Raw profile type iptc", f"\nIPTC profile\n{len(data) // 2:8d}\n{lines}\n",
                      zip=True)
    buffer = io.BytesIO()
    gray().save(buffer, format="PNG", pnginfo=info, exif=exif.tobytes(),
                **({"dpi": (dpi, dpi)} if dpi else {}))
    return buffer.getvalue()


def webp_scan(exif: Image.Exif, xmp: bytes) -> bytes:
    buffer = io.BytesIO()
    gray().convert("RGB").save(buffer, format="WEBP", lossless=True, exif=exif.tobytes(),
                               xmp=xmp)
    return buffer.getvalue()


def output_xmp(data: bytes) -> ET.Element:
    """The output's XMP, parsed by the project's parser."""
    with Image.open(io.BytesIO(data)) as image:
        packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    assert packet, "the output carries no XMP"
    return parse_xmp(packet)


def xmp_items(root: ET.Element, prefix: str, name: str) -> list[str]:
    """Every text of a property (its rdf:li items, or its own text), in every Description."""
    found = []
    for element in root.iter(f"{{{NS[prefix]}}}{name}"):
        items = list(element.iter(f"{{{RDF}}}li"))
        found += [i.text or "" for i in items] if items else [element.text or ""]
    return found


def exif_entry_types(data: bytes, fmt: str) -> dict[int, int]:
    """{tag: stored type} of the Exif sub-IFD's entries, as the file stores them (Pillow's
    reading forgets the types): a TIFF's own structure, or the EXIF block of the others."""
    if fmt == "tif":
        tiff = data
    else:
        with Image.open(io.BytesIO(data)) as image:
            tiff = image.info["exif"]
        tiff = tiff[6:] if tiff.startswith(b"Exif\0\0") else tiff
    endian = "<" if tiff[:2] == b"II" else ">"

    def entries(offset: int) -> dict[int, tuple[int, int]]:
        (count,) = struct.unpack_from(endian + "H", tiff, offset)
        found = {}
        for index in range(count):
            tag, kind, _, value = struct.unpack_from(endian + "HHLL", tiff, offset + 2 + 12 * index)
            found[tag] = (kind, value)
        return found

    first = entries(struct.unpack_from(endian + "L", tiff, 4)[0])
    return {tag: kind for tag, (kind, _) in entries(first[EXIF_IFD][1]).items()}
