"""The date and place a collection's record gives reach the context, each naming its field:
a CSV list's `date`, `year`, `place`, `location` columns, and a IIIF manifest's `navDate`,
date and place `metadata` pairs and `summary` (Presentation 3 and 2), served locally; a
"Date digitized" or a "Physical Location" (the shelf) is not read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.cli import main
from colorizer.apps.collection_inputs import csv_sources, manifest_sources
from colorizer.pipeline.captions import photo_captions
from colorizer.pipeline.imageio import load_image
from context import Caption, ContextConfig, ContextEncoder


def _photo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.tile(np.linspace(40, 220, 56, dtype=np.uint8), (40, 1))).save(path)
    return path


@pytest.fixture(scope="module")
def bare_context_fn():
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    return lambda image, hints, captions: encoder(image, hint=hints, captions=captions)


def _colorize(inputs: list[str], out: Path, weights: Path, context_fn, monkeypatch,
              capsys) -> tuple[dict[str, dict], str]:
    """`chronochrome colorize INPUTS -o OUT --report` with the context encoder without OCR;
    the reports' contexts by output stem, and what was printed on stderr."""
    from colorizer.pipeline import pretrained  # where from_pretrained builds them

    monkeypatch.setattr(pretrained, "default_components",
                        lambda *args, **kwargs: (context_fn, None, None))
    args = ["colorize", *inputs, "-o", str(out), "--weights", str(weights), "--device", "cpu",
            "--render-size", "64", "--report", "--trust-host", "127.0.0.1"]
    assert main(args) == 0
    reports = {p.stem: json.loads(p.read_text())["context"] for p in out.glob("*.json")
               if not p.name.startswith(".")}  # not the folder's manifest
    return reports, capsys.readouterr().err


def _origins(part: dict) -> set[str]:
    return {e["origin"] for e in part["evidence"] if e.get("origin")}


def test_csv_date_and_place_columns_reach_the_context(tiny_weights, bare_context_fn, tmp_path,
                                                      monkeypatch, capsys):
    _photo(tmp_path / "list" / "street.png")
    _photo(tmp_path / "list" / "square.png")
    (tmp_path / "list" / "photos.csv").write_text(
        "path,caption,date,place\n"
        "street.png,,[ca. 1950],Kazan\n"
        "square.png,Main square,1912,Moscow\n")
    reports, err = _colorize([str(tmp_path / "list" / "photos.csv")], tmp_path / "out",
                             tiny_weights, bare_context_fn, monkeypatch, capsys)
    street = reports["street"]
    assert (street["era"]["start"], street["era"]["end"]) == (1945, 1955)  # None before
    assert _origins(street["era"]) == {"csv:date"}
    assert street["region"]["name"] == "Kazan, Tatar ASSR, USSR"
    assert "csv:place" in _origins(street["region"])
    # without a caption column, the file's own captions are read too (its name here)
    assert [c["source"] for c in street["captions"]] == ["csv:date", "csv:place", "filename"]
    square = reports["square"]
    assert [(c["source"], c["text"]) for c in square["captions"]] == [
        ("user", "Main square"), ("csv:date", "1912"), ("csv:place", "Moscow")]
    assert square["era"]["start"] == 1912 and "Russian Empire" in square["region"]["name"]
    assert "caption (csv:date): [ca. 1950]" in err


def test_a_csv_with_only_a_caption_column_is_as_before(tmp_path):
    _photo(tmp_path / "a.png")
    (tmp_path / "photos.csv").write_text("path,caption\na.png,Kazan 1950\n")
    (source,) = csv_sources(tmp_path / "photos.csv")
    assert source.caption == "Kazan 1950" and type(source.caption) is str
    captions = photo_captions(load_image(tmp_path / "a.png"), source.caption).captions
    assert captions == (Caption("Kazan 1950", "user"),)


