"""An archive's IIIF jobs, as its developer submits them over real HTTP (uvicorn, its own worker)
to manifests on a local IIIF server (`archive.test`): a job of two manifests with their own
licences, a canvas that paints no image, a manifest above the job's item cap submitted in
ranges of canvases, an image above the pixel cap, and the rights in each result's own XMP.

Before: the second manifest's label, rights and attribution stood for the whole job's manifest
(and its canvases' records stated none); a canvas without an image was dropped without a word;
a manifest above the cap got "split it into several jobs", which no request could do; and a
too-large image's fix named the CLI's --max-pixels.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from PIL import Image

from colorizer.apps.service.iiif import presentation3_errors
from tests.service.archive_service import run_job, tiny_service
from tests.service.service_helpers import LocalServer, gray_png

P3 = "http://iiif.io/api/presentation/3/context.json"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
NOC_NC = "http://rightsstatements.org/vocab/NoC-NC/1.0/"
MAX_ITEMS = 4
MAX_PIXELS = 5_000  # the canvases are 48 x 32; the "poster" 100 x 100 is above it
NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "dc": "http://purl.org/dc/elements/1.1/",
      "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
      "photoshop": "http://ns.adobe.com/photoshop/1.0/"}


def _json_route(archive: LocalServer, path: str, doc: dict) -> str:
    archive.routes[path] = (200, {"Content-Type": "application/ld+json"},
                            json.dumps(doc).encode())
    return archive.url(path)


def _canvas3(archive: LocalServer, name: str, n: int, image: bool = True) -> dict:
    """Canvas `n` of manifest `name`: painting a 48 x 32 JPEG, or nothing (`image=False`)."""
    cid = archive.url(f"/{name}/canvas/{n}")
    annotations = []
    if image:
        path = f"/{name}/img/{n}.jpg"
        archive.routes[path] = (200, {"Content-Type": "image/jpeg"},
                                gray_png(48, 32, seed=n, fmt="JPEG"))
        annotations = [{"id": f"{cid}/anno", "type": "Annotation", "motivation": "painting",
                        "target": cid, "body": {"id": archive.url(path), "type": "Image",
                                                "format": "image/jpeg"}}]
    return {"id": cid, "type": "Canvas", "width": 48, "height": 32,
            "label": {"en": [f"{name} {n}"]},
            "items": [{"id": f"{cid}/page", "type": "AnnotationPage", "items": annotations}]}


def _publish(archive: LocalServer) -> dict[str, str]:
    """Streets (P3, CC BY, 3 canvases, the 2nd paints nothing), Letters (P2, NoC-NC, 1
    canvas), Album (P3, 6 canvases: above the job cap of 4)."""
    streets = {"@context": P3, "id": archive.url("/streets.json"), "type": "Manifest",
               "label": {"en": ["City streets"]}, "rights": CC_BY,
               "requiredStatement": {"label": {"en": ["Attribution"]},
                                     "value": {"en": ["Courtesy of the City Archive"]}},
               "items": [_canvas3(archive, "streets", n, image=n != 2) for n in (1, 2, 3)]}
    archive.routes["/letters/img.jpg"] = (200, {"Content-Type": "image/jpeg"},
                                          gray_png(48, 32, seed=9, fmt="JPEG"))
    letters = {"@context": "http://iiif.io/api/presentation/2/context.json",
               "@id": archive.url("/letters.json"), "@type": "sc:Manifest",
               "label": "Briefe", "license": NOC_NC, "attribution": "Stadtarchiv Beispielstadt",
               "sequences": [{"@type": "sc:Sequence", "canvases": [{
                   "@id": archive.url("/letters/canvas/1"), "@type": "sc:Canvas",
                   "label": "Brief 1", "width": 48, "height": 32,
                   "images": [{"@type": "oa:Annotation", "motivation": "sc:painting",
                               "resource": {"@id": archive.url("/letters/img.jpg"),
                                            "@type": "dctypes:Image"}}]}]}]}
    album = {"@context": P3, "id": archive.url("/album.json"), "type": "Manifest",
             "label": {"en": ["Album"]},
             "items": [_canvas3(archive, "album", n) for n in range(1, 7)]}
    archive.routes["/poster.png"] = (200, {"Content-Type": "image/png"}, gray_png(100, 100))
    return {"streets": _json_route(archive, "/streets.json", streets),
            "letters": _json_route(archive, "/letters.json", letters),
            "album": _json_route(archive, "/album.json", album),
            "poster": archive.url("/poster.png")}


@pytest.fixture(scope="module")
def archive_service(shared_tiny_weights, tmp_path_factory):
    """(base, auth, urls, the two-manifest job) over real HTTP."""
    archive = LocalServer()
    try:
        urls = _publish(archive)
        with tiny_service(shared_tiny_weights, tmp_path_factory.mktemp("iiif-jobs") / "svc",
                          "city-archive", job_max_items=MAX_ITEMS,
                          max_pixels=MAX_PIXELS) as (base, auth):
            job = run_job(base, auth, [{"iiif_manifest": urls["streets"]},
                                       {"iiif_manifest": urls["letters"]}])
            yield base, auth, urls, job
    finally:
        archive.close()


@pytest.mark.slow  # a served app fetching and colorizing three canvases: ~5 s
def test_each_canvas_of_a_two_manifest_job_keeps_its_own_manifests_terms(archive_service):
    _, auth, urls, job = archive_service
    done = {item["source"]["canvas_id"]: item for item in job["items"]
            if item["status"] == "done"}
    streets = httpx.get(done[urls["streets"].replace(".json", "/canvas/1")]["provenance_url"],
                        headers=auth, timeout=60).json()["source"]
    letters = httpx.get(done[urls["letters"].replace(".json", "/canvas/1")]["provenance_url"],
                        headers=auth, timeout=60).json()["source"]
    # Before: a job of two manifests stated no rights in any record.
    assert (streets["rights"], letters["rights"]) == (CC_BY, NOC_NC)
    assert streets["requiredStatement"]["value"] == {"en": ["Courtesy of the City Archive"]}
    assert letters["requiredStatement"]["value"] == {"none": ["Stadtarchiv Beispielstadt"]}


@pytest.mark.slow
def test_the_output_manifest_of_two_sources_says_it_mixes_them(archive_service):
    _, auth, urls, job = archive_service
    manifest = httpx.get(job["links"]["manifest"], headers=auth, timeout=60).json()
    assert presentation3_errors(manifest) == []
    # Before: labeled "Briefe (colorized)", NoC-NC and "Stadtarchiv" over every canvas.
    assert manifest["label"] == {"none": [
        f"chronochrome job {job['id']}: canvases of 2 IIIF manifests (colorized)"]}
    assert "rights" not in manifest  # the two licences differ: each canvas states its own
    assert manifest["requiredStatement"]["value"] == {"none": [
        f"City streets ({urls['streets']}): Courtesy of the City Archive",
        f"Briefe ({urls['letters']}): Stadtarchiv Beispielstadt"]}
    assert [entry["value"]["none"][0] for entry in manifest["metadata"]] == [
        f"City streets ({urls['streets']})", f"Briefe ({urls['letters']})"]
    assert [canvas.get("rights") for canvas in manifest["items"]] == [CC_BY, CC_BY, NOC_NC]


@pytest.mark.slow
def test_a_canvas_that_paints_no_image_is_a_failed_item_saying_so(archive_service):
    _, _, urls, job = archive_service
    # Before: 3 items for the 4 canvases of the two manifests, the empty one gone unnoticed.
    assert len(job["items"]) == 4
    assert job["state"] == "completed_with_errors"
    failed = [item for item in job["items"] if item["status"] == "failed"]
    assert [item["source"]["canvas_id"] for item in failed] == [
        urls["streets"].replace(".json", "/canvas/2")]
    error = failed[0]["error"]
    assert error["reason"] == "no_image"
    assert error["detail"].startswith(f"canvas 2 ({urls['streets'].replace('.json', '')}"
                                      "/canvas/2) paints no image")


@pytest.mark.slow
def test_a_manifest_above_the_job_cap_is_submitted_in_ranges_of_canvases(archive_service):
    base, auth, urls, _ = archive_service
    answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=60,
                        json={"items": [{"iiif_manifest": urls["album"]}]})
    assert answer.status_code == 413
    problem = answer.json()
    # Before: "the job has more than 4 items; split it into several jobs".
    assert (f'{{"iiif_manifest": "{urls["album"]}", "canvases": "1-4"}}, then "5-6"'
            in problem["detail"]), problem["detail"]
    assert problem["ranges"] == ["1-4", "5-6"]
    job = run_job(base, auth, [{"iiif_manifest": urls["album"], "canvases": "5-6"}])
    assert [item["source"]["canvas_id"] for item in job["items"]] == [
        urls["album"].replace(".json", f"/canvas/{n}") for n in (5, 6)]
    assert [item["source"]["canvas_number"] for item in job["items"]] == [5, 6]
    assert job["state"] == "succeeded"


@pytest.mark.slow
@pytest.mark.parametrize(("canvases", "says"), [
    ("0-3", "canvases count from 1 and the first comes before the last"),
    ("4-2", "canvases count from 1 and the first comes before the last"),
    ("first ten", "is not a range of canvases"),
    ("7-9", "but the manifest"),
])
def test_a_bad_canvas_range_is_refused_saying_what_a_range_is(archive_service, canvases, says):
    base, auth, urls, _ = archive_service
    answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=60, json={
        "items": [{"iiif_manifest": urls["album"], "canvases": canvases}]})
    assert answer.status_code == 422
    assert says in answer.json()["detail"], answer.json()


@pytest.mark.slow
def test_an_image_above_the_pixel_cap_names_the_services_setting(archive_service):
    base, auth, urls, _ = archive_service
    job = run_job(base, auth, [{"url": urls["poster"]}])
    error = job["items"][0]["error"]
    assert error["reason"] == "too_large"
    # Before: "... --max-pixels 10000 (CLI) or max_pixels=10000 (Python)".
    assert "--max-pixels" not in error["detail"] and "(Python)" not in error["detail"]
    assert 'raise "max_pixels" in its config file (to 10,000 for this image)' in error["detail"]


@pytest.mark.slow
def test_each_results_xmp_carries_its_canvas_and_its_manifests_rights(archive_service):
    _, auth, urls, job = archive_service
    canvas = urls["letters"].replace(".json", "/canvas/1")
    item = next(i for i in job["items"] if i["source"]["canvas_id"] == canvas)
    result = httpx.get(item["result_url"], headers=auth, timeout=60)
    with Image.open(io.BytesIO(result.content)) as image:
        packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    desc = ET.fromstring(packet.encode() if isinstance(packet, str) else packet)
    found = {tag: [el.text for el in desc.iter(f"{{{NS[ns]}}}{name}")]
             for tag, (ns, name) in {"source": ("dc", "source"),
                                     "web": ("xmpRights", "WebStatement"),
                                     "credit": ("photoshop", "Credit")}.items()}
    assert found == {"source": [canvas], "web": [NOC_NC], "credit": ["Stadtarchiv Beispielstadt"]}
    terms = [li.text for li in desc.iter(f"{{{NS['rdf']}}}li")
             if li.text and li.text.startswith(("Stadtarchiv", NOC_NC))]
    assert terms == [f"Stadtarchiv Beispielstadt; Licence: {NOC_NC}", NOC_NC]
