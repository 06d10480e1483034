"""A multilingual archive's IIIF manifest (labels and summaries in de, fr, ru, en and "none")
colorized through the HTTP API, as its developer would: the service served by uvicorn over
real HTTP with its own worker, the manifest and Image API services on a local HTTP server.

The colorized manifest must speak the archive's languages: " (colorized)" was appended in
English inside every language of the label, the canvas's summary and date and place metadata
were written as "none" (their languages lost), the manifest's own navDate and summary were
dropped, and a canvas with two painting images or a Choice was colorized in part without a
word.
"""

from __future__ import annotations

import io
import json

import httpx
import numpy as np
import pytest
from PIL import Image

from colorizer.apps.service.iiif import presentation3_errors
from colorizer.apps.service.iiif_languages import colorized_label
from tests.service.archive_service import image_service, run_job, tiny_service
from tests.service.service_helpers import LocalServer

P3 = "http://iiif.io/api/presentation/3/context.json"
LABEL = {"de": ["Alte Ansichten"], "fr": ["Vues anciennes"], "ru": ["Старые виды"],
         "en": ["Old views"]}
SUMMARY = {"de": ["Ansichten der Altstadt"], "none": ["Stadtarchiv, Fotosammlung 12"]}
CANVAS_SUMMARY = {"de": ["Der Marktplatz, um 1925."], "fr": ["La place du marché, vers 1925."]}
DATE = {"label": {"de": ["Datum"], "en": ["Date"]}, "value": {"none": ["1925"]}}
PLACE = {"label": {"de": ["Ort"], "fr": ["Lieu"]}, "value": {"de": ["Köln"], "fr": ["Cologne"]}}


def _color_jpeg(width: int, height: int) -> bytes:
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, : width // 2] = (200, 40, 40)
    rgb[:, width // 2:] = (40, 60, 190)
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=95)
    return out.getvalue()


def _canvas(archive: LocalServer, n: int, bodies: list[dict], **described: object) -> dict:
    """A canvas painting each of `bodies` with an annotation of its own."""
    cid = archive.url(f"/canvas/{n}")
    return {"id": cid, "type": "Canvas", "width": 48, "height": 32,
            "label": {"de": [f"Bild {n}"], "fr": [f"Image {n}"]}, **described,
            "items": [{"id": f"{cid}/page", "type": "AnnotationPage", "items": [{
                "id": f"{cid}/anno/{k}", "type": "Annotation", "motivation": "painting",
                "target": cid, "body": body} for k, body in enumerate(bodies)]}]}


def _publish(archive: LocalServer) -> str:
    """The archive's manifest: a described canvas, a canvas painting two images, a Choice."""
    described = _canvas(archive, 0, [image_service(archive, "markt", 1)], summary=CANVAS_SUMMARY,
                        navDate="1925-06-01T00:00:00Z", metadata=[DATE, PLACE])
    two = _canvas(archive, 1, [image_service(archive, "left", 2), image_service(archive, "right", 3)])
    # a color photo: the loader's own note ("color input reduced to luminance") comes too
    archive.routes["/iiif/left/full/max/0/default.jpg"] = (
        200, {"Content-Type": "image/jpeg"}, _color_jpeg(48, 32))
    choice = _canvas(archive, 2, [{"type": "Choice", "items": [
        image_service(archive, "natural", 4), image_service(archive, "infrared", 5)]}])
    url = archive.url("/manifest.json")
    manifest = {"@context": P3, "id": url, "type": "Manifest", "label": LABEL,
                "summary": SUMMARY, "navDate": "1925-01-01T00:00:00Z",
                "items": [described, two, choice]}
    archive.routes["/manifest.json"] = (200, {"Content-Type": "application/ld+json"},
                                        json.dumps(manifest).encode())
    return url


@pytest.fixture(scope="module")
def languages_job(shared_tiny_weights, tmp_path_factory):
    """The manifest submitted once over HTTP and colorized: (auth, job, manifest, archive)."""
    archive = LocalServer()
    try:
        manifest_url = _publish(archive)
        with tiny_service(shared_tiny_weights, tmp_path_factory.mktemp("iiif-languages") / "svc",
                          "stadtarchiv") as (base, auth):
            job = run_job(base, auth, [{"iiif_manifest": manifest_url}])
            assert job["state"] == "succeeded", [item.get("error") for item in job["items"]]
            got = httpx.get(job["links"]["manifest"], headers=auth, timeout=60)
            assert got.status_code == 200
            yield auth, job, got.json(), archive
    finally:
        archive.close()