def _canvas(base: str, n: int, extra: dict) -> dict:
    cid = f"{base}/canvas/{n}"
    return {"id": cid, "type": "Canvas", "width": 56, "height": 40,
            "label": {"en": [f"Street {n}"]}, **extra,
            "items": [{"id": f"{cid}/page", "type": "AnnotationPage", "items": [{
                "id": f"{cid}/anno", "type": "Annotation", "motivation": "painting",
                "target": cid, "body": {"id": f"{base}/one.png", "type": "Image",
                                        "format": "image/png"}}]}]}


def _manifest_v3(base: str) -> dict:
    return {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": f"{base}/manifest.json", "type": "Manifest", "label": {"en": ["Album"]},
        "summary": {"en": ["Street life in <b>Kazan</b>, for the city archive."]},
        "navDate": "1957-06-01T00:00:00Z",
        "metadata": [
            {"label": {"en": ["Datum"]}, "value": {"none": ["1957-06"]}},
            {"label": {"en": ["Date digitized"]}, "value": {"none": ["2019-03-04"]}},
            {"label": {"en": ["Physical Location"]},
             "value": {"en": ["Prints and Photographs Division, Washington, D.C."]}}],
        "items": [_canvas(base, 1, {}),
                  _canvas(base, 2, {"navDate": "1912-01-01T00:00:00Z", "metadata": [
                      {"label": {"de": ["Ort"]}, "value": {"de": ["Moskau; Moscow"]}}]})]}


def test_iiif_navdate_metadata_and_summary_reach_the_context(
        tiny_weights, bare_context_fn, tmp_path, monkeypatch, capsys, web):
    folder, base = web
    _photo(folder / "one.png")
    (folder / "manifest.json").write_text(json.dumps(_manifest_v3(base)))
    reports, err = _colorize([f"{base}/manifest.json"], tmp_path / "out", tiny_weights,
                             bare_context_fn, monkeypatch, capsys)
    one = reports["Street 1"]  # the manifest's record: its navDate and "Datum", June 1957
    assert (one["era"]["start"], one["era"]["end"], one["era"]["month"]) == (1957, 1957, 6)
    assert _origins(one["era"]) == {"iiif:manifest:navDate", "iiif:manifest:metadata:Datum"}
    assert "Kazan" in one["region"]["name"]
    assert _origins(one["region"]) == {"iiif:manifest:summary"}
    texts = " ".join(c["text"] for c in one["captions"])
    assert "2019" not in texts and "Washington" not in texts  # the scan's date, the shelf
    two = reports["Street 2"]  # its own navDate and place come first; the manifest's others
    assert [c["source"] for c in two["captions"]] == [
        "iiif:label", "iiif:navDate", "iiif:metadata:Ort", "iiif:manifest:metadata:Datum",
        "iiif:manifest:summary"]
    assert "caption (iiif:navDate): 1912-01-01T00:00:00Z" in err


def test_a_presentation_2_manifest_s_navdate_metadata_and_description(tmp_path):
    base = "https://iiif.example.org"
    manifest = {
        "@context": "http://iiif.io/api/presentation/2/context.json", "@type": "sc:Manifest",
        "@id": f"{base}/m.json", "label": "Postcard", "description": "Nevsky Prospekt",
        "navDate": "1910-01-01T00:00:00Z",
        "metadata": [{"label": "Date", "value": "[ca. 1910]"},
                     {"label": [{"@value": "Place", "@language": "en"}],
                      "value": [{"@value": "<a href='x'>Saint Petersburg</a>"}]},
                     {"label": "Shelfmark", "value": "1950/123"}],
        "sequences": [{"canvases": [{"@id": f"{base}/c1", "label": "Recto",
                                     "images": [{"resource": {"@id": f"{base}/r.jpg"}}]}]}]}
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    (source,) = manifest_sources(str(tmp_path / "m.json"))
    assert [(c.source, c.text) for c in source.caption.fields] == [
        ("iiif:label", "Recto"), ("iiif:manifest:navDate", "1910-01-01T00:00:00Z"),
        ("iiif:manifest:metadata:Date", "[ca. 1910]"),
        ("iiif:manifest:metadata:Place", "Saint Petersburg"),
        ("iiif:manifest:summary", "Nevsky Prospekt")]
