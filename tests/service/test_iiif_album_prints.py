"""A split album page's prints in the job's IIIF manifest: one 'describing' annotation per
print on its box (`#xywh=`, scaled to the canvas), saying it was colorized on its own, with
its context and captions; an unsplit page or an ordinary photo gets none (iiif_prints.py)."""

from __future__ import annotations

import functools
import io
import json
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from service_helpers import gray_png, make_service, serve_one_canvas_manifest

from colorizer.apps.service import manifest_stream
from colorizer.apps.service.iiif import build_manifest, presentation3_errors, result_canvas
from colorizer.apps.service.iiif_prints import album_prints_page, print_description
from colorizer.apps.service.job_pages import Page, job_page
from tests.album_page_images import album_page_png

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _submit(service, items, images):
    files = [("file", (f"{n}.png", image, "image/png")) for n, image in enumerate(images)]
    response = service.client.post("/v1/jobs", headers=service.headers(), files=files,
                                   data={"request": json.dumps({"items": items})})
    assert response.status_code == 202, response.text
    assert service.drain() == len(items)
    return response.headers["location"]


def _get(service, url):
    return service.client.get(url, headers=service.headers())


def _records(service, location):
    job = _get(service, location).json()
    return {item["index"]: _get(service, item["provenance_url"]).json()
            for item in job["items"]}


def _pages(canvas):
    return {page["id"].rsplit("/", 1)[1]: page for page in canvas["annotations"]}


def _xywh(target):
    return [int(v) for v in target.split("#xywh=")[1].split(",")]


def _unsigned(document):
    """The manifest's JSON without its links' signatures (their expiry is the clock's)."""
    return re.sub(r"\?kid=[^\"]*", "", json.dumps(document, ensure_ascii=False))


@pytest.mark.slow
def test_a_split_page_s_canvas_describes_each_print_on_its_box(service):
    page = album_page_png()
    location = _submit(service, [{"upload": 0}, {"upload": 0, "split_page": False},
                                 {"upload": 1}], [page, gray_png()])
    manifest = _get(service, f"{location}/manifest").json()
    assert presentation3_errors(manifest) == []
    split, whole, ordinary = manifest["items"]
    records = _records(service, location)
    boxes = [p["box"] for p in records[0]["settings"]["album_page"]]
    assert len(boxes) == 2
    prints = _pages(split)["album-prints"]
    assert prints["id"] == f"{split['id']}/page/album-prints"
    assert [a["id"] for a in prints["items"]] == [
        f"{split['id']}/annotation/album-print-{n}" for n in (1, 2)]
    for number, (annotation, box) in enumerate(zip(prints["items"], boxes), start=1):
        assert annotation["motivation"] == "describing"
        assert annotation["body"]["value"] == (
            f"Print {number} of 2: colorized on its own. No context was inferred for it.")
        assert annotation["body"]["language"] == "en"
        # the canvas is the pixels read: the record's box itself, inside the canvas
        x, y, w, h = _xywh(annotation["target"])
        assert [x, y, x + w, y + h] == box
        assert x >= 0 and y >= 0 and x + w <= split["width"] and y + h <= split["height"]
    # The same page colorized whole, and an ordinary photo, have their notes only.
    for canvas in (whole, ordinary):
        assert list(_pages(canvas)) == ["assessing"]
        assert "album-print" not in json.dumps(canvas)


@pytest.mark.slow
def test_the_streamed_manifest_is_the_whole_one_and_adds_only_the_prints(service, monkeypatch):
    location = _submit(service, [{"upload": 0}, {"upload": 1}, {"upload": 0}],
                       [album_page_png(), gray_png()])
    streamed = _get(service, f"{location}/manifest").json()
    # one item per page of the stream: the canvases are joined across its pages alike
    monkeypatch.setattr(manifest_stream, "done_items",
                        functools.partial(manifest_stream.done_items, limit=1))
    paged = _get(service, f"{location}/manifest").json()
    job_id = location.rsplit("/", 1)[1]
    key_id = service.store.connection().execute(
        "SELECT key_id FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]
    job = job_page(service.store, key_id, job_id, Page(0, 100))
    records = _records(service, location)
    base = streamed["id"].split("/v1/jobs/")[0]
    whole = build_manifest(job, base, records)
    assert _unsigned(streamed) == _unsigned(paged) == _unsigned(whole)
    assert [len(c["annotations"]) for c in whole["items"]] == [2, 1, 2]
    # Without its album record, a split item's canvas is exactly as before, less the page.
    split = records[0]
    settings = {k: v for k, v in split["settings"].items() if k != "album_page"}
    before = result_canvas(f"{base}/v1/jobs/{job_id}", job["items"][0],
                           {**split, "settings": settings}, job["format"], str)
    after = whole["items"][0]
    assert after["annotations"][-1]["id"].endswith("/page/album-prints")
    assert json.dumps(before) == json.dumps({**after, "annotations": after["annotations"][:-1]})


def _serve_page_at_double_size(http_server):
    """A IIIF canvas of 640 x 300 whose image service gives the 320 x 150 album page."""
    base = http_server.url("/iiif/page")
    info = {"@context": "http://iiif.io/api/image/3/context.json", "id": base,
            "type": "ImageService3", "protocol": "http://iiif.io/api/image",
            "profile": "level1", "width": 640, "height": 300, "maxWidth": 320}
    buffer = io.BytesIO()
    Image.open(io.BytesIO(album_page_png())).save(buffer, format="JPEG", quality=95)
    http_server.routes["/iiif/page/info.json"] = (
        200, {"Content-Type": "application/ld+json"}, json.dumps(info).encode())
    http_server.routes["/iiif/page/full/320,150/0/default.jpg"] = (
        200, {"Content-Type": "image/jpeg"}, buffer.getvalue())
    serve_one_canvas_manifest(http_server, base, "Family album", (640, 300))


@pytest.mark.slow
def test_the_prints_boxes_are_scaled_to_a_source_canvas_bigger_than_the_pixels_read(
        service, http_server):
    _serve_page_at_double_size(http_server)
    response = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"iiif_manifest": http_server.url("/manifest.json")}]})
    assert response.status_code == 202, response.text
    assert service.drain() == 1
    location = response.headers["location"]
    manifest = _get(service, f"{location}/manifest").json()
    assert presentation3_errors(manifest) == []
    canvas = manifest["items"][0]
    assert (canvas["width"], canvas["height"]) == (640, 300)
    record = _records(service, location)[0]
    assert record["source"]["size"][:2] == [320, 150]
    boxes = [p["box"] for p in record["settings"]["album_page"]]
    targets = [a["target"] for a in _pages(canvas)["album-prints"]["items"]]
    assert len(boxes) == len(targets) == 2
    for target, box in zip(targets, boxes):
        x, y, w, h = _xywh(target)
        assert [x, y, x + w, y + h] == [2 * v for v in box]
        assert x + w <= 640 and y + h <= 300


