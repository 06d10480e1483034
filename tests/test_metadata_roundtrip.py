"""An archive's metadata through a colorization, read back as archives read it: what the scan
said about the photo is kept (IPTC-only fields too, as XMP), what is no longer true is changed
(the description says it is a colorization's; the pixels' tags are the output's), the DPI is
kept in every format, and the EXIF is valid (types, byte order) for exiftool -validate."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image, IptcImagePlugin

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.metadata import metadata_captions
from colorizer.pipeline.provenance import encode_image
from tests.metadata_scans import (
    ARCH,
    ARCHIVE_XMP,
    CAPTION,
    COLOR_SPACE,
    COLORIZED,
    COMMENT,
    COMPONENTS,
    DESCRIPTION,
    EXIF_IFD,
    FILE_SOURCE,
    IIM_CREDIT,
    IIM_NOTICE,
    IIM_OBJECT_NAME,
    PIXEL_X,
    PIXEL_Y,
    RESOLUTION_UNIT,
    RU_CAPTION,
    UNDEFINED,
    USER_COMMENT,
    X_RESOLUTION,
    exif_entry_types,
    jpeg_with_iim,
    output_xmp,
    png_scan,
    scan_exif,
    tiff_with_iim,
    webp_scan,
    xmp_items,
)

FORMATS = ["png", "jpg", "tif", "webp"]


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False,
                                                render_size=64)


def _scan_with_iim(source: str) -> bytes:
    """An archive's scan whose IIM is where its format keeps it (a PNG's: as exiftool puts it)."""
    if source == "jpeg":
        return jpeg_with_iim(xmp=ARCHIVE_XMP)
    if source == "tiff":
        return tiff_with_iim(scan_exif(), ARCHIVE_XMP)
    return png_scan(scan_exif(), ARCHIVE_XMP, iim=True)


@pytest.mark.parametrize("source", ["jpeg", "tiff", "png"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_what_only_the_iptc_said_reaches_the_outputs_xmp(pipe, source, fmt):
    # Object name, credit, copyright notice and a keyword only the IIM held were lost: Pillow
    # writes no IIM, and only the caption, by-line and notice went on (as EXIF); a PNG's IIM
    # (exiftool's "Raw profile type iptc" chunk) was not read at all.
    data = _scan_with_iim(source)
    root = output_xmp(encode_image(pipe(data), fmt))
    assert xmp_items(root, "dc", "title") == [IIM_OBJECT_NAME]
    assert xmp_items(root, "photoshop", "Credit") == [IIM_CREDIT]
    assert xmp_items(root, "dc", "rights") == [IIM_NOTICE]
    assert xmp_items(root, "dc", "subject") == ["улица", "tramway"]  # the XMP's, then the IIM's


def test_the_xmp_wins_where_it_states_a_field_the_iptc_states_too(pipe):
    xmp = ARCHIVE_XMP.replace(b"<dc:subject>", "<dc:title><rdf:Alt><rdf:li xml:lang="
                              '"x-default">Кремлёвская</rdf:li></rdf:Alt></dc:title>'
                              "<dc:subject>".encode())
    root = output_xmp(encode_image(pipe(jpeg_with_iim(xmp=xmp)), "png"))
    assert xmp_items(root, "dc", "title") == ["Кремлёвская"]  # one title: the XMP's


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_archive_namespace_keeps_its_prefix_and_values(pipe, fmt):
    # ElementTree wrote it as "ns5": exiftool showed "XMP-ns5:AccessionNumber".
    data = encode_image(pipe(png_scan(scan_exif(), ARCHIVE_XMP)), fmt)
    with Image.open(io.BytesIO(data)) as out:
        packet = out.info.get("xmp") or out.info["XML:com.adobe.xmp"]
    text = packet.decode() if isinstance(packet, bytes) else packet
    assert f'xmlns:arch="{ARCH}"' in text and "<arch:AccessionNumber>" in text
    assert xmp_items(output_xmp(data), "arch", "AccessionNumber") == ["KZN-1915-042"]
    assert text.count("<?xpacket begin") == 1  # one packet


@pytest.mark.parametrize("source", ["png", "webp"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_resolution_stated_only_in_the_exif_is_kept(pipe, source, fmt):
    # A PNG without pHYs, a WebP (no such field): the scan's 600 dpi became none; a JPEG
    # output's EXIF lacked the resolution tags exiftool -validate requires; a WebP's had none.
    scan = (png_scan if source == "png" else webp_scan)(scan_exif(dpi=600), ARCHIVE_XMP)
    data = encode_image(pipe(scan), fmt)
    with Image.open(io.BytesIO(data)) as out:
        exif = out.getexif()
        assert (float(exif[X_RESOLUTION]), exif[RESOLUTION_UNIT]) == (600.0, 2)
        if fmt != "webp":
            assert tuple(round(v) for v in out.info["dpi"]) == (600, 600)  # pHYs: 599.9994


def test_a_webp_states_the_dpi_of_a_scan_without_exif(pipe):
    # WebP has no resolution field of its own: a 600-dpi TIFF without EXIF gave a WebP with
    # no DPI while its PNG, JPEG and TIFF kept it (found comparing the ways in, 2026-12-07).
    buffer = io.BytesIO()
    Image.new("L", (64, 48), 120).save(buffer, "TIFF", dpi=(600, 600))
    data = encode_image(pipe(buffer.getvalue()), "webp")
    with Image.open(io.BytesIO(data)) as out:
        exif = out.getexif()
        assert (float(exif[X_RESOLUTION]), exif[RESOLUTION_UNIT]) == (600.0, 2)


def test_a_png_resolution_in_pixels_a_metre_is_the_scans_whole_dpi(pipe):
    scan = png_scan(scan_exif(), ARCHIVE_XMP, dpi=300)  # pHYs: 11,811 px/m = 299.9994 dpi
    result = pipe(scan)
    assert result.carried.dpi == (300.0, 300.0)
    with Image.open(io.BytesIO(encode_image(result, "tif"))) as out:
        assert float(out.tag_v2[X_RESOLUTION]) == 300.0


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_description_says_once_that_it_describes_a_colorization(pipe, fmt):
    # The gray original's description, carried as it was, presented the colorized file as
    # the photo; colorized again, it is marked once, and read back without the mark.
    data = encode_image(pipe(png_scan(scan_exif(), ARCHIVE_XMP)), fmt)
    assert sorted(xmp_items(output_xmp(data), "dc", "description")) == sorted(
        [COLORIZED + CAPTION, COLORIZED + RU_CAPTION])
    with Image.open(io.BytesIO(data)) as out:
        assert out.getexif()[DESCRIPTION].encode("latin-1").decode() == COLORIZED + CAPTION
        captions = {c.text for c in metadata_captions(out)[0]}
    assert CAPTION in captions and not any(COLORIZED.strip() in c for c in captions)
    again = encode_image(pipe(data), fmt)
    assert sorted(xmp_items(output_xmp(again), "dc", "description")) == sorted(
        [COLORIZED + CAPTION, COLORIZED + RU_CAPTION])


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_exif_states_the_outputs_pixels_in_valid_types(pipe, fmt):
    result = pipe(png_scan(scan_exif(dpi=600), ARCHIVE_XMP))
    data = encode_image(result, fmt)
    with Image.open(io.BytesIO(data)) as out:
        sub = out.getexif().get_ifd(EXIF_IFD)
    assert sub[COLOR_SPACE] == 1  # sRGB, the output's; the scan's said "Uncalibrated"
    size = None if fmt == "tif" else result.image.size  # a TIFF's own tags say its size
    assert (sub.get(PIXEL_X), sub.get(PIXEL_Y)) == (size or (None, None))
    assert (COMPONENTS in sub) == (fmt == "jpg")  # a JPEG's components; not allowed in TIFF
    # UNICODE text in the byte order of the file it is in (a TIFF output is little-endian).
    order = "utf-16-le" if fmt == "tif" else "utf-16-be"
    assert sub[USER_COMMENT][8:].decode(order) == COMMENT
    types = exif_entry_types(data, fmt)  # UNDEFINED as EXIF asks, not BYTE ("int8u")
    assert types[USER_COMMENT] == types[FILE_SOURCE] == UNDEFINED
    if fmt == "jpg":
        assert types[COMPONENTS] == UNDEFINED


@pytest.mark.parametrize(("source", "fmt"), [("jpeg", "jpg"), ("tiff", "tif"), ("jpeg", "tif"),
                                            ("png", "jpg")])
def test_the_iptc_block_itself_is_written_where_the_format_holds_one(pipe, source, fmt):
    # Collection systems that read IIM, not XMP, found none: Pillow writes no IIM.
    data = _scan_with_iim(source)
    out_data = encode_image(pipe(data), fmt)
    with Image.open(io.BytesIO(out_data)) as out:
        iim = IptcImagePlugin.getiptcinfo(out)
        if fmt == "jpg":  # with its digest, as readers following the MWG compare it
            resources = out.info["photoshop"]
            assert resources[0x0425] == hashlib.md5(resources[0x0404]).digest()
        else:  # LONGs, as Photoshop and exiftool write it
            assert out.tag_v2.tagtype[33723] == 4
    assert iim[(2, 5)] == IIM_OBJECT_NAME.encode() and iim[(2, 110)] == IIM_CREDIT.encode()
    assert iim[(2, 25)] == ["улица".encode(), b"tramway"]
    assert iim[(1, 90)] == b"\x1b%G"  # still UTF-8
    assert iim[(2, 120)].decode() == COLORIZED + CAPTION  # as the description: marked
