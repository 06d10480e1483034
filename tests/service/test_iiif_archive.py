"""An archive colorizes its IIIF collection through the HTTP API, as its developer would: the
service served by uvicorn over real HTTP with its own worker, the archive's Presentation 3
manifest and Image API services on a local HTTP server (`archive.test`).

What an archive's manifest says must come through: every canvas that paints an image (a
SpecificResource, a crop of the image, was dropped without a word), the canvas's date, place
and summary on the colorized canvas (they reached the context but not the job's manifest),
and the licence and attribution in each result's provenance record. A Collection submitted as
a manifest is refused saying what it is.
"""

from __future__ import annotations

import json

import httpx
import pytest

from colorizer.apps.service.iiif import presentation3_errors
from tests.service.archive_service import image_service, run_job, tiny_service
from tests.service.service_helpers import LocalServer

P3 = "http://iiif.io/api/presentation/3/context.json"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def _canvas(archive: LocalServer, n: int, body: dict, **described: object) -> dict:
    cid = archive.url(f"/canvas/{n}")
    return {"id": cid, "type": "Canvas", "width": 48, "height": 32,
            "label": {"en": [f"Street {n}"], "de": [f"Straße {n}"]}, **described,
            "items": [{"id": f"{cid}/page", "type": "AnnotationPage", "items": [{
                "id": f"{cid}/anno", "type": "Annotation", "motivation": "painting",
                "target": cid, "body": body}]}]}


def _publish_collection(archive: LocalServer) -> str:
    """The archive's manifest: a plain canvas with its date, place and summary, and a canvas
    painting a crop of its image (a SpecificResource); and a Collection listing it."""
    dated = _canvas(archive, 0, image_service(archive, "kazan", seed=1),
                    navDate="1910-05-01T00:00:00Z",
                    metadata=[{"label": {"en": ["Date"], "de": ["Datum"]},
                               "value": {"none": ["1910"]}},
                              {"label": {"en": ["Place"]}, "value": {"en": ["Kazan"]}}],
                    summary={"en": ["A street in Kazan, about 1910."]})
    crop = {"type": "SpecificResource", "source": image_service(archive, "crop", seed=2),
            "selector": {"type": "FragmentSelector", "value": "xywh=0,0,24,16"}}
    cropped = _canvas(archive, 1, crop)
    url = archive.url("/manifest.json")
    manifest = {"@context": P3, "id": url, "type": "Manifest",
                "label": {"en": ["City streets"]}, "items": [dated, cropped], "rights": CC_BY,
                "requiredStatement": {"label": {"en": ["Attribution"]},
                                      "value": {"en": ["Courtesy of the City Archive"]}}}
    collection = {"@context": P3, "id": archive.url("/collection.json"), "type": "Collection",
                  "label": {"en": ["All streets"]},
                  "items": [{"id": url, "type": "Manifest", "label": {"en": ["City streets"]}}]}
    for path, doc in (("/manifest.json", manifest), ("/collection.json", collection)):
        archive.routes[path] = (200, {"Content-Type": "application/ld+json"},
                                json.dumps(doc).encode())
    return url


@pytest.fixture(scope="module")
def archive_job(shared_tiny_weights, tmp_path_factory):
    """The collection submitted once over HTTP and colorized: (base, auth, job, archive)."""
    archive = LocalServer()
    try:
        manifest_url = _publish_collection(archive)
        with tiny_service(shared_tiny_weights, tmp_path_factory.mktemp("iiif-archive") / "svc",
                          "city-archive") as (base, auth):
            job = run_job(base, auth, [{"iiif_manifest": manifest_url}])
            yield base, auth, job, archive
    finally:
        archive.close()


@pytest.mark.slow  # a served app fetching and colorizing two canvases: ~5 s
def test_a_canvas_painting_a_crop_of_its_image_is_colorized(archive_job):
    _, _, job, archive = archive_job
    # The SpecificResource canvas was left out: a 1-item job for a 2-canvas manifest.
    assert [item["source"]["canvas_id"] for item in job["items"]] == [
        archive.url("/canvas/0"), archive.url("/canvas/1")]
    assert job["state"] == "succeeded", [item.get("error") for item in job["items"]]
    assert job["items"][1]["source"]["service"] == archive.url("/iiif/crop")


@pytest.mark.slow
def test_the_colorized_canvas_keeps_the_archives_date_place_and_summary(archive_job):
    _, auth, job, archive = archive_job
    answer = httpx.get(job["links"]["manifest"], headers=auth, timeout=60)
    assert answer.status_code == 200
    manifest = answer.json()
    assert presentation3_errors(manifest) == []
    canvas = manifest["items"][0]
    assert canvas["navDate"] == "1910-05-01T00:00:00Z"
    # in the source's languages (tests/service/test_iiif_languages.py)
    assert canvas["summary"] == {"en": ["A street in Kazan, about 1910."]}
    assert canvas["metadata"] == [
        {"label": {"none": ["Source canvas"]}, "value": {"none": [archive.url("/canvas/0")]}},
        {"label": {"en": ["Date"], "de": ["Datum"]}, "value": {"none": ["1910"]}},
        {"label": {"en": ["Place"]}, "value": {"en": ["Kazan"]}}]
    assert canvas["label"] == {"en": ["Street 0"], "de": ["Straße 0"]}
    # The canvas that said nothing of when and where still names its source canvas.
    assert "navDate" not in manifest["items"][1]
    assert manifest["items"][1]["metadata"] == [
        {"label": {"none": ["Source canvas"]}, "value": {"none": [archive.url("/canvas/1")]}}]


@pytest.mark.slow
def test_each_results_provenance_states_the_archives_licence_and_attribution(archive_job):
    _, auth, job, archive = archive_job
    for item in job["items"]:
        record = httpx.get(item["provenance_url"], headers=auth, timeout=60).json()
        source = record["source"]
        assert source["rights"] == "http://creativecommons.org/licenses/by/4.0/"
        assert source["requiredStatement"] == {
            "label": {"en": ["Attribution"]}, "value": {"en": ["Courtesy of the City Archive"]}}
        assert source["manifest"] == archive.url("/manifest.json")


@pytest.mark.slow
def test_a_collection_submitted_as_a_manifest_is_refused_saying_what_it_is(archive_job):
    base, auth, _, archive = archive_job
    answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=60, json={
        "items": [{"iiif_manifest": archive.url("/collection.json")}]})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["reason"] == "invalid_iiif"
    # It said "the manifest has no canvas with an image".
    assert "is a IIIF Collection (a list of manifests), not a Manifest" in problem["detail"]
    assert archive.url("/manifest.json") in problem["detail"]


def test_the_validator_refuses_a_navdate_out_of_utc_and_bare_metadata():
    manifest = {"@context": P3, "id": "https://x.example/m", "type": "Manifest",
                "label": {"en": ["m"]}, "navDate": "1910",
                "metadata": [{"label": "Date", "value": "1910"}], "items": []}
    errors = presentation3_errors(manifest)
    assert "the manifest: navDate must be an XSD dateTime in UTC (ending in Z), not '1910'" \
        in errors
    assert "the manifest: metadata entries need a label and a value, language maps" in errors