def _captioned_page() -> bytes:
    """Cream paper with two prints, "Казань 1956" written under the first, none by the
    second (as tests/test_album_page_captions.py's page, which its OCR reads)."""
    rng = np.random.default_rng(0)
    page = Image.new("L", (380, 240), 232)
    draw, font = ImageDraw.Draw(page), ImageFont.truetype(FONT, 18)
    for left in (20, 200):
        tiny = (rng.uniform(0, 1, (12, 16)) * 180 + 20).astype(np.uint8)
        page.paste(Image.fromarray(tiny).resize((160, 120), Image.BILINEAR), (left, 40))
    draw.text((25, 172), "Казань 1956", font=font, fill=30)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def reading_service(tmp_path, shared_tiny_weights):
    """The service on the tiny generator with the real context encoder reading writing."""
    from colorizer.pipeline.colorization import ColorizationPipeline
    from context import ContextConfig, ContextEncoder

    encoder = ContextEncoder.from_default(ContextConfig(embed=False))
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    pipe.context_fn = lambda image, hints, captions: encoder(image, hint=hints, captions=captions)
    yield from make_service(tmp_path, pipe)


@pytest.mark.slow  # the paper and each print read by OCR
def test_each_print_s_note_gives_its_context_its_caption_and_the_paper_s_writing(
        reading_service):
    service = reading_service
    location = _submit(service, [{"upload": 0, "caption": "Family album"}], [_captioned_page()])
    manifest = _get(service, f"{location}/manifest").json()
    assert presentation3_errors(manifest) == []
    first, second = (a["body"]["value"]
                     for a in _pages(manifest["items"][0])["album-prints"]["items"])
    assert first.startswith("Print 1 of 2: colorized on its own. Its context: era 1956-1956")
    assert "region Kazan" in first
    assert 'Its caption: "Family album" (user).' in first
    assert first.endswith('Written on the album\'s paper by it: "Казань 1956".')
    assert second.startswith("Print 2 of 2: colorized on its own.")
    assert "Казань" not in second and "written" not in second.lower()


def test_a_print_s_note_names_each_caption_once_and_its_box_stays_on_the_canvas():
    paper = {"text": "Ялта 1972", "box": [0, 130, 60, 150], "source": "album-page:paper"}
    record = {"box": [300, 100, 321, 151], "paper_captions": [paper], "context": {
        "era": {"start": 1970, "end": 1975, "confidence": 0.8, "evidence": [
            {"what": "a year written: 1972"}]},
        "captions": [{"text": "Ялта 1972", "source": "album-page:paper"},
                     {"text": "Holidays", "source": "user"},
                     {"text": "IMG_0042", "source": "filename"}]}}
    assert print_description(3, 4, record) == (
        "Print 3 of 4: colorized on its own. Its context: era 1970-1975 (confidence 0.80; "
        "evidence: a year written: 1972). Its captions: \"Holidays\" (user); \"IMG_0042\" "
        "(filename). Written on the album's paper by it: \"Ялта 1972\".")
    page = album_prints_page("https://s.test/c/0", [record, {"box": None}], (1.0, 1.0),
                             (320, 150))
    # a box past the page's edge (a rounding) is cut at the canvas; no box: the whole canvas
    assert [a["target"] for a in page["items"]] == [
        "https://s.test/c/0#xywh=300,100,20,50", "https://s.test/c/0"]
    assert page["items"][1]["body"]["value"].startswith("Print 2 of 2: colorized on its own.")
