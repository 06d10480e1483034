"""Metadata built to hurt, or broken, in an uploaded or fetched photo: each file is made here,
at test time, and read the way the CLI and the service read it."""

from __future__ import annotations

import io
import struct
import time
import unicodedata

import pytest
from PIL import Image, PngImagePlugin

from colorizer.apps.cli import main
from colorizer.pipeline.captions import photo_captions
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.provenance import encode_image

ARTIST, DESCRIPTION = 0x013B, 0x010E
_RDF = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>{}</dc:description>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>")
_UTF16 = '<?xml version="1.0" encoding="UTF-16"?>'
_LAUGHS = ('<!DOCTYPE x [<!ENTITY a "lollollollollollol">'
           + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">'
                     for i in range(9)) + "]>" + _RDF.format("&j;"))
_EXTERNAL = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + _RDF.format("&e;")
# What a caption may not carry to a terminal, an HTML report or the web page.
_EVIL = "Kazan\x1b[2J 1950s \u202egnp.exe\u202c <script>alert(1)</script>\x07"
_BIDI = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def _jpeg(segments: bytes = b"", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 24), 128).save(buffer, format="JPEG", **save)
    data = buffer.getvalue()
    return data[:2] + segments + data[2:]


def _xmp_segment(packet: bytes) -> bytes:
    body = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def _iptc_segment(caption: str) -> bytes:
    """An APP13 Photoshop block with IPTC 1:90 (UTF-8) and 2:120 (Caption-Abstract)."""
    def dataset(record: int, number: int, value: bytes) -> bytes:
        return b"\x1c" + bytes([record, number]) + struct.pack(">H", len(value)) + value
    iptc = dataset(1, 90, b"\x1b%G") + dataset(2, 120, caption.encode())
    iptc += b"\x00" * (len(iptc) % 2)
    body = (b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc))
            + iptc)
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False,
                                                render_size=64)


@pytest.mark.parametrize("body", [_LAUGHS, _EXTERNAL], ids=["billion-laughs", "external"])
def test_a_dtd_in_a_utf16_xmp_packet_is_refused_as_one(pipe, body):
    # A search of the bytes for "<!DOCTYPE" missed it in UTF-16: expat expanded the entities
    # until its amplification limit stopped it, and the note spoke of "input amplification
    # factor" instead of the DTD.
    packet = (_UTF16 + body).encode("utf-16")
    started = time.monotonic()
    loaded = load_image(_jpeg(_xmp_segment(packet)))
    assert time.monotonic() - started < 5
    assert "xmp: XMP packet declares a DTD; not read" in loaded.notes
    assert all("amplification" not in note for note in loaded.notes)
    assert "the input's XMP declares a DTD; not carried to the output" in loaded.notes
    assert loaded.carried.xmp is None
    output = encode_image(pipe(_jpeg(_xmp_segment(packet))), "png")
    assert b"root:" not in output and b"lollol" not in output  # no file, no expansion


def test_a_utf16_xmp_packet_is_read_and_carried(pipe):
    # Stripping NUL padding from the bytes cut the last character of a UTF-16LE packet in
    # half: every UTF-16 packet was "not well-formed XML", its caption and rights lost.
    packet = (_UTF16 + _RDF.format("Kazan 1950s, Bauman street")).encode("utf-16")
    data = _jpeg(_xmp_segment(packet))
    loaded = load_image(data)
    assert [(c.source, c.text) for c in loaded.captions] == [
        ("xmp:dc:description", "Kazan 1950s, Bauman street")]
    assert not any("XMP" in note for note in loaded.notes)
    with Image.open(io.BytesIO(encode_image(pipe(data), "jpg"))) as out:
        assert "Kazan 1950s, Bauman street" in out.info["xmp"].decode("utf-8")


@pytest.mark.parametrize("levels", [2_000, 100_000])
def test_deeply_nested_xmp_is_refused_by_name_in_bounded_time(pipe, levels):
    # Two thousand levels (14 KB) were "not well-formed or declares a DTD", neither true.
    packet = _RDF.format("<a>" * levels + "x" + "</a>" * levels).encode()
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", packet.decode())
    buffer = io.BytesIO()
    Image.new("L", (40, 24), 128).save(buffer, format="PNG", pnginfo=info)
    started = time.monotonic()
    result = pipe(buffer.getvalue())
    assert time.monotonic() - started < 20
    expected = ("the input's XMP is nested deeper than any metadata (over a thousand levels); "
                "not carried to the output" if levels == 2_000 else
                f"the input's XMP ({len(packet):,} bytes, above 40,000) is not carried to the "
                "output; its EXIF is")
    assert expected in result.input.notes
    assert b"<a><a>" not in encode_image(result, "png")


