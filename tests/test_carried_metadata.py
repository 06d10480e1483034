"""The input's EXIF, IPTC, XMP and DPI reach the colorized output (issue #17), in every
format."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.derived_text import COLORIZED
from colorizer.pipeline.provenance import encode_image

ARTIST, COPYRIGHT, DESCRIPTION, ORIENTATION, DATETIME = 0x013B, 0x8298, 0x010E, 0x0112, 0x0132
EXIF_IFD, USER_COMMENT, DATETIME_ORIGINAL, X_RESOLUTION = 0x8769, 0x9286, 0x9003, 282


def _gray(size=(40, 24)) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray((rng.random(size[::-1]) * 255).astype(np.uint8), "L")


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False,
                                                render_size=64)


@pytest.mark.parametrize("fmt", ["png", "jpg", "tif", "webp"])
def test_exif_and_dpi_of_a_jpeg_reach_every_output_format(pipe, fmt):
    exif = Image.Exif()
    exif.update({ARTIST: "A. Petrov", COPYRIGHT: "(c) City Archive",
                 DATETIME: "1968:08:21 10:00:00", DESCRIPTION: "Wenceslas Square",
                 ORIENTATION: 6})
    buffer = io.BytesIO()
    _gray().save(buffer, format="JPEG", exif=exif.tobytes(), dpi=(600, 600))
    result = pipe(buffer.getvalue())
    assert result.image.size == (24, 40)  # Orientation 6 applied to the pixels
    with Image.open(io.BytesIO(encode_image(result, fmt))) as out:
        got = out.getexif()
        assert got[ARTIST] == "A. Petrov" and got[COPYRIGHT] == "(c) City Archive"
        # The scan's caption, marked as describing its colorization (derived_text.py).
        assert got[DESCRIPTION] == COLORIZED + "Wenceslas Square"
        # DateTime is the file's last change (exiftool's ModifyDate), this output's writing,
        # not the input's: asserting the input's 1968 here asserted the misstatement.
        assert got[DATETIME] != "1968:08:21 10:00:00" and got[0x0131].startswith("chronochrome")
        assert got.get(ORIENTATION, 1) == 1  # not turned a second time by a viewer
        if fmt != "webp":  # WebP has no resolution field
            assert round(out.info["dpi"][0]) == 600


def test_iptc_byline_and_copyright_become_exif_in_the_output(pipe):
    def dataset(number: int, text: bytes) -> bytes:
        return b"\x1c\x02" + bytes([number]) + len(text).to_bytes(2, "big") + text

    iptc = dataset(80, b"Ivan Ivanov") + dataset(116, b"State Archive") + dataset(120, b"Kazan")
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[33723] = iptc
    ifd.tagtype[33723] = 7  # UNDEFINED
    buffer = io.BytesIO()
    _gray().save(buffer, format="TIFF", tiffinfo=ifd)
    result = pipe(buffer.getvalue())
    with Image.open(io.BytesIO(encode_image(result, "png"))) as out:
        got = out.getexif()
    assert (got[ARTIST], got[COPYRIGHT], got[DESCRIPTION]) == ("Ivan Ivanov", "State Archive",
                                                              COLORIZED + "Kazan")


def test_a_photo_without_metadata_gets_none(pipe):
    buffer = io.BytesIO()
    _gray().save(buffer, format="PNG")
    with Image.open(io.BytesIO(encode_image(pipe(buffer.getvalue()), "jpg"))) as out:
        assert ARTIST not in out.getexif()


def _utf8_exif() -> Image.Exif:
    """Cyrillic text as exiftool and most writers store it: UTF-8 bytes in the ASCII tags,
    UTF-16 in a UNICODE UserComment, and the dates in the Exif sub-IFD."""
    exif = Image.Exif()
    exif.update({DESCRIPTION: "Казань, площадь Свободы".encode(), ARTIST: "Иван Петров".encode(),
                 COPYRIGHT: "© Госархив РТ".encode()})
    exif[EXIF_IFD] = {USER_COMMENT: b"UNICODE\0" + "Первомай 1957".encode("utf-16-be"),
                      DATETIME_ORIGINAL: "1957:05:01 11:00:00"}
    return exif


def _utf8(value: str) -> str:
    return value.encode("latin-1").decode("utf-8")  # Pillow reads EXIF text as Latin-1


@pytest.mark.parametrize("fmt", ["png", "jpg", "tif", "webp"])
def test_non_ascii_exif_text_and_exif_dates_reach_every_output_format(pipe, fmt):
    # The caption, artist and copyright came out as "??????" (Pillow writes text as ASCII),
    # and a TIFF output of any photo with an Exif sub-IFD (every camera JPEG) failed:
    # "RuntimeError: Error setting from dictionary".
    buffer = io.BytesIO()
    _gray().save(buffer, format="JPEG", exif=_utf8_exif().tobytes())
    data = encode_image(pipe(buffer.getvalue()), fmt)
    with Image.open(io.BytesIO(data)) as out:
        got = out.getexif()
        sub = got.get_ifd(EXIF_IFD)
    assert _utf8(got[DESCRIPTION]) == COLORIZED + "Казань, площадь Свободы"
    assert _utf8(got[ARTIST]) == "Иван Петров" and _utf8(got[COPYRIGHT]) == "© Госархив РТ"
    assert sub[DATETIME_ORIGINAL] == "1957:05:01 11:00:00"
    # UNICODE is UCS-2 in the file's byte order: a TIFF's is Pillow's little-endian (the
    # big-endian bytes asserted here before read as "ἄ㔄䀄..." in exiftool and every reader).
    order = "utf-16-le" if fmt == "tif" else "utf-16-be"
    assert sub[USER_COMMENT][8:].decode(order) == "Первомай 1957"


_INPUT_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
  xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
  tiff:Orientation="6" photoshop:ColorMode="1" xmp:CreatorTool="Adobe Photoshop">
 <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">CC BY 4.0, Госархив РТ</rdf:li></rdf:Alt></dc:rights>
 <dc:creator><rdf:Seq><rdf:li>Иван Петров</rdf:li></rdf:Seq></dc:creator>
 <xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang="x-default">Credit the archive</rdf:li></rdf:Alt></xmpRights:UsageTerms>
 <photoshop:ICCProfile>Dot Gain 20%</photoshop:ICCProfile>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""
_NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
       "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
       "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
       "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"}


def _output_xmp(data: bytes) -> ET.Element:
    with Image.open(io.BytesIO(data)) as out:
        packet = out.info.get("xmp") or out.info.get("XML:com.adobe.xmp")
    return ET.fromstring(packet.encode() if isinstance(packet, str) else packet)


@pytest.mark.parametrize("fmt", ["png", "jpg", "tif", "webp"])
def test_the_input_xmp_is_kept_beside_the_provenance(pipe, fmt):
    # The output's XMP was the provenance alone: the rights, creator and usage terms were lost.
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    buffer = io.BytesIO()
    _gray().save(buffer, format="JPEG", exif=exif.tobytes(), xmp=_INPUT_XMP.encode())
    root = _output_xmp(encode_image(pipe(buffer.getvalue()), fmt))
    text = ET.tostring(root, encoding="unicode")
    assert "CC BY 4.0, Госархив РТ" in text and "Иван Петров" in text
    assert root.find(".//xmpRights:UsageTerms", _NS) is not None
    assert root.find(".//Iptc4xmpExt:DigitalSourceType", _NS) is not None  # the provenance
    tool = f"{{{_NS['xmp']}}}CreatorTool"  # a property appears once: ours replaced theirs
    tools = [d.get(tool) for d in root.iter(f"{{{_NS['rdf']}}}Description") if d.get(tool)]
    tools += [element.text for element in root.iter(tool)]
    assert len(tools) == 1 and tools[0].startswith("chronochrome")
    # What described the gray, turned input would be wrong for the output: a viewer would
    # turn it again, and "Dot Gain 20%" is not what its sRGB pixels are.
    assert "Orientation" not in text and "ICCProfile" not in text and "ColorMode" not in text


def _saved(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.mark.parametrize("source", ["TIFF", "JPEG"])
def test_a_resolution_the_input_does_not_state_is_not_made_up(pipe, source):
    # Pillow reads a TIFF without resolution tags as 1 x 1 dpi, and a JPEG with EXIF but no
    # resolution as 72 dpi: the output said 1 dpi (a 40 px photo printed 40 inches wide).
    exif = Image.Exif()
    exif[ARTIST] = "A. Petrov"
    data = _saved(_gray(), source, exif=exif.tobytes())
    result = pipe(data)
    assert result.carried.dpi is None
    with Image.open(io.BytesIO(encode_image(result, "tif"))) as out:
        assert X_RESOLUTION not in out.tag_v2
    with Image.open(io.BytesIO(encode_image(result, "png"))) as out:
        assert "dpi" not in out.info


def test_an_implausible_resolution_is_left_out_and_said(pipe):
    data = _saved(_gray(), "TIFF", dpi=(1e7, 1e7))
    result = pipe(data)
    assert result.carried.dpi is None
    assert any("1e+07 x 1e+07 dpi is not plausible" in n for n in result.input.notes)
    data = _saved(_gray(), "TIFF", dpi=(1200, 1200))
    assert pipe(data).carried.dpi == (1200, 1200)
