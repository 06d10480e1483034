"""A split album page's prints in what a historian reads beside the image: one line per print
in the file's XMP (`chronochrome:AlbumPrints`, in the IIIF annotation's words, with its box),
shareable and dropped with the other lists when the XMP would not fit; a section of the
plausibility report; an ordinary photo's XMP and report as they were (print_records.py,
xmp_provenance.py, check/report_prints.py)."""

from __future__ import annotations

import dataclasses
import io
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from colorizer.check.findings import CheckReport
from colorizer.check.report_html import report_html
from colorizer.check.report_prints import recorded_prints
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.print_records import album_prints, print_description
from colorizer.pipeline.provenance import (
    AI_SYSTEM,
    CHRONOCHROME_NS,
    SHORT_LINE_CHARS,
    build_xmp,
    encode_image,
)
from colorizer.pipeline.xmp_provenance import provenance_properties
from colorizer.pipeline.xmp_read import read_provenance
from context.types import SceneContext
from tests.album_page_images import album_page_png

PAPER = {"text": "Ялта 1972", "box": [0, 130, 60, 150], "source": "album-page:paper"}
YALTA = {"box": [19, 20, 157, 128], "angle": -3.0, "paper_captions": [PAPER], "context": {
    "era": {"start": 1970, "end": 1975, "confidence": 0.8, "evidence": [
        {"what": "a year written: 1972"}]},
    "captions": [{"text": "Ялта 1972", "source": "album-page:paper"},
                 {"text": "Holidays", "source": "user"}]}}
KAZAN = {"box": [179, 20, 315, 126], "angle": 2.0, "paper_captions": [], "context": {
    "region": {"name": "Kazan", "confidence": 0.7, "evidence": []},
    "captions": [{"text": "https://archive.test/p.jpg?X-Amz-Signature=s3cr3t",
                  "source": "filename"}]}}
# What today's XMP says when its lists do not fit (an ordinary photo's, byte for byte).
OMITTED_BEFORE = ("the captions, context, exemplars and color hints are left out: with them "
                  "this XMP would not fit the file (a JPEG holds 64 KB); the provenance "
                  "record has them")


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)


@pytest.fixture(scope="module")
def page(pipe):
    """The real page split by the real pipeline, its records given contexts and captions."""
    result = pipe(Image.open(io.BytesIO(album_page_png())), caption="Family album")
    assert len(result.settings["album_page"]) == 2
    return dataclasses.replace(result, settings={**result.settings,
                                                 "album_page": [YALTA, KAZAN]})


@pytest.fixture(scope="module")
def ordinary(pipe):
    rng = np.random.default_rng(1)
    gray = Image.fromarray(rng.integers(40, 220, (48, 64), dtype=np.uint8), "L")
    return pipe(gray, caption="Woodward Avenue, 1915")


def _album_lines(xmp: bytes) -> list[str]:
    root = ET.fromstring(xmp.decode("utf-8").split("?>", 1)[1].rsplit("<?xpacket", 1)[0])
    found = next(root.iter(f"{{{CHRONOCHROME_NS}}}AlbumPrints"), None)
    return [] if found is None else [li.text or "" for li in found.iter(
        "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")]


def test_each_print_is_one_line_in_the_iiif_words_with_its_box(page):
    lines = _album_lines(build_xmp(page))
    assert lines[0] == (
        "Print 1 of 2: colorized on its own. Its context: era 1970-1975 (confidence 0.80; "
        "evidence: a year written: 1972). Its caption: \"Holidays\" (user). Written on the "
        "album's paper by it: \"Ялта 1972\". Its box on the page: left 19, top 20, right 157, "
        "bottom 128 (pixels).")
    assert lines[0].startswith(print_description(1, 2, YALTA))  # the IIIF annotation's words
    assert lines[1].startswith("Print 2 of 2: colorized on its own. Its context: region Kazan")
    assert lines[1].endswith("Its box on the page: left 179, top 20, right 315, bottom 126 "
                             "(pixels).")


def test_a_print_s_lines_are_shareable_and_cut_lines_keep_the_box(page):
    whole = _album_lines(build_xmp(page))[1]
    assert "X-Amz-Signature=REDACTED" in whole and "s3cr3t" not in whole
    cut = _album_lines(build_xmp(page, SHORT_LINE_CHARS))
    assert all(len(line) <= SHORT_LINE_CHARS for line in cut)
    assert cut[0].endswith("\u2026 Its box on the page: left 19, top 20, right 157, "
                           "bottom 128 (pixels).")


def test_the_prints_are_left_out_with_the_other_lists_and_the_note_names_them(page):
    properties = provenance_properties(page, 0)
    assert "AlbumPrints" not in properties and "rdf:Seq" not in properties
    assert ("<chronochrome:Omitted>the captions, context, album prints, exemplars and color "
            "hints are left out") in properties


