"""Captions from every place archives put them, in files generated here: EXIF
ImageDescription and UserComment, IPTC caption/headline/date (an APP13 segment built by
hand), XMP packets in JPEG and PNG, sidecar .txt/.json/.xmp files, and the file name."""

from __future__ import annotations

import io
import json
import os
import struct

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from colorizer.apps.cli import main
from colorizer.pipeline.captions import SIDECAR_MAX_BYTES, photo_captions
from colorizer.pipeline.imageio import load_image
from context import Caption, ContextConfig, ContextEncoder


def _gray() -> Image.Image:
    return Image.fromarray(np.full((48, 64), 128, np.uint8))


def _jpeg(exif: Image.Exif | None = None, **save) -> bytes:
    out = io.BytesIO()
    _gray().save(out, "JPEG", **({"exif": exif.tobytes()} if exif is not None else {}), **save)
    return out.getvalue()


def _iptc_jpeg(datasets: dict[tuple[int, int], bytes]) -> bytes:
    """A JPEG with an APP13 "Photoshop 3.0" segment holding one IPTC-NAA resource (0x0404)."""
    iim = b"".join(b"\x1c" + bytes(key) + struct.pack(">H", len(v)) + v
                   for key, v in datasets.items())
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim))
    payload = b"Photoshop 3.0\x00" + resource + iim + b"\x00" * (len(iim) % 2)
    jpeg = _jpeg()
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
       b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
       b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Headline="Kazan">'
       b'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Street market, 1957'
       b'</rdf:li></rdf:Alt></dc:description>'
       b'<photoshop:DateCreated>1957-06-01</photoshop:DateCreated>'
       b'</rdf:Description></rdf:RDF></x:xmpmeta>')


def _sources(data: bytes, name: str = "<bytes>") -> dict[str, str]:
    return {c.source: c.text for c in load_image(data, name=name).captions}


def test_exif_image_description_in_utf8():
    exif = Image.Exif()
    exif[0x010E] = "Прага 1968".encode()  # written as UTF-8 bytes, as most tools do
    assert _sources(_jpeg(exif)) == {"exif:ImageDescription": "Прага 1968"}


@pytest.mark.parametrize("prefix,encoded", [
    (b"ASCII\x00\x00\x00", b"Berlin 1945"),
    (b"UNICODE\x00", "Berlin 1945".encode("utf-16-be")),  # the file's byte order (MM)
    (b"\x00" * 8, b"Berlin 1945"),
])
def test_exif_user_comment_with_its_character_code(prefix, encoded):
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = prefix + encoded
    assert _sources(_jpeg(exif)) == {"exif:UserComment": "Berlin 1945"}


def test_camera_placeholder_description_is_no_caption():
    exif = Image.Exif()
    exif[0x010E] = "OLYMPUS DIGITAL CAMERA         "
    assert _sources(_jpeg(exif)) == {}


def test_iptc_caption_headline_and_date():
    data = _iptc_jpeg({(1, 90): b"\x1b%G", (2, 120): "Вид на Казань".encode(),
                       (2, 105): b"Kazan", (2, 55): b"19570601"})
    assert _sources(data) == {"iptc:Caption-Abstract": "Вид на Казань",
                              "iptc:Headline": "Kazan", "iptc:DateCreated": "1957-06-01"}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_xmp_description_headline_and_date(fmt):
    out = io.BytesIO()
    if fmt == "JPEG":
        _gray().save(out, fmt, xmp=XMP)
    else:
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        _gray().save(out, fmt, pnginfo=info)
    assert _sources(out.getvalue()) == {"xmp:dc:description": "Street market, 1957",
                                        "xmp:photoshop:Headline": "Kazan",
                                        "xmp:photoshop:DateCreated": "1957-06-01"}


def test_xmp_with_a_dtd_is_not_parsed():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            + XMP)
    loaded = load_image(_jpeg(xmp=bomb))
    assert loaded.captions == () and any("DTD" in n for n in loaded.notes)


