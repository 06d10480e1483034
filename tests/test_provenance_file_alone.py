"""What a historian who gets only the colorized file can read from it: that it is a
colorization, by which model (its full hash), with which captions, context and evidence,
exemplars with their licences, color hints with their sources and settings; that it holds
nothing of the machine that made it; and that its XMP parses and fits a JPEG."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from xml.parsers import expat

import numpy as np
import pytest
from PIL import Image

from colorizer import Box, ColorHint, Point, ReferenceHint
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.provenance import DIGITAL_SOURCE_TYPE, encode_image, provenance_record
from colorizer.pipeline.xmp_read import read_provenance, xmp_packet
from context.types import SceneContext
from retrieval.types import Exemplar, RetrievedExemplar

FLAG_SOURCE = "https://en.wikipedia.org/wiki/Flag_of_the_United_States"
LICENCE = "Apache-2.0 (test record)"
CONTEXT = {
    "era": {"start": 1915, "end": 1915, "confidence": 0.9, "source": "hint",
            "evidence": [{"source": "hint", "what": 'year "1915" in hint', "score": 0.9}]},
    "region": {"name": "Detroit, United States", "wikidata": "Q12439", "iso": "US",
               "confidence": 0.92, "source": "hint",
               "evidence": [{"source": "hint", "what": 'place "Detroit" in hint',
                             "score": 0.9}]},
    "script": None, "language": None, "text": [], "scene": [], "conflicts": [],
    "description": "A photograph from 1915 in Detroit, United States.", "embedding": None,
}


def _gray(size=(64, 48)) -> Image.Image:
    pixels = (np.arange(size[0] * size[1]) % 251).astype(np.uint8).reshape(size[::-1])
    return Image.fromarray(pixels, "L")


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights, tmp_path_factory):
    """The tiny model with a context encoder and a retriever that answer as the real ones do."""
    folder = tmp_path_factory.mktemp("flag")
    Image.new("RGB", (32, 32), (178, 34, 52)).save(folder / "flag.png")
    flag = Exemplar("us_flag_48", "flag", "Flag of the United States (48 stars)", 1912, 1959,
                    (), (), FLAG_SOURCE, LICENCE, str(folder / "flag.png"))
    tiny = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    return ColorizationPipeline(
        tiny.generator, tiny.model_info, tiny.config, "cpu",
        context_fn=lambda gray, hints, captions: replace(SceneContext.from_dict(CONTEXT),
                                                         captions=tuple(captions)),
        exemplar_fn=lambda context, gray, hints: [
            RetrievedExemplar(flag, 0.59, {}, (), str(folder / "flag.png"))],
        decoding=tiny.saved_decoding)


@pytest.fixture(scope="module")
def result(pipe, tmp_path_factory):
    # A reference photo under a folder that names its owner, as a home folder does.
    private = tmp_path_factory.mktemp("home") / "alice" / "private"
    private.mkdir(parents=True)
    Image.new("RGB", (16, 16), (20, 60, 160)).save(private / "swatch.png")
    hints = [ColorHint(Point(10, 10), "#b22222", source="Detroit Free Press, 2 May 1915"),
             ReferenceHint(Box(30, 20, 60, 44), str(private / "swatch.png"),
                           source="museum swatch", name=str(private / "swatch.png"))]
    return pipe(_gray(), hints="Detroit 1915", caption="Woodward Avenue, 1915",
                color_hints=hints)


@pytest.mark.parametrize("fmt", ["png", "jpg", "tif"])
def test_the_file_alone_says_model_settings_context_exemplars_and_hints(result, fmt):
    data = encode_image(result, fmt)
    found = read_provenance(data)
    assert found["digital_source_type"] == DIGITAL_SOURCE_TYPE
    # The weights by their full hash (the IPTC version string gives 16 characters of it).
    assert found["model"] == {"name": result.model.name, "version": result.model.version,
                              "sha256": result.model.sha256}
    assert len(found["model"]["sha256"]) == 64
    # Every setting, as the JSON object the result holds: a program can run it again.
    assert found["settings"] == json.loads(json.dumps(result.settings))
    assert found["fingerprint"] == result.settings["fingerprint"]
    assert found["captions"] == ["user: Woodward Avenue, 1915"]
    assert found["context"][0] == ('era 1915-1915; confidence 0.90, from hint; evidence: '
                                   'year "1915" in hint (0.90)')
    assert found["context"][1].startswith("region Detroit, United States (wikidata Q12439, "
                                          "iso US); confidence 0.92, from hint")
    flag = next(line for line in found["exemplars"] if line.startswith("us_flag_48"))
    assert f"source: {FLAG_SOURCE}" in flag and f"licence: {LICENCE}" in flag
    assert found["color_hints"][0].startswith("user hint (point 10,10): #b22222; source: "
                                              "Detroit Free Press, 2 May 1915")
    assert "source: museum swatch" in found["color_hints"][1]
    # The model in the History, which ExifTool's -tagsFromFile copies when it drops the rest.
    derived = next(e for e in found["history"] if e["action"] == "derived")
    assert derived["parameters"].endswith(f"(model {result.model.name} {result.model.version}"
                                          f", weights sha256 {result.model.sha256}; hint: "
                                          "Detroit 1915)")


def test_the_hints_in_the_file_are_a_hints_file_that_gives_the_same_colors(pipe, result,
                                                                           tmp_path):
    from colorizer.pipeline.hint_json import hints_from_json

    hints = json.loads(_chronochrome(encode_image(result, "png"), "ColorHintsJSON"))
    assert hints == [
        {"point": [10.0, 10.0], "color": "#b22222", "source": "Detroit Free Press, 2 May 1915"},
        {"box": [30.0, 20.0, 60.0, 44.0], "reference": "swatch.png", "source": "museum swatch"}]
    Image.new("RGB", (16, 16), (20, 60, 160)).save(tmp_path / "swatch.png")
    settings = read_provenance(encode_image(result, "png"))["settings"]
    again = pipe(_gray(), hints=settings["hints"], caption=settings["caption"],
                 color_hints=hints_from_json(hints, base_dir=tmp_path))
    assert again.image.tobytes() == result.image.tobytes()


def test_no_local_path_or_user_name_in_the_file_or_the_record(result):
    data = encode_image(result, "jpg")
    packet = xmp_packet(data).decode("utf-8")
    assert "alice" not in packet and "private" not in packet
    assert "the colors of swatch.png" in packet
    record = json.dumps(provenance_record(result, output=data, output_format="jpg"))
    assert "alice" not in record and "swatch.png" in record


def test_a_signed_link_token_does_not_reach_the_record(result):
    url = "https://archive.example/scan.jpg?X-Amz-Signature=abc123&token=s3cr3t&author=Bob"
    record = provenance_record(result, source={"kind": "url", "url": url, "name": url})
    text = json.dumps(record)
    assert "abc123" not in text and "s3cr3t" not in text
    assert record["source"]["url"] == ("https://archive.example/scan.jpg?X-Amz-Signature="
                                       "REDACTED&token=REDACTED&author=Bob")


def test_the_record_names_the_captions_it_read(pipe, tmp_path):
    path = tmp_path / "Detroit_1915.png"
    _gray().save(path)
    record = provenance_record(pipe(path))
    assert record["prompt"]["caption"] is None  # the caller gave none...
    assert record["prompt"]["captions"] == [{"text": "Detroit_1915.png", "source": "filename"}]
    assert record["source"]["name"] == "Detroit_1915.png"  # not the folders it was in


def test_a_hint_with_a_control_character_leaves_the_xmp_well_formed(pipe):
    data = encode_image(pipe(_gray(), hints="Kazan\x01 1950"), "png")
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.Parse(xmp_packet(data), True)  # strict XML: raises on a character XML forbids
    assert read_provenance(data)["hint"] == "Kazan 1950"


def test_64_hints_citing_long_sources_still_give_a_jpeg(pipe):
    hints = [ColorHint(Point(2 + (i % 8) * 7, 2 + (i // 8) * 5), "#b22222", source="S" * 1000)
             for i in range(64)]
    data = encode_image(pipe(_gray(), color_hints=hints), "jpg")  # was "XMP data is too long"
    found = read_provenance(data)
    assert found["digital_source_type"] == DIGITAL_SOURCE_TYPE
    assert found["model"]["sha256"] and found["settings"]["temperature"] is not None
    assert len(found["color_hints"]) == 64 and all(len(h) <= 160 for h in found["color_hints"])
    with Image.open(io.BytesIO(encode_image(pipe(_gray(), color_hints=hints), "png"))) as png:
        assert "S" * 1000 in png.info["XML:com.adobe.xmp"]  # PNG keeps every word


def _chronochrome(data: bytes, name: str) -> str:
    from colorizer.pipeline.xmp_parse import parse_xmp

    root = parse_xmp(xmp_packet(data))
    return next(root.iter(f"{{https://chronochrome.dev/ns/xmp/1.0/}}{name}")).text


def test_a_recolored_colorization_claims_none_of_the_first_runs_hints(pipe, result):
    # A colorized file colorized again, with no hint: the first run's prompt, hints and
    # captions stayed in the XMP (only the properties the second run wrote were replaced).
    again = pipe(encode_image(result, "png"))
    found = read_provenance(encode_image(again, "png"))
    assert found["hint"] is None and found["settings"]["hints"] is None
    assert found["color_hints"] == [] and found["color_sources"] == []
    assert found["captions"] == []
    assert "ColorHintsJSON" not in xmp_packet(encode_image(again, "png")).decode()
    # The first colorization is still on record, in the History.
    assert [e["action"] for e in found["history"]] == ["derived", "saved", "derived", "saved"]


def test_a_file_name_that_is_not_utf8_is_written_as_a_caption_that_is(pipe, tmp_path):
    # Python holds a Latin-1 name's byte as a lone surrogate, which UTF-8 cannot encode: the
    # file-name caption in the XMP would fail the photo's output.
    import os

    path = tmp_path / os.fsdecode(b"caf\xe9_1915.png")
    _gray().save(path)
    found = read_provenance(encode_image(pipe(path), "png"))
    assert found["captions"] == ["filename: caf\ufffd_1915.png"]


def test_a_hint_typed_in_a_latin1_terminal_is_written_not_lost(pipe):
    # `--hint` from a terminal that is not UTF-8 reaches Python with a lone surrogate: the
    # packet failed to encode (UnicodeEncodeError) and the photo with it.
    data = encode_image(pipe(_gray(), hints="Kaz\udce9n 1950"), "jpg")
    assert read_provenance(data)["hint"] == "Kaz\ufffdn 1950"