@pytest.mark.parametrize("where", ["iptc", "png-text", "xmp"])
def test_control_characters_and_bidi_overrides_never_reach_a_caption(where):
    # They reached the HTML plausibility report as they were: U+202E showed "gnp.exe" as
    # "exe.png", and an ESC sequence is no text of any photo.
    if where == "iptc":
        data = _jpeg(_iptc_segment(_EVIL))
    elif where == "png-text":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("Description", _EVIL)
        buffer = io.BytesIO()
        Image.new("L", (40, 24), 128).save(buffer, format="PNG", pnginfo=info)
        data = buffer.getvalue()
    else:  # XML 1.0 cannot hold an ESC or BEL: the bidi override alone
        data = _jpeg(_xmp_segment(_RDF.format("Kazan \u202egnp.exe\u202c").encode()))
    captions = photo_captions(load_image(data)).captions
    assert len(captions) == 1
    text = captions[0].text
    assert not any(unicodedata.category(c) == "Cc" or c in _BIDI for c in text)
    expected = ("Kazan gnp.exe" if where == "xmp"
                else "Kazan [2J 1950s gnp.exe <script>alert(1)</script>")
    assert text == expected  # the text itself is kept; HTML is escaped where it is shown


def _png_with_exif(description_bytes: int) -> bytes:
    exif = Image.Exif()
    exif[ARTIST] = "A. Petrov"
    exif[DESCRIPTION] = "E" * description_bytes
    buffer = io.BytesIO()
    Image.new("L", (40, 24), 128).save(buffer, format="PNG", exif=exif.tobytes())
    return buffer.getvalue()


def test_an_exif_block_too_large_for_a_jpeg_output_is_cut_to_fit(pipe):
    # A PNG or TIFF may hold megabytes of EXIF: its JPEG output failed with Pillow's bare
    # "EXIF data is too long", and its PNG output carried them all.
    result = pipe(_png_with_exif(200_000))
    assert ("EXIF ImageDescription (200,001 bytes) not copied to the output: above the 60,000 "
            "bytes an output's EXIF can hold; the rest copied") in result.input.notes
    for fmt in ("jpg", "png", "tif"):
        data = encode_image(result, fmt)
        assert len(data) < 200_000
        with Image.open(io.BytesIO(data)) as out:
            exif = out.getexif()
            assert exif[ARTIST] == "A. Petrov" and DESCRIPTION not in exif