def test_sidecars_and_file_name_each_with_its_source(tmp_path):
    photo = tmp_path / "Prague1968.png"
    _gray().save(photo)
    (tmp_path / "Prague1968.txt").write_text("Wenceslas Square, August 1968\n")
    (tmp_path / "Prague1968.json").write_text(json.dumps(
        {"Title": "Tanks in the square", "date": 1968, "photographer": "unknown",
         "caption": ["not", "text"]}))
    (tmp_path / "Prague1968.png.xmp").write_bytes(XMP)
    found = photo_captions(load_image(photo)).captions
    assert [(c.source, c.text) for c in found] == [
        ("sidecar:Prague1968.txt", "Wenceslas Square, August 1968"),
        ("sidecar:Prague1968.json:Title", "Tanks in the square"),
        ("sidecar:Prague1968.json:date", "1968"),
        ("sidecar:Prague1968.png.xmp:dc:description", "Street market, 1957"),
        ("sidecar:Prague1968.png.xmp:photoshop:Headline", "Kazan"),
        ("sidecar:Prague1968.png.xmp:photoshop:DateCreated", "1957-06-01"),
        ("filename", "Prague1968.png"),
    ]
    without_name = photo_captions(load_image(photo), filename=False).captions
    assert "filename" not in {c.source for c in without_name}
    # The user's caption replaces all of them.
    assert photo_captions(load_image(photo), "Brno").captions == (Caption("Brno", "user"),)


def test_bytes_and_pil_images_have_no_file_name_nor_sidecar(tmp_path):
    photo = tmp_path / "Prague1968.png"
    _gray().save(photo)
    (tmp_path / "Prague1968.txt").write_text("Prague 1968")
    assert photo_captions(load_image(photo.read_bytes())).captions == ()
    assert photo_captions(load_image(Image.open(photo))).captions == ()
    # a name given with bytes (an upload's) is a file name, but no sidecar is looked for
    named = photo_captions(load_image(photo.read_bytes(), name="Prague1968.png")).captions
    assert named == (Caption("Prague1968.png", "filename"),)


def test_pil_image_metadata_is_read():
    exif = Image.Exif()
    exif[0x010E] = "Berlin 1945"
    image = Image.open(io.BytesIO(_jpeg(exif))).convert("L")
    assert photo_captions(load_image(image)).captions == (
        Caption("Berlin 1945", "exif:ImageDescription"),)


def test_huge_sidecar_is_not_read_but_noted(tmp_path, monkeypatch):
    photo = tmp_path / "Prague1968.png"
    _gray().save(photo)
    with open(tmp_path / "Prague1968.txt", "wb") as handle:  # sparse: no disk used
        handle.truncate(SIDECAR_MAX_BYTES * 1000)
    loaded = load_image(photo)
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: opened.append(os.fspath(path))
                        or real_open(path, *a, **k))
    found = photo_captions(loaded)
    assert [c.source for c in found.captions] == ["filename"]
    assert found.notes == (("sidecar Prague1968.txt not read: 65,536,000 bytes, above the "
                           "65,536-byte limit for sidecars"),)
    assert not any(p.endswith("Prague1968.txt") for p in opened)  # refused before opening


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_sidecar_is_never_opened(tmp_path):
    photo = tmp_path / "Prague1968.png"
    _gray().save(photo)
    os.mkfifo(tmp_path / "Prague1968.json")  # opening it for reading would wait forever
    (tmp_path / "Prague1968.xmp").mkdir()
    found = photo_captions(load_image(photo))
    assert [c.source for c in found.captions] == ["filename"]
    assert found.notes == ("sidecar Prague1968.json not read: not a regular file",
                           "sidecar Prague1968.xmp not read: not a regular file")


# -- through the pipeline and the command line ------------------------------------------------

@pytest.fixture(scope="module")
def bare_context_fn():
    """The real context encoder without OCR, CLIP or embedding (fast, no assets)."""
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    return lambda image, hints, captions: encoder(image, hint=hints, captions=captions)


@pytest.fixture
def caption_pipe(shared_tiny_weights, bare_context_fn):
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    pipe.context_fn = bare_context_fn
    return pipe