@pytest.mark.slow  # a served app fetching and colorizing three canvases: ~5 s
def test_the_label_says_colorized_in_each_of_its_languages(languages_job):
    _, _, manifest, _ = languages_job
    assert presentation3_errors(manifest) == []
    # It was "Alte Ansichten (colorized)", "Vues anciennes (colorized)", ...
    assert manifest["label"] == {"de": ["Alte Ansichten (koloriert)"],
                                 "fr": ["Vues anciennes (colorisé)"],
                                 "ru": ["Старые виды (раскрашено)"],
                                 "en": ["Old views (colorized)"]}
    summary = manifest["summary"]
    assert summary["de"][-1].startswith("Jede Leinwand zeigt zuerst das Originalfoto")
    assert summary["fr"][-1].startswith("Chaque canevas présente d'abord")
    assert summary["ru"][-1].startswith("На каждом холсте сначала")
    assert summary["en"][-1].startswith("Each canvas offers the original photograph first")


@pytest.mark.slow
def test_the_manifests_own_navdate_and_summary_are_carried(languages_job):
    _, _, manifest, _ = languages_job
    assert manifest["navDate"] == "1925-01-01T00:00:00Z"
    # the archive's summary first; its "none" text opens every language's entry
    assert manifest["summary"]["de"][:2] == ["Stadtarchiv, Fotosammlung 12",
                                             "Ansichten der Altstadt"]
    assert manifest["summary"]["en"][0] == "Stadtarchiv, Fotosammlung 12"
    assert manifest["summary"]["none"] == ["Stadtarchiv, Fotosammlung 12"]


@pytest.mark.slow
def test_the_canvas_keeps_its_summary_and_metadata_in_their_languages(languages_job):
    _, _, manifest, archive = languages_job
    canvas = manifest["items"][0]
    assert canvas["navDate"] == "1925-06-01T00:00:00Z"
    # They were {"none": ["Der Marktplatz, um 1925."]}, {"none": ["Datum"]}, {"none": ["Köln"]}
    assert canvas["summary"] == CANVAS_SUMMARY
    assert canvas["metadata"] == [
        {"label": {"none": ["Source canvas"]}, "value": {"none": [archive.url("/canvas/0")]}},
        DATE, PLACE]


@pytest.mark.slow
def test_a_canvas_colorized_in_part_says_so_in_its_view_record_and_canvas(languages_job):
    auth, job, manifest, archive = languages_job
    expected = {
        1: "the canvas paints 2 images: only the first "
           f"({archive.url('/iiif/left/full/max/0/default.jpg')}) was colorized; the other "
           "image is not in the colorized canvas",
        2: "the canvas offers a Choice of 2 images: the first, the one a viewer shows by "
           f"default, was colorized ({archive.url('/iiif/natural/full/max/0/default.jpg')})"}
    assert "notes" not in job["items"][0]
    for idx, note in expected.items():
        item = job["items"][idx]
        assert item["notes"][0] == note  # first, and kept beside the loader's own notes
        assert len(item["notes"]) == (2 if idx == 1 else 1), item["notes"]
        record = httpx.get(item["provenance_url"], headers=auth, timeout=60).json()
        assert record["source"]["canvas_note"] == note
        notes = [a["body"]["value"] for page in manifest["items"][idx]["annotations"]
                 for a in page["items"] if a["motivation"] == "assessing"]
        assert note in notes
    # the first painting image and the Choice's default item were the ones colorized
    assert job["items"][1]["source"]["service"] == archive.url("/iiif/left")
    assert job["items"][2]["source"]["service"] == archive.url("/iiif/natural")


def test_a_language_without_a_word_keeps_its_label_and_gains_an_english_one():
    assert colorized_label({"hu": ["Régi képek"]}) == {
        "hu": ["Régi képek"], "en": ["Régi képek (colorized)"]}
    assert colorized_label({"de-AT": ["Alte Ansichten"], "zh-Hans": ["老照片"]}) == {
        "de-AT": ["Alte Ansichten (koloriert)"], "zh-Hans": ["老照片（上色）"]}
    # "none" is shown to every reader whose language the map lacks: it keeps the English
    assert colorized_label({"none": ["Kazan"]}) == {"none": ["Kazan (colorized)"]}
