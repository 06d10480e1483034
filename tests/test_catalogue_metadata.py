"""The date and place an archive catalogued in a photo file reach the context, each naming
its field: XMP dc:date and dc:coverage, the IPTC Extension's LocationShown and
LocationCreated, the IPTC Core CountryCode, IPTC IIM 2:100; and the file's own dates (EXIF
DateTimeOriginal and the like: on a scan, the scan's) never date the photo, not even where
the scanning software copied them into Date Created."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.cli import main
from colorizer.pipeline.captions import photo_captions
from colorizer.pipeline.imageio import load_image
from context import ContextConfig, ContextEncoder

NS = ('xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
      'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
      'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" '
      'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"')
SCAN_DAY = "2019:03:04 10:11:12"


def _xmp(attributes: str, body: str) -> bytes:
    return (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF {NS}>'
            f'<rdf:Description rdf:about="" {attributes}>{body}</rdf:Description>'
            "</rdf:RDF></x:xmpmeta>").encode()


# An archive's scan: its catalogue in XMP; the scanner's dates in EXIF, and Lightroom's copy
# of them in xmp:CreateDate and photoshop:DateCreated.
ARCHIVE_XMP = _xmp(
    'xmp:CreateDate="2019-03-04T10:11:12" photoshop:DateCreated="2019-03-04T10:11:12" '
    'Iptc4xmpCore:CountryCode="RU"',
    "<dc:date><rdf:Seq><rdf:li>195X</rdf:li></rdf:Seq></dc:date>"
    "<dc:coverage>Tatarstan</dc:coverage>"
    '<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li rdf:parseType="Resource">'
    "<Iptc4xmpExt:City>Kazan</Iptc4xmpExt:City>"
    "<Iptc4xmpExt:ProvinceState>Tatar ASSR</Iptc4xmpExt:ProvinceState>"
    "<Iptc4xmpExt:CountryCode>SU</Iptc4xmpExt:CountryCode>"
    "</rdf:li></rdf:Bag></Iptc4xmpExt:LocationShown>"
    "<Iptc4xmpExt:LocationCreated><rdf:Bag><rdf:li>"
    '<rdf:Description Iptc4xmpExt:City="Moscow" Iptc4xmpExt:CountryName="USSR"/>'
    "</rdf:li></rdf:Bag></Iptc4xmpExt:LocationCreated>")


def _gray() -> Image.Image:
    return Image.fromarray(np.tile(np.linspace(40, 220, 64, dtype=np.uint8), (48, 1)))


def _scanner_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0132] = SCAN_DAY  # DateTime
    exif.get_ifd(0x8769)[0x9003] = SCAN_DAY  # DateTimeOriginal
    exif.get_ifd(0x8769)[0x9004] = SCAN_DAY  # DateTimeDigitized
    return exif


def _jpeg(xmp: bytes | None = None, exif: Image.Exif | None = None, app13: bytes = b"") -> bytes:
    out = io.BytesIO()
    _gray().save(out, "JPEG", **({"xmp": xmp} if xmp else {}),
                 **({"exif": exif.tobytes()} if exif is not None else {}))
    data = out.getvalue()
    if app13:
        data = data[:2] + b"\xff\xed" + struct.pack(">H", len(app13) + 2) + app13 + data[2:]
    return data


def _iptc(datasets: dict[tuple[int, int], bytes]) -> bytes:
    iim = b"".join(b"\x1c" + bytes(key) + struct.pack(">H", len(v)) + v
                   for key, v in datasets.items())
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim))
    return b"Photoshop 3.0\x00" + resource + iim + b"\x00" * (len(iim) % 2)


@pytest.fixture(scope="module")
def encoder():
    return ContextEncoder(ContextConfig(use_ocr=False, embed=False))


def test_xmp_date_coverage_locations_and_country_code_are_captions():
    loaded = load_image(_jpeg(ARCHIVE_XMP, _scanner_exif()))
    assert [(c.source, c.text) for c in loaded.captions] == [
        ("xmp:dc:date", "195X"),
        ("xmp:dc:coverage", "Tatarstan"),
        ("xmp:Iptc4xmpCore:CountryCode", "Russia"),  # the place, not the 1991 state
        ("xmp:Iptc4xmpExt:LocationShown", "Kazan, Tatar ASSR, USSR"),  # "SU" named
        ("xmp:Iptc4xmpExt:LocationCreated", "Moscow, USSR"),
    ]
    # photoshop:DateCreated is the scan's day copied: left out, and said
    assert loaded.notes == (("xmp:photoshop:DateCreated '2019-03-04T10:11:12' is the day the "
                             "file was made (xmp:CreateDate), not when the photo was taken: "
                             "not read as its date"),)


def test_the_context_names_each_field(encoder):
    loaded = load_image(_jpeg(ARCHIVE_XMP, _scanner_exif()))
    ctx = encoder(None, captions=loaded.captions)
    assert (ctx.era.start, ctx.era.end) == (1950, 1959)
    assert {e.origin for e in ctx.era.evidence if e.what.startswith("decade")} == {
        "xmp:dc:date"}
    assert ctx.region.name == "Kazan, Tatar ASSR, USSR"
    assert {e.origin for e in ctx.region.evidence} >= {
        "xmp:Iptc4xmpExt:LocationShown", "xmp:dc:coverage"}


def test_a_scan_s_exif_dates_never_date_the_photo(encoder):
    # Only the scanner's dates, in EXIF and copied into photoshop:DateCreated: no era (it was
    # 2019, from the copy)
    loaded = load_image(_jpeg(_xmp('photoshop:DateCreated="2019-03-04T10:11:12"', ""),
                              _scanner_exif()))
    assert loaded.captions == ()
    assert encoder(None, captions=loaded.captions).era is None


def test_an_archive_s_date_created_is_read_beside_the_scan_s_exif():
    loaded = load_image(_jpeg(_xmp('photoshop:DateCreated="1957-06-01"', ""), _scanner_exif()))
    assert [(c.source, c.text) for c in loaded.captions] == [
        ("xmp:photoshop:DateCreated", "1957-06-01")]
    assert loaded.notes == ()


def test_a_photo_s_date_set_by_hand_in_exif_is_kept_in_date_created():
    # People who scan prints often set DateTimeOriginal to the photo's day: no machine's
    # clock said 1957, so the Date Created on that day is the photo's (EXIF stays unread)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "1957:06:01 00:00:00"
    loaded = load_image(_jpeg(_xmp('photoshop:DateCreated="1957-06-01"', ""), exif))
    assert [(c.source, c.text) for c in loaded.captions] == [
        ("xmp:photoshop:DateCreated", "1957-06-01")]
    assert loaded.notes == ()


def test_iptc_iim_date_copied_from_exif_is_left_out_and_country_code_named():
    app13 = _iptc({(2, 55): b"20190304", (2, 90): b"Kazan", (2, 100): b"RUS"})
    loaded = load_image(_jpeg(exif=_scanner_exif(), app13=app13))
    assert [(c.source, c.text) for c in loaded.captions] == [
        ("iptc:City", "Kazan"), ("iptc:Country-PrimaryLocationCode", "Russia")]
    assert "(EXIF DateTimeOriginal)" in loaded.notes[0]
    kept = load_image(_jpeg(exif=_scanner_exif(), app13=_iptc({(2, 55): b"19570600"})))
    assert [(c.source, c.text) for c in kept.captions] == [("iptc:DateCreated", "1957-06")]


def test_an_xmp_sidecar_with_the_camera_s_dates(tmp_path):
    photo = tmp_path / "scan_0001.png"
    _gray().save(photo)
    (tmp_path / "scan_0001.xmp").write_bytes(_xmp(
        'exif:DateTimeOriginal="2019-03-04T10:11:12" photoshop:DateCreated="2019-03-04"',
        "<dc:date><rdf:Seq><rdf:li>1950~</rdf:li></rdf:Seq></dc:date>"))
    found = photo_captions(load_image(photo), filename=False)
    assert [(c.source, c.text) for c in found.captions] == [
        ("sidecar:scan_0001.xmp:dc:date", "1950~")]
    assert "(exif:DateTimeOriginal)" in found.notes[0]


def test_the_context_command_dates_the_scan_by_the_archive(tmp_path, capsys):
    photo = tmp_path / "scan_0001.jpg"
    photo.write_bytes(_jpeg(ARCHIVE_XMP, _scanner_exif()))
    assert main(["context", str(photo), "--no-ocr", "--no-embedding"]) == 0
    out = capsys.readouterr()
    ctx = json.loads(out.out)
    assert (ctx["era"]["start"], ctx["era"]["end"]) == (1950, 1959)  # it was 2019
    assert ctx["region"]["name"] == "Kazan, Tatar ASSR, USSR"
    assert "caption (xmp:dc:date): 195X" in out.err
    assert "2019" not in json.dumps(ctx["era"])