@pytest.mark.slow
def test_pipeline_reports_captions_with_sources(caption_pipe, tmp_path):
    exif = Image.Exif()
    exif[0x010E] = "Berlin"
    photo = tmp_path / "street_1945.jpg"
    photo.write_bytes(_jpeg(exif))
    result = caption_pipe(photo)
    report = json.loads(json.dumps(result.to_dict()))
    assert report["context"]["captions"] == [
        {"text": "Berlin", "source": "exif:ImageDescription"},
        {"text": "street_1945.jpg", "source": "filename"}]
    assert report["context"]["era"]["start"] == 1945
    assert report["context"]["region"]["wikidata"] == "Q64"
    assert report["settings"]["filename_caption"] is True
    off = caption_pipe.with_config(filename_caption=False)
    off.context_fn = caption_pipe.context_fn
    assert off.fingerprint != caption_pipe.fingerprint
    ctx = off(photo).context
    assert [c.source for c in ctx.captions] == ["exif:ImageDescription"] and ctx.era is None
    # The same file as a PIL image: its EXIF is read, but it has no file name (no year).
    ctx = caption_pipe(Image.open(photo).convert("L")).context
    assert ctx.region.wikidata == "Q64" and ctx.era is None
    # An explicit caption is the user's and the only one read.
    ctx = caption_pipe(photo, caption="Paris 1900").context
    assert ctx.captions == (Caption("Paris 1900", "user"),) and ctx.era.start == 1900


@pytest.mark.slow
def test_context_command_reads_metadata_and_file_name_can_be_switched_off(tmp_path, capsys):
    photo = tmp_path / "Prague1968.jpg"
    photo.write_bytes(_iptc_jpeg({(2, 120): b"Wenceslas Square"}))
    assert main(["context", str(photo), "--no-ocr", "--no-embedding"]) == 0
    out = capsys.readouterr()
    ctx = json.loads(out.out)
    assert ctx["era"]["start"] == 1968 and "Prague" in ctx["region"]["name"]
    assert "caption (iptc:Caption-Abstract): Wenceslas Square" in out.err
    assert "caption (filename): Prague1968.jpg" in out.err
    assert any(e["origin"] == "filename" and "(filename)" in e["what"]
               for e in ctx["era"]["evidence"])
    assert main(["context", str(photo), "--no-ocr", "--no-embedding",
                 "--no-filename-caption"]) == 0
    ctx = json.loads(capsys.readouterr().out)
    assert [c["source"] for c in ctx["captions"]] == ["iptc:Caption-Abstract"]
    assert ctx["era"] is None


def test_colorize_command_prints_captions_and_honours_no_filename_caption(
        tiny_weights, bare_context_fn, tmp_path, capsys, monkeypatch):
    from colorizer.pipeline import pretrained  # where from_pretrained builds them

    monkeypatch.setattr(pretrained, "default_components",
                        lambda *args, **kwargs: (bare_context_fn, None, None))
    photo = tmp_path / "in" / "Prague1968.png"
    photo.parent.mkdir()
    _gray().save(photo)
    (photo.parent / "Prague1968.txt").write_text("Wenceslas Square")
    args = ["colorize", "--weights", str(tiny_weights), "--device", "cpu", "--render-size", "64",
            str(photo), "-o", str(tmp_path / "out"), "--report"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "caption (sidecar:Prague1968.txt): Wenceslas Square" in err
    assert "caption (filename): Prague1968.png" in err
    report = json.loads((tmp_path / "out" / "Prague1968.json").read_text())
    assert report["context"]["era"]["start"] == 1968
    assert main([*args, "--no-filename-caption"]) == 0  # a new setting: not skipped
    err = capsys.readouterr().err
    assert "caption (filename)" not in err and "sidecar:Prague1968.txt" in err
    report = json.loads((tmp_path / "out" / "Prague1968.json").read_text())
    assert report["context"]["era"] is None and report["settings"]["filename_caption"] is False


def test_own_context_report_saved_beside_the_photo_is_no_caption(tmp_path, capsys):
    # `chronochrome context photo.jpg > photo.json`: the next run had read the report's
    # description as a sidecar caption and "found" the first run's hint again.
    photo = tmp_path / "geo.jpg"
    photo.write_bytes(_iptc_jpeg({}))
    assert main(["context", str(photo), "--no-ocr", "--no-embedding",
                 "--hint", "Tbilisi 1960"]) == 0
    first = capsys.readouterr().out
    assert json.loads(first)["era"]["start"] == 1960
    (tmp_path / "geo.json").write_text(first)
    assert main(["context", str(photo), "--no-ocr", "--no-embedding"]) == 0
    out = capsys.readouterr()
    ctx = json.loads(out.out)
    assert ctx["era"] is None and ctx["region"] is None
    assert [c["source"] for c in ctx["captions"]] == ["filename"]
    assert "geo.json is chronochrome's own context report; not read as a caption" in out.err