def test_an_ordinary_photo_s_xmp_is_as_before(ordinary):
    assert album_prints(ordinary.settings) == ()
    xmp = build_xmp(ordinary)
    assert _album_lines(xmp) == [] and b"AlbumPrints" not in xmp
    # The lists after the settings, byte for byte as the XMP wrote them before the prints.
    off = "unknown: context inference switched off for this pipeline"
    assert provenance_properties(ordinary).split("</chronochrome:Fingerprint>")[1] == (
        "\n   <chronochrome:Context>\n    <rdf:Seq>" + "".join(
            f"\n     <rdf:li>{field} {off}</rdf:li>"
            for field in ("era", "region", "script", "language", "embedding"))
        + "\n    </rdf:Seq>\n   </chronochrome:Context>")
    assert provenance_properties(ordinary, 0).endswith(
        f"\n   <chronochrome:Omitted>{OMITTED_BEFORE}</chronochrome:Omitted>")


def test_settings_with_a_text_ending_in_a_signed_link_stay_json(pipe, page):
    gray = Image.fromarray(np.full((40, 50), 120, np.uint8), "L")
    linked = pipe(gray, caption="https://archive.test/a.jpg?token=abc")
    # The token went with the caption's closing quote: the file's settings did not parse.
    found = read_provenance(encode_image(linked, "png"))
    assert found["settings"]["caption"] == "https://archive.test/a.jpg?token=REDACTED"
    records = read_provenance(encode_image(page, "png"))["settings"]["album_page"]
    assert records[1]["context"]["captions"][0]["text"] == (
        "https://archive.test/p.jpg?X-Amz-Signature=REDACTED")


def _check(size: tuple[int, int]) -> CheckReport:
    return CheckReport((), SceneContext.empty("test"), (), None, size, None,
                       {"model": {"name": "m", "version": "v", "sha256": "0" * 8}})


def test_the_report_lists_each_print_with_its_box_context_and_captions(page, ordinary):
    html = report_html(_check(page.image.size), page.image, result=page, name="page.png")
    assert "<h2>Album page: 2 prints, each colorized on its own</h2>" in html
    section = html.split("<h2>Album page")[1].split("</section>")[0]
    assert "<td>1 of 2</td><td>19, 20, 157, 128</td>" in section
    assert "era 1970-1975 (confidence 0.80; evidence: a year written: 1972)" in section
    assert "<li>Holidays <small>(user)</small></li>" in section
    assert "<td><ul><li>Ялта 1972</li></ul></td>" in section  # written on the paper
    assert "<td>2 of 2</td><td>179, 20, 315, 126</td><td>region Kazan" in section
    plain = report_html(_check(ordinary.image.size), ordinary.image, result=ordinary)
    assert "Album page" not in plain and "colorized on its own" not in plain


def test_the_file_alone_gives_the_report_its_prints(page, tmp_path):
    path = tmp_path / "page.png"
    path.write_bytes(encode_image(page, "png"))
    first, second = recorded_prints(path)
    assert first == album_prints(page.settings)[0]
    assert second.box == (179, 20, 315, 126)  # its file-name caption as the XMP shares it
    assert second.captions[0].text == "https://archive.test/p.jpg?X-Amz-Signature=REDACTED"
    html = report_html(_check(page.image.size), page.image, prints=recorded_prints(path))
    assert "Album page: 2 prints, each colorized on its own" in html


def _png_with_settings(path, settings: object, system: str = AI_SYSTEM) -> None:
    packet = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
              f'02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://'
              f'iptc.org/std/Iptc4xmpExt/2008-02-29/" xmlns:chronochrome="{CHRONOCHROME_NS}">'
              f"<Iptc4xmpExt:AISystemUsed>{system}</Iptc4xmpExt:AISystemUsed>"
              f"<chronochrome:Settings>{json.dumps(settings)}</chronochrome:Settings>"
              "</rdf:Description></rdf:RDF></x:xmpmeta>")
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", packet, zip=False)
    Image.new("RGB", (8, 8)).save(path, pnginfo=info)


def test_a_file_not_ours_or_with_a_broken_record_gives_no_section(tmp_path):
    cases = {"other-tool.png": ({"album_page": [YALTA, KAZAN]}, "SomeOtherTool"),
             "broken.png": ({"album_page": [{"context": {"era": {"start": 1950}}}]}, AI_SYSTEM),
             "odd.png": ({"album_page": "two prints"}, AI_SYSTEM)}
    for name, (settings, system) in cases.items():
        _png_with_settings(tmp_path / name, settings, system)
        assert recorded_prints(tmp_path / name) == (), name
    Image.new("RGB", (8, 8)).save(tmp_path / "plain.png")
    assert recorded_prints(tmp_path / "plain.png") == ()
    # a record that is not an object is left out; the others are numbered among themselves
    kept = album_prints({"album_page": [7, {"box": [1, 2, 3, 4]}]})
    assert [(p.number, p.count, p.box) for p in kept] == [(1, 1, (1, 2, 3, 4))]