def test_a_huge_exif_block_does_not_fail_the_cli_batch(tiny_weights, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "huge_exif.png").write_bytes(_png_with_exif(2_000_000))
    Image.new("L", (40, 24), 90).save(tmp_path / "in" / "plain.png")
    code = main(["colorize", "--weights", str(tiny_weights), "--device", "cpu",
                 "--render-size", "64", "--no-context", "--no-exemplars",
                 str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--format", "jpg"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "2 colorized, 0 skipped (already done), 0 failed" in captured.out
    # Said without --report: the output lacks what the input held.
    assert "EXIF ImageDescription (2,000,001 bytes) not copied to the output" in (
        captured.out + captured.err)
    with Image.open(tmp_path / "out" / "huge_exif.jpg") as out:
        assert out.getexif()[ARTIST] == "A. Petrov"


def _exif_jpeg(entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """A JPEG whose EXIF IFD0 holds exactly `entries` (tag, type, count, 4 value bytes)."""
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHI", *entry[:3]) + entry[3] for entry in entries) + bytes(4)
    exif = b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((40, 24)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_turned_matches_pillows_transpose_on_sound_exif(orientation):
    from PIL import ImageOps

    from colorizer.pipeline.orientation import turned
    data = _exif_jpeg([(0x0112, 3, 1, struct.pack("<HH", orientation, 0))])
    with Image.open(io.BytesIO(data)) as image:
        expected = ImageOps.exif_transpose(image)
        assert turned(image, orientation).tobytes() == expected.tobytes()
        assert turned(image, orientation).size == expected.size


def test_turned_survives_an_exif_block_pillow_cannot_rewrite():
    # An ImageWidth stored as text: Pillow's exif_transpose raised struct.error rewriting it.
    from colorizer.pipeline.orientation import turned
    data = _exif_jpeg([(0x0100, 2, 2, b"A\x00\x00\x00"), (0x0112, 3, 1, b"\x06\x00\x00\x00")])
    with Image.open(io.BytesIO(data)) as image:
        out = turned(image, 6)
        assert out.size == (24, 40) and "exif" not in out.info


def test_an_exif_value_of_the_wrong_type_is_left_out_not_fatal(pipe, tiny_weights, tmp_path,
                                                                 capsys):
    # An ImageDescription stored as a rational: Pillow's rewrite of the carried block raised
    # AttributeError through the loader, a traceback that ended the CLI batch.
    rational_at = 8 + 2 + 2 * 12 + 4
    data = _exif_jpeg([(DESCRIPTION, 5, 1, struct.pack("<I", rational_at)),
                       (ARTIST, 2, 4, b"Ann\x00")])
    start = data.index(b"Exif\x00\x00") + 6
    data = data[:start + rational_at] + struct.pack("<II", 1, 3) + data[start + rational_at:]
    data = _with_app1_length_fixed(data)
    loaded = load_image(data)
    assert ("EXIF ImageDescription not copied to the output: damaged (a value of the wrong "
            "type); the rest copied") in loaded.notes
    with Image.open(io.BytesIO(encode_image(pipe(data), "jpg"))) as out:
        assert out.getexif()[ARTIST] == "Ann" and DESCRIPTION not in out.getexif()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "damaged.jpg").write_bytes(data)
    Image.new("L", (40, 24), 90).save(tmp_path / "in" / "plain.png")
    code = main(["colorize", "--weights", str(tiny_weights), "--device", "cpu",
                 "--render-size", "64", "--no-context", "--no-exemplars",
                 str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert code == 0 and "2 colorized, 0 skipped (already done), 0 failed" in (
        capsys.readouterr().out)


def _with_app1_length_fixed(data: bytes) -> bytes:
    """The JPEG with its EXIF segment's length field counting the bytes inserted into it."""
    at = data.index(b"\xff\xe1")
    end = data.index(b"\xff\xdb", at)  # the next marker Pillow writes: the quantization table
    return data[:at + 2] + struct.pack(">H", end - at - 2) + data[at + 4:]


def test_an_iptc_record_cut_short_is_a_note_not_a_failure():
    # A field header of 4 bytes where 5 belong: Pillow's struct.error went through the
    # loader (the carried-metadata reader did not catch it): a traceback, a 500.
    iptc = b"\x1c\x01\x5a\x00\x03\x1b%G\x1c\x02\x78\x00\x05Kazan\x1c\x02\x50\x00"
    body = (b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc))
            + iptc)
    data = _jpeg(b"\xff\xed" + struct.pack(">H", len(body) + 2) + body)
    loaded = load_image(data)
    assert loaded.size == (40, 24)
    assert any(note.startswith("IPTC block unreadable (") and note.endswith(
        "); not copied to the output") for note in loaded.notes)


def _tiff_with_xmp_tag(value: object, tag_type: int, orientation: int | None = None) -> bytes:
    from PIL import TiffImagePlugin
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[700] = value
    ifd.tagtype[700] = tag_type
    if orientation:
        ifd[0x0112] = orientation
    buffer = io.BytesIO()
    Image.new("L", (40, 24), 128).save(buffer, format="TIFF", tiffinfo=ifd)
    return buffer.getvalue()


@pytest.mark.parametrize("value", [(1.5, 2.5), (1.5,), (300, 400)])
def test_xmp_that_is_no_text_is_a_note_not_a_type_error(value):
    from colorizer.pipeline.metadata import xmp_captions
    from colorizer.pipeline.xmp_merge import carriable_xmp
    # A TIFF's XMP tag written as FLOAT or SHORT comes from Pillow as numbers: bytes() of
    # them raised TypeError (or ValueError) out of the caption and carried-metadata readers.
    kind = type(value[0]).__name__
    assert carriable_xmp(value) == (
        None, f"the input's XMP holds {kind} values, not text; not carried to the output")
    captions, note = xmp_captions(value, "xmp")
    assert captions == [] and note == f"xmp: XMP of {kind} values, not text; not read"


@pytest.mark.filterwarnings("ignore:Metadata Warning:UserWarning")  # Pillow on the FLOAT tag
def test_a_tiff_xmp_tag_of_another_type_is_made_bytes_before_decoding():
    from colorizer.pipeline.metadata import metadata_captions
    from colorizer.pipeline.tiff_xmp import normalize_tiff_xmp
    # Pillow's TIFF decoder searches the XMP with a bytes pattern: an XMP tag typed ASCII
    # (older writers) or FLOAT raised TypeError from load(), whatever the pixels.
    packet = _RDF.format("Kazan, an ASCII-typed XMP")
    with Image.open(io.BytesIO(_tiff_with_xmp_tag(packet, 2))) as image, pytest.raises(
            TypeError):
        image.load()
    with Image.open(io.BytesIO(_tiff_with_xmp_tag(packet, 2))) as image:
        assert normalize_tiff_xmp(image) is None
        image.load()
        captions, _ = metadata_captions(image)
        assert [c.text for c in captions] == ["Kazan, an ASCII-typed XMP"]
    with Image.open(io.BytesIO(_tiff_with_xmp_tag((1.5, 2.5), 11, orientation=6))) as image:
        assert normalize_tiff_xmp(image) == (
            "the TIFF's XMP tag holds float values, not text; its XMP not read and not "
            "carried to the output")
        image.load()
        assert "xmp" not in image.info


# An EXIF block whose ImageWidth is text, with Orientation 6: Pillow's exif_transpose rewrote
# the block and raised struct.error (a traceback that ended the CLI batch; a 500).
DAMAGED_WIDTH = [(0x0100, 2, 2, b"A\x00\x00\x00"), (0x0112, 3, 1, b"\x06\x00\x00\x00")]


def _colorize_folder(weights, folder) -> int:
    return main(["colorize", "--weights", str(weights), "--device", "cpu", "--render-size",
                 "64", "--no-context", "--no-exemplars", str(folder), "-o",
                 str(folder.parent / "out")])


def test_a_damaged_exif_block_with_an_orientation_loads_turned_and_the_batch_goes_on(
        tiny_weights, tmp_path, capsys):
    loaded = load_image(_exif_jpeg(DAMAGED_WIDTH))
    assert loaded.size == (24, 40) and "EXIF orientation 6 applied" in loaded.notes
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a_damaged.jpg").write_bytes(_exif_jpeg(DAMAGED_WIDTH))
    Image.new("L", (40, 24), 90).save(tmp_path / "in" / "b_plain.png")
    code = _colorize_folder(tiny_weights, tmp_path / "in")
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "2 colorized, 0 skipped (already done), 0 failed" in out.out
    with Image.open(tmp_path / "out" / "a_damaged.png") as result:
        assert result.size == (24, 40)


def test_a_tiff_whose_xmp_tag_is_typed_ascii_or_float_loads(tmp_path, tiny_weights, capsys):
    """Pillow's load() raised TypeError on a TIFF XMP tag typed other than BYTE/UNDEFINED."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a_ascii.tif").write_bytes(
        _tiff_with_xmp_tag(_RDF.format("Kazan 1950s"), 2))
    (tmp_path / "in" / "b_float.tif").write_bytes(
        _tiff_with_xmp_tag((1.5, 2.5), 11, orientation=6))
    loaded = load_image(tmp_path / "in" / "a_ascii.tif")
    assert [c.text for c in loaded.captions] == ["Kazan 1950s"] and loaded.carried.xmp
    loaded = load_image(tmp_path / "in" / "b_float.tif")
    assert loaded.size == (24, 40) and (
        "the TIFF's XMP tag holds float values, not text; its XMP not read and not carried to "
        "the output") in loaded.notes
    assert _colorize_folder(tiny_weights, tmp_path / "in") == 0
    assert "2 colorized, 0 skipped (already done), 0 failed" in capsys.readouterr().out


def test_a_png_metadata_chunk_past_pillows_limit_is_named_not_called_damaged():
    """A zTXt that decompresses to 3 MiB: "the header is incomplete... re-download" sent
    people after a file that was whole; the limit itself stays (it bounds memory)."""
    import zlib

    from colorizer.errors import UnsupportedImageError

    buf = io.BytesIO()
    Image.new("L", (8, 8), 100).save(buf, "PNG")
    png = buf.getvalue()
    body = b"zTXt" + b"Comment\x00\x00" + zlib.compress(b"a" * (3 << 20))
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    with pytest.raises(UnsupportedImageError) as caught:
        load_image(png[:33] + chunk + png[33:])  # after IHDR
    assert "decompresses past Pillow's 1 MiB limit" in str(caught.value)
    assert "re-download" not in str(caught.value) and "exiftool -all=" in str(caught.value)
